package io.cairn.engine.tls;

import java.io.IOException;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.util.List;
import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedKeyManager;

/**
 * The member's certificate and key for TLS handshakes, reloaded when the files change. etcd 3.4
 * reads --cert-file and --key-file again on every handshake, so a renewed certificate is used
 * from the next connection on without a restart. Cairn does the same, more cheaply: at most once
 * a second a handshake compares the files' modification times and sizes and, if either changed,
 * reads and checks the pair again. A pair that does not load (a half-written file, a key that
 * does not match yet) is logged and the previous one kept, where etcd would fail the handshake;
 * the next change is tried again. Connections already open keep their certificate.
 */
public final class ReloadingKeyManager extends X509ExtendedKeyManager {
    private static final System.Logger LOG = System.getLogger(ReloadingKeyManager.class.getName());
    private static final long CHECK_INTERVAL_MILLIS = 1_000;
    /** The one alias: a member presents one certificate. */
    private static final String ALIAS = "cairn";

    private final Path certFile;
    private final Path keyFile;
    private final Clock clock;
    private volatile Loaded loaded;
    private volatile long nextCheckMillis;

    /** The pair as read, and the file stamps it was read at. */
    private record Loaded(CertifiedKey pair, X509ExtendedKeyManager delegate, List<Object> stamps) {
    }

    private ReloadingKeyManager(final Path certFile, final Path keyFile, final Clock clock, final Loaded loaded) {
        this.certFile = certFile;
        this.keyFile = keyFile;
        this.clock = clock;
        this.loaded = loaded;
        this.nextCheckMillis = clock.millis() + CHECK_INTERVAL_MILLIS;
    }

    /** Reads the pair now; a problem with it is an error (the member does not start). */
    public static ReloadingKeyManager open(final Path certFile, final Path keyFile, final Clock clock)
        throws IOException {
        return new ReloadingKeyManager(certFile, keyFile, clock, load(certFile, keyFile, clock));
    }

    /** The pair handshakes use now. */
    public CertifiedKey current() {
        return loaded.pair();
    }

    private static Loaded load(final Path certFile, final Path keyFile, final Clock clock) throws IOException {
        final List<Object> stamps = stamps(certFile, keyFile);
        final CertifiedKey pair = CertifiedKey.read(certFile, keyFile, clock.instant());
        try {
            final KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(null, null);
            store.setKeyEntry(ALIAS, pair.key(), new char[0], pair.chain().toArray(X509Certificate[]::new));
            // SunX509 keeps the entry's own alias, so an alias chosen before a reload still names
            // the certificate after it.
            final KeyManagerFactory factory = KeyManagerFactory.getInstance("SunX509");
            factory.init(store, new char[0]);
            for (final KeyManager manager : factory.getKeyManagers()) {
                if (manager instanceof X509ExtendedKeyManager x509) {
                    return new Loaded(pair, x509, stamps);
                }
            }
            throw new IllegalStateException("the JDK's SunX509 key manager factory made no X509 key manager");
        } catch (final GeneralSecurityException e) {
            throw new IOException("cannot use the key in " + keyFile + ": " + e.getMessage(), e);
        }
    }

    private static List<Object> stamps(final Path certFile, final Path keyFile) throws IOException {
        try {
            return List.of(Files.getLastModifiedTime(certFile), Files.size(certFile),
                Files.getLastModifiedTime(keyFile), Files.size(keyFile));
        } catch (final java.nio.file.NoSuchFileException e) {
            throw new IOException(e.getFile() + ": no such file", e);
        }
    }

    /** The delegate, after reloading the files if they changed and a check is due. */
    private X509ExtendedKeyManager delegate() {
        final long nowMillis = clock.millis();
        if (nowMillis >= nextCheckMillis) {
            reloadIfChanged(nowMillis);
        }
        return loaded.delegate();
    }

    private synchronized void reloadIfChanged(final long nowMillis) {
        if (nowMillis < nextCheckMillis) {
            return; // another handshake just checked
        }
        nextCheckMillis = nowMillis + CHECK_INTERVAL_MILLIS;
        try {
            if (stamps(certFile, keyFile).equals(loaded.stamps())) {
                return;
            }
            loaded = load(certFile, keyFile, clock);
            LOG.log(System.Logger.Level.INFO, "reloaded the TLS certificate " + certFile + " ("
                + loaded.pair().leaf().getSubjectX500Principal().getName() + ", valid until "
                + loaded.pair().leaf().getNotAfter().toInstant() + ")");
        } catch (final IOException | RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "cannot reload the TLS certificate " + certFile + " and key " + keyFile
                + "; still using the previous one: " + e.getMessage());
        }
    }

    @Override
    public String[] getClientAliases(final String keyType, final Principal[] issuers) {
        return delegate().getClientAliases(keyType, issuers);
    }

    @Override
    public String chooseClientAlias(final String[] keyTypes, final Principal[] issuers, final Socket socket) {
        return delegate().chooseClientAlias(keyTypes, issuers, socket);
    }

    @Override
    public String chooseEngineClientAlias(final String[] keyTypes, final Principal[] issuers, final SSLEngine engine) {
        return delegate().chooseEngineClientAlias(keyTypes, issuers, engine);
    }

    @Override
    public String[] getServerAliases(final String keyType, final Principal[] issuers) {
        return delegate().getServerAliases(keyType, issuers);
    }

    @Override
    public String chooseServerAlias(final String keyType, final Principal[] issuers, final Socket socket) {
        return delegate().chooseServerAlias(keyType, issuers, socket);
    }

    @Override
    public String chooseEngineServerAlias(final String keyType, final Principal[] issuers, final SSLEngine engine) {
        return delegate().chooseEngineServerAlias(keyType, issuers, engine);
    }

    @Override
    public X509Certificate[] getCertificateChain(final String alias) {
        return loaded.delegate().getCertificateChain(alias);
    }

    @Override
    public PrivateKey getPrivateKey(final String alias) {
        return loaded.delegate().getPrivateKey(alias);
    }
}
