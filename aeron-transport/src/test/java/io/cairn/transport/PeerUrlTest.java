package io.cairn.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class PeerUrlTest {
    @Test
    void etcdPeerUrlsMapToUdpEndpoints() {
        assertEquals("10.0.0.1:2380", PeerUrl.parse("http://10.0.0.1:2380").udpEndpoint());
        assertEquals("node-a.example:2380", PeerUrl.parse(" http://node-a.example:2380/ ").udpEndpoint());
        assertEquals("[::1]:2380", PeerUrl.parse("http://[::1]:2380").udpEndpoint());
        assertEquals("0.0.0.0:2380", PeerUrl.parse("http://0.0.0.0:2380").udpEndpoint());
        assertEquals("aeron:udp?endpoint=10.0.0.1:2380|mtu=1408|term-length=65536",
            PeerUrl.parse("http://10.0.0.1:2380").channel(1408, 65536));
    }

    @Test
    void badPeerUrlsAreRefusedWithTheReason() {
        final IllegalArgumentException tls = assertThrows(IllegalArgumentException.class,
            () -> PeerUrl.parse("https://10.0.0.1:2380"));
        assertTrue(tls.getMessage().contains("WireGuard"), tls.getMessage());
        assertThrows(IllegalArgumentException.class, () -> PeerUrl.parse("http://10.0.0.1"));
        assertThrows(IllegalArgumentException.class, () -> PeerUrl.parse("unix://socket:1"));
        assertThrows(IllegalArgumentException.class, () -> PeerUrl.parse("http://10.0.0.1:2380/raft"));
        assertThrows(IllegalArgumentException.class, () -> PeerUrl.parse("10.0.0.1:2380"));
    }

    @Test
    void initialClusterListsEveryMemberAndItsUrls() {
        final InitialCluster cluster = InitialCluster.parse(
            "infra0=http://10.0.1.10:2380,infra1=http://10.0.1.11:2380,infra1=http://10.0.2.11:2380,infra2=http://10.0.1.12:2380");
        assertEquals(List.of("infra0", "infra1", "infra2"), List.copyOf(cluster.urlsByName().keySet()));
        assertEquals(2, cluster.urlsByName().get("infra1").size());
        assertEquals(new PeerUrl("10.0.1.11", 2380), cluster.primaryUrl("infra1"));
        assertThrows(IllegalArgumentException.class, () -> cluster.primaryUrl("infra9"));
        assertThrows(IllegalArgumentException.class, () -> InitialCluster.parse("infra0"));
        assertThrows(IllegalArgumentException.class, () -> InitialCluster.parse(""));
    }
}
