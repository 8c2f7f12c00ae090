package io.cairn.engine.tls;

import java.nio.file.Path;
import java.util.List;

/**
 * One side's TLS flags (client URLs or peer URLs), checked for consistency but not yet read from
 * disk: {@link TlsContext#load} reads them. Null paths are flags not given.
 *
 * @param certFile       --cert-file / --peer-cert-file: the certificate (chain) this member presents
 * @param keyFile        --key-file / --peer-key-file: its private key
 * @param trustedCaFile  --trusted-ca-file / --peer-trusted-ca-file: the CAs a presented certificate must chain to
 * @param clientCertAuth --client-cert-auth / --peer-client-cert-auth
 * @param autoTls        --auto-tls / --peer-auto-tls: a self-signed certificate when none is given
 * @param allowedCn      --peer-cert-allowed-cn (null: any); always null on the client side
 * @param cipherSuites   --cipher-suites in the JDK's names (empty: the JDK's defaults)
 */
public record TlsSettings(Path certFile, Path keyFile, Path trustedCaFile, boolean clientCertAuth, boolean autoTls,
                          String allowedCn, List<String> cipherSuites) {
    public TlsSettings {
        cipherSuites = List.copyOf(cipherSuites);
    }

    /** No TLS flag given: plain http only. */
    public static TlsSettings none() {
        return new TlsSettings(null, null, null, false, false, null, List.of());
    }

    /** etcd's {@code TLSInfo.Empty()} negated: a certificate and key are given. */
    public boolean hasCertificate() {
        return certFile != null && keyFile != null;
    }

    /** Whether https URLs can be served: given files, or --auto-tls. */
    public boolean enabled() {
        return hasCertificate() || autoTls;
    }

    /**
     * Whether the self-signed certificate of --auto-tls is used: asked for and no files given
     * (etcd ignores --auto-tls when files are given).
     */
    public boolean usesAutoTls() {
        return autoTls && !hasCertificate();
    }

    /**
     * Whether a connecting party must present a certificate that chains to the trusted CAs.
     * etcd 3.4 requires one with --client-cert-auth and also with --trusted-ca-file alone; with
     * auto TLS it forgets both (its generated settings replace the given ones).
     */
    public boolean requiresClientCertificate() {
        return !usesAutoTls() && (clientCertAuth || trustedCaFile != null);
    }
}
