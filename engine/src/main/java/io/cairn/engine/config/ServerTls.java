package io.cairn.engine.config;

import io.cairn.engine.tls.TlsContext;
import io.cairn.engine.tls.TlsSettings;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;

/**
 * A member's TLS contexts from its {@link ServerConfig}: reads the certificate files (or makes the
 * auto TLS ones under {@code <data-dir>/fixtures/client} and {@code fixtures/peer}, as etcd does)
 * and logs what etcd 3.4 logs about the combination. Errors (a missing or unreadable file, a key
 * that does not match its certificate, an expired certificate, a CA file without certificates)
 * name the flag's file; the member does not start.
 */
public final class ServerTls {
    private static final System.Logger LOG = System.getLogger(ServerTls.class.getName());

    private ServerTls() {
    }

    /**
     * TLS for the client URLs (and https metrics URLs), or null when no client URL is https and
     * no client TLS flag is given.
     */
    public static TlsContext client(final ServerConfig config, final Clock clock) throws IOException {
        final TlsSettings settings = config.security().tls().client();
        final List<URI> urls = config.urls().listenClientUrls();
        warn(settings, urls, "client", "--client-cert-auth", "--trusted-ca-file", "--auto-tls");
        if (!settings.enabled()) {
            return null;
        }
        try {
            return TlsContext.load(settings, TlsContext.CLIENT_PROTOCOLS, fixtures(config, "client"), urls, clock);
        } catch (final IOException e) {
            throw new IOException("client TLS: " + e.getMessage(), e);
        }
    }

    /**
     * TLS between members, or null when no peer TLS flag is given. For the peer transport: its
     * {@link TlsContext#sslContext()} makes TLS 1.3 engines that present this member's
     * certificate, require the other member's (when {@link TlsContext#requiresClientCertificate()})
     * and check --peer-cert-allowed-cn in both directions.
     */
    public static TlsContext peer(final ServerConfig config, final Clock clock) throws IOException {
        final TlsSettings settings = config.security().tls().peer();
        final List<URI> urls = config.urls().listenPeerUrls();
        warn(settings, urls, "peer", "--peer-client-cert-auth", "--peer-trusted-ca-file", "--peer-auto-tls");
        if (!settings.enabled()) {
            return null;
        }
        try {
            return TlsContext.load(settings, TlsContext.PEER_PROTOCOLS, fixtures(config, "peer"), urls, clock);
        } catch (final IOException e) {
            throw new IOException("peer TLS: " + e.getMessage(), e);
        }
    }

    private static Path fixtures(final ServerConfig config, final String side) {
        return config.storage().dataDir().resolve("fixtures").resolve(side);
    }

    /** etcd's start-up warnings for combinations it accepts but partly ignores. */
    private static void warn(final TlsSettings settings, final List<URI> urls, final String side,
        final String certAuthFlag, final String caFlag, final String autoFlag) {
        if (settings.autoTls() && settings.hasCertificate()) {
            LOG.log(System.Logger.Level.WARNING, "ignoring " + side + " auto TLS since certs given");
        }
        if (settings.usesAutoTls() && (settings.clientCertAuth() || settings.trustedCaFile() != null)) {
            LOG.log(System.Logger.Level.WARNING, autoFlag + " replaces the " + side + " TLS settings with a self-signed "
                + "certificate: " + certAuthFlag + " and " + caFlag + " have no effect (as in etcd 3.4)");
        }
        if (settings.usesAutoTls()) {
            LOG.log(System.Logger.Level.WARNING, autoFlag + ": " + side + " connections are encrypted with a "
                + "self-signed certificate and not authenticated; use certificates from a CA in production");
        }
        if (settings.clientCertAuth() && settings.trustedCaFile() == null && !settings.usesAutoTls()) {
            LOG.log(System.Logger.Level.WARNING, certAuthFlag + " without " + caFlag + ": certificates are checked "
                + "against the Java runtime's trusted CAs (etcd uses the system's)");
        }
        for (final URI url : urls) {
            if (UrlList.isTls(url)) {
                continue;
            }
            if (settings.hasCertificate()) {
                LOG.log(System.Logger.Level.WARNING, "scheme is HTTP while key and cert files are present; ignoring "
                    + "key and cert files (" + side + "-url " + url + ")");
            }
            if (settings.clientCertAuth()) {
                LOG.log(System.Logger.Level.WARNING, "scheme is HTTP while " + certAuthFlag + " is enabled; ignoring "
                    + "client cert auth for this URL (" + side + "-url " + url + ")");
            }
        }
    }
}
