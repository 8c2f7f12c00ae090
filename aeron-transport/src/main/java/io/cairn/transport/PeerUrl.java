package io.cairn.transport;

import java.net.URI;
import java.util.Objects;

/**
 * One etcd peer URL ({@code --listen-peer-urls}, {@code --initial-advertise-peer-urls}, the values of
 * {@code --initial-cluster}) and the Aeron UDP endpoint it maps to: the same host and port, over UDP instead of
 * TCP, so an operator's firewall rule for 2380 is the one to open (for UDP as well).
 *
 * <p>{@code https} URLs are refused: Aeron's UDP media has no TLS, and silently dropping the encryption an
 * operator asked for would be worse than failing. Run peers over an encrypted link (WireGuard, IPsec) with
 * {@code http} peer URLs instead.
 */
public record PeerUrl(String host, int port) {
    public PeerUrl {
        Objects.requireNonNull(host, "host");
        if (host.isEmpty() || port <= 0 || port > 65_535) {
            throw new IllegalArgumentException("peer URL needs a host and a port in 1..65535: " + host + ":" + port);
        }
    }

    /**
     * The endpoint of a peer URL the engine's configuration has already parsed (the one parser of
     * {@code --initial-cluster} and the peer URL flags): the transport only checks that it can reach it.
     */
    public static PeerUrl of(final URI url) {
        if ("https".equals(url.getScheme())) {
            throw new IllegalArgumentException("peer URL " + url + ": TLS between peers is not supported (Aeron UDP"
                + " has no encryption); use an http:// URL over an encrypted link such as WireGuard or IPsec");
        }
        if (!"http".equals(url.getScheme())) {
            throw new IllegalArgumentException("peer URL " + url + ": expected http://host:port");
        }
        if (url.getHost() == null || url.getPort() < 0) {
            throw new IllegalArgumentException("peer URL " + url + ": expected http://host:port (the port is required)");
        }
        if (url.getPath() != null && !url.getPath().isEmpty() && !"/".equals(url.getPath())) {
            throw new IllegalArgumentException("peer URL " + url + ": a path is not allowed");
        }
        return new PeerUrl(url.getHost(), url.getPort());
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
        return "http://" + udpEndpoint();
    }
}
