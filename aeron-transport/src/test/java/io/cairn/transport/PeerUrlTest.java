package io.cairn.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import org.junit.jupiter.api.Test;

/** The flags' text is parsed by the engine's configuration; the transport maps the parsed URLs to endpoints. */
class PeerUrlTest {
    @Test
    void etcdPeerUrlsMapToUdpEndpoints() {
        assertEquals("10.0.0.1:2380", PeerUrl.of(URI.create("http://10.0.0.1:2380")).udpEndpoint());
        assertEquals("node-a.example:2380", PeerUrl.of(URI.create("http://node-a.example:2380/")).udpEndpoint());
        assertEquals("[::1]:2380", PeerUrl.of(URI.create("http://[::1]:2380")).udpEndpoint());
        assertEquals("0.0.0.0:2380", PeerUrl.of(URI.create("http://0.0.0.0:2380")).udpEndpoint());
        assertEquals("aeron:udp?endpoint=10.0.0.1:2380|mtu=1408|term-length=65536",
            PeerUrl.of(URI.create("http://10.0.0.1:2380")).channel(1408, 65536));
    }

    @Test
    void badPeerUrlsAreRefusedWithTheReason() {
        final IllegalArgumentException tls = assertThrows(IllegalArgumentException.class,
            () -> PeerUrl.of(URI.create("https://10.0.0.1:2380")));
        assertTrue(tls.getMessage().contains("WireGuard"), tls.getMessage());
        assertThrows(IllegalArgumentException.class, () -> PeerUrl.of(URI.create("http://10.0.0.1")));
        assertThrows(IllegalArgumentException.class, () -> PeerUrl.of(URI.create("unix://socket:1")));
        assertThrows(IllegalArgumentException.class, () -> PeerUrl.of(URI.create("http://10.0.0.1:2380/raft")));
        assertThrows(IllegalArgumentException.class, () -> PeerUrl.of(URI.create("10.0.0.1:2380")));
    }
}
