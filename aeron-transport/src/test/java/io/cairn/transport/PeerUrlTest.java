package io.cairn.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
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
    void httpsPeerUrlsAreSecureOnTheSameEndpoint() {
        final PeerUrl secure = PeerUrl.of(URI.create("https://10.0.0.1:2380"));
        assertTrue(secure.secure());
        assertEquals("10.0.0.1:2380", secure.udpEndpoint());
        assertEquals("https://10.0.0.1:2380", secure.toString());
        assertFalse(PeerUrl.of(URI.create("http://10.0.0.1:2380")).secure());
        assertEquals(new PeerUrl("10.0.0.1", 2380), PeerUrl.of(URI.create("http://10.0.0.1:2380")));
        assertNotEquals(secure, PeerUrl.of(URI.create("http://10.0.0.1:2380")), "a scheme change is a new URL");
    }

    @Test
    void badPeerUrlsAreRefusedWithTheReason() {
        final IllegalArgumentException scheme = assertThrows(IllegalArgumentException.class,
            () -> PeerUrl.of(URI.create("udp://10.0.0.1:2380")));
        assertTrue(scheme.getMessage().contains("https://host:port"), scheme.getMessage());
        assertThrows(IllegalArgumentException.class, () -> PeerUrl.of(URI.create("https://10.0.0.1")));
        assertThrows(IllegalArgumentException.class, () -> PeerUrl.of(URI.create("http://10.0.0.1")));
        assertThrows(IllegalArgumentException.class, () -> PeerUrl.of(URI.create("unix://socket:1")));
        assertThrows(IllegalArgumentException.class, () -> PeerUrl.of(URI.create("http://10.0.0.1:2380/raft")));
        assertThrows(IllegalArgumentException.class, () -> PeerUrl.of(URI.create("10.0.0.1:2380")));
    }
}
