package io.cairn.transport;

import java.util.Objects;
import javax.net.ssl.SSLContext;

/**
 * TLS between peers ({@code https://} peer URLs), handed to {@link AeronTransport#launch(TransportConfig,
 * SnapshotStore, PeerTls)}; null there means plaintext ({@code http://}). The engine builds the context from etcd's
 * {@code --peer-cert-file}, {@code --peer-key-file} and {@code --peer-trusted-ca-file}: its key manager presents this
 * member's certificate and its trust manager decides which CAs are trusted. The transport adds nothing to that
 * trust decision except the CN check below.
 *
 * @param sslContext     ready context; every session is TLS 1.3 with mutual certificates offered
 * @param clientCertAuth etcd's {@code --peer-client-cert-auth}: the TLS server side of each pair requires the
 *                       client's certificate ({@code setNeedClientAuth}); when false it only asks for one
 *                       ({@code setWantClientAuth}), and a client without one is let in
 * @param allowedCn      etcd's {@code --peer-cert-allowed-cn}, or null: when set, the peer's certificate must carry
 *                       exactly this common name, checked on both ends of every pair
 */
public record PeerTls(SSLContext sslContext, boolean clientCertAuth, String allowedCn) {
    public PeerTls {
        Objects.requireNonNull(sslContext, "sslContext");
        if (allowedCn != null && allowedCn.isEmpty()) {
            throw new IllegalArgumentException("allowedCn: null for none, not empty");
        }
    }
}
