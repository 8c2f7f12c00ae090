package io.cairn.engine.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cairn.engine.cluster.MemberIds;
import io.cairn.transport.PeerUrl;
import java.net.URI;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * --initial-cluster is parsed once, here; the transport is handed the parsed URLs (PeerUrl.of) and
 * the member ids come from the same URLs' text, so the two can no longer read the flag differently.
 */
class InitialClusterTest {
    private static final String FLAG =
        "infra0=http://10.0.1.10:2380,infra1=http://10.0.1.11:2380,infra1=http://[::1]:2381/,infra2=http://node-c.example:2380";

    @Test
    void listsEveryMemberAndItsUrlsInOrder() {
        final InitialCluster cluster = InitialCluster.parse(FLAG);
        assertEquals(List.of("infra0", "infra1", "infra2"), List.copyOf(cluster.peerUrlsByName().keySet()));
        assertEquals(List.of(URI.create("http://10.0.1.11:2380"), URI.create("http://[::1]:2381")),
            cluster.peerUrlsByName().get("infra1"));
    }

    @Test
    void theTransportReachesTheUrlsTheConfigurationParsed() {
        final InitialCluster cluster = InitialCluster.parse(FLAG);
        assertEquals(List.of("10.0.1.11:2380", "[::1]:2381"),
            cluster.peerUrlsByName().get("infra1").stream().map(url -> PeerUrl.of(url).udpEndpoint()).toList());
        assertEquals(new PeerUrl("node-c.example", 2380), PeerUrl.of(cluster.peerUrlsByName().get("infra2").get(0)));
        for (final List<URI> urls : cluster.peerUrlsByName().values()) {
            for (final URI url : urls) {
                assertEquals("http://" + PeerUrl.of(url).udpEndpoint(), url.toString());
            }
        }
    }

    @Test
    void memberIdsComeFromTheParsedUrlsText() {
        final InitialCluster cluster = InitialCluster.parse(FLAG);
        assertEquals(MemberIds.memberId(List.of(URI.create("http://10.0.1.11:2380"), URI.create("http://[::1]:2381")), "t"),
            MemberIds.memberId(cluster.peerUrlsByName().get("infra1"), "t"));
    }

    @Test
    void malformedEntriesAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> InitialCluster.parse("infra0"));
        assertThrows(IllegalArgumentException.class, () -> InitialCluster.parse(""));
        assertThrows(IllegalArgumentException.class, () -> InitialCluster.parse("infra0=http://10.0.1.10"));
        assertThrows(IllegalArgumentException.class, () -> InitialCluster.parse("infra0=http://10.0.1.10:2380/raft"));
        final IllegalArgumentException unix = assertThrows(IllegalArgumentException.class,
            () -> InitialCluster.parse("infra0=unixs://10.0.1.10:2380"));
        assertTrue(unix.getMessage().contains("http or https"), unix.getMessage());
    }

    @Test
    void httpsPeerUrlsAreTaken() {
        assertEquals(List.of(URI.create("https://10.0.1.10:2380")),
            InitialCluster.parse("infra0=https://10.0.1.10:2380").peerUrlsByName().get("infra0"));
    }
}
