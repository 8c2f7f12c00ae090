package io.cairn.transport;

import java.net.URI;
import java.util.Objects;

/**
 * One etcd peer URL ({@code --listen-peer-urls}, {@code --initial-advertise-peer-urls}, the values of
 * {@code --initial-cluster}) and the Aeron UDP endpoint it maps to: the same host and port, over UDP instead of
 * TCP, so an operator's firewall rule for 2380 is the one to open (for UDP as well).
 *
 * <p>{@code secure} is true for an {@code https} URL. The endpoint is the same either way; TLS itself is switched
 * on by the {@link PeerTls} handed to {@link AeronTransport#launch(TransportConfig, SnapshotStore, PeerTls)}, and
 * the engine checks that every peer URL's scheme agrees with it (an https URL with TLS off would silently send in
 * clear, an http one with TLS on would never complete a handshake).
 */
public record PeerUrl(String host, int port, boolean secure) {
    public PeerUrl {
        Objects.requireNonNull(host, "host");
        if (host.isEmpty() || port <= 0 || port > 65_535) {
            throw new IllegalArgumentException("peer URL needs a host and a port in 1..65535: " + host + ":" + port);
        }
    }

    /** An {@code http} (plaintext) peer URL. */
    public PeerUrl(final String host, final int port) {
        this(host, port, false);
    }

    /**
     * The endpoint of a peer URL the engine's configuration has already parsed (the one parser of
     * {@code --initial-cluster} and the peer URL flags): the transport only checks that it can reach it.
     */
    public static PeerUrl of(final URI url) {
        final boolean secure = "https".equals(url.getScheme());
        if (!secure && !"http".equals(url.getScheme())) {
            throw new IllegalArgumentException("peer URL " + url + ": expected http://host:port or https://host:port");
        }
        if (url.getHost() == null || url.getPort() < 0) {
            throw new IllegalArgumentException("peer URL " + url + ": expected " + url.getScheme()
                + "://host:port (the port is required)");
        }
        if (url.getPath() != null && !url.getPath().isEmpty() && !"/".equals(url.getPath())) {
            throw new IllegalArgumentException("peer URL " + url + ": a path is not allowed");
        }
        return new PeerUrl(url.getHost(), url.getPort(), secure);
    }

    /** The Aeron {@code endpoint} value: host:port, IPv6 hosts bracketed as URI hosts already are. */
    public String udpEndpoint() {
        return host + ":" + port;
    }

    /** The Aeron channel that reaches (or, for a listen URL, binds) this endpoint. */
    String channel(final int mtuBytes, final int termLengthBytes) {
        return "aeron:udp?endpoint=" + udpEndpoint() + "|mtu=" + mtuBytes + "|term-length=" + termLengthBytes;
    }

    @Override
    public String toString() {
        return (secure ? "https://" : "http://") + udpEndpoint();
    }
}
