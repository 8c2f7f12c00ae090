package io.cairn.transport;

import io.aeron.ExclusivePublication;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;

/**
 * What every {@link TlsLink} of one transport shares: the settings, the counters, and the making of engines. One
 * per transport launched with a {@link PeerTls}.
 */
final class TlsLinks {
    private static final String[] PROTOCOLS = {"TLSv1.3"};

    final PeerTls tls;
    final long clusterId;
    final long memberId;
    final TransportCounters counters;
    final PeerCertificateCheck check;
    /** Largest TLS record and largest plaintext per record, as the JDK sizes them (the same for every engine). */
    final int packetBytesMax;
    final int applicationBytesMax;

    TlsLinks(final PeerTls tls, final long clusterId, final long memberId, final TransportCounters counters) {
        this.tls = tls;
        this.clusterId = clusterId;
        this.memberId = memberId;
        this.counters = counters;
        this.check = new PeerCertificateCheck(tls.allowedCn());
        final SSLEngine probe = tls.sslContext().createSSLEngine();
        this.packetBytesMax = probe.getSession().getPacketBufferSize();
        this.applicationBytesMax = probe.getSession().getApplicationBufferSize();
    }

    /**
     * The TLS client of a pair is the member with the smaller id. Both ends derive the same roles from the ids alone,
     * so there is never a simultaneous open (two ClientHellos crossing on the pair's streams) to break a tie over, and
     * only one end needs the retry and back-off logic of starting handshakes.
     */
    boolean isClientOf(final long peerId) {
        return memberId < peerId;
    }

    SSLEngine newEngine(final long peerId, final PeerUrl peerUrl) {
        final boolean client = isClientOf(peerId);
        // The client names the peer's host and port: the engine checks the server's certificate against that host
        // (SAN IP or DNS name), as etcd's Go peers check the host of the peer URL they dial.
        final SSLEngine engine = client ? tls.sslContext().createSSLEngine(peerUrl.host(), peerUrl.port())
            : tls.sslContext().createSSLEngine();
        engine.setUseClientMode(client);
        final SSLParameters parameters = engine.getSSLParameters();
        parameters.setProtocols(PROTOCOLS);
        if (client) {
            parameters.setEndpointIdentificationAlgorithm("HTTPS");
        } else if (tls.clientCertAuth()) {
            parameters.setNeedClientAuth(true);
        } else {
            parameters.setWantClientAuth(true);
        }
        engine.setSSLParameters(parameters);
        return engine;
    }

    TlsLink newLink(final long peerId, final PeerUrl peerUrl, final String stream,
                    final ExclusivePublication publication, final FrameHandler target, final TlsFailureLog log) {
        return new TlsLink(this, peerId, peerUrl, stream, publication, target, log);
    }
}
