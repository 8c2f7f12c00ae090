package io.cairn.bench.load;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.ManagedChannel;
import java.util.List;
import org.junit.jupiter.api.Test;

class EndpointGroupTest {
    private static final String CLUSTER = "http://127.0.0.1:2379+http://127.0.0.1:22379+127.0.0.1:32379";

    @Test
    void aLoneEndpointStaysAsGiven() {
        final EndpointGroup lone = EndpointGroup.parse("http://127.0.0.1:2379");
        assertFalse(lone.isCluster());
        assertEquals(List.of("http://127.0.0.1:2379"), lone.members());
        assertEquals("http://127.0.0.1:2379", lone.label());
        assertEquals("http://127.0.0.1:2379", lone.memberOf(5));
    }

    @Test
    void membersJoinedByPlusMakeACluster() {
        final EndpointGroup cluster = EndpointGroup.parse(CLUSTER);
        assertTrue(cluster.isCluster());
        assertEquals(List.of("http://127.0.0.1:2379", "http://127.0.0.1:22379", "127.0.0.1:32379"), cluster.members());
        assertEquals("3 members @2379", cluster.label());
        assertEquals("3 members @2379: http://127.0.0.1:2379 http://127.0.0.1:22379 127.0.0.1:32379",
            cluster.describe());
    }

    @Test
    void malformedEntriesAreUsageErrors() {
        assertThrows(IllegalArgumentException.class, () -> EndpointGroup.parse("http://127.0.0.1:2379+"));
        assertThrows(IllegalArgumentException.class, () -> EndpointGroup.parse("+http://127.0.0.1:2379"));
        assertThrows(IllegalArgumentException.class, () -> EndpointGroup.parse("http://127.0.0.1:2379+127.0.0.1"));
    }

    @Test
    void connectionsGoToTheMembersRoundRobin() {
        final EndpointGroup cluster = EndpointGroup.parse(CLUSTER);
        // Channels connect lazily: their authorities show where each would go without a server.
        try (Connections connections = Connections.open(cluster, 7)) {
            assertEquals(List.of("127.0.0.1:2379", "127.0.0.1:22379", "127.0.0.1:32379", "127.0.0.1:2379",
                "127.0.0.1:22379", "127.0.0.1:32379", "127.0.0.1:2379"),
                connections.channels().stream().map(ManagedChannel::authority).toList());
        }
        try (Connections connections = Connections.openOnOwnEventLoops(cluster, 2)) {
            assertEquals(List.of("127.0.0.1:2379", "127.0.0.1:22379"),
                connections.channels().stream().map(ManagedChannel::authority).toList());
        }
        try (Connections connections = Connections.open("127.0.0.1:2379", 3)) {
            assertEquals(List.of("127.0.0.1:2379", "127.0.0.1:2379", "127.0.0.1:2379"),
                connections.channels().stream().map(ManagedChannel::authority).toList());
        }
    }

    @Test
    void aClustersServerCpuIsTheSumOverItsProcesses() {
        final long pid = ProcessHandle.current().pid();
        final long one = ProcessCpu.ofPids(Long.toString(pid)).nanos();
        final long three = ProcessCpu.ofPids(pid + "+" + pid + "+" + pid).nanos();
        assertTrue(one > 0 && three >= 3 * one, one + " " + three);
        assertEquals(-1, ProcessCpu.sum(List.of(ProcessCpu.self(), ProcessCpu.UNKNOWN)).nanos());
        assertThrows(IllegalArgumentException.class, () -> ProcessCpu.ofPids(pid + "+x"));
    }
}
