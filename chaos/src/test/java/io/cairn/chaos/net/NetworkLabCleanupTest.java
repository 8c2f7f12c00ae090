package io.cairn.chaos.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** A lab leaves no namespace, bridge or veth behind, however it ends. Needs root. */
class NetworkLabCleanupTest {
    private static final String PREFIX = NetworkLabTest.PREFIX;

    @BeforeEach
    void needsRoot() {
        RootTools.assumeRootWithTools();
    }

    @Test
    void closeRemovesEveryNamespaceBridgeAndVethAndCanBeCalledAgain() {
        final NetworkLab lab = NetworkLab.create(PREFIX, 3);
        assertEquals(List.of("cnt-m1", "cnt-m2", "cnt-m3"), namespacesWithPrefix(PREFIX));
        assertEquals(List.of("cnt-br", "cnt-v1", "cnt-v2", "cnt-v3"), linksWithPrefix(PREFIX));

        lab.close();
        assertNothingLeft(PREFIX);
        lab.close();
        assertNothingLeft(PREFIX);
        assertThrows(IllegalStateException.class, lab::heal);
        assertTrue(lab.describe().endsWith("closed"), lab.describe());
    }

    @Test
    void aTestThatFailsMidwayLeavesNothingBehind() {
        final IllegalStateException failure = assertThrows(IllegalStateException.class, () -> {
            try (NetworkLab lab = NetworkLab.create(PREFIX, 3)) {
                lab.partition(List.of(Set.of(1), Set.of(2, 3)));
                throw new IllegalStateException("failed midway");
            }
        });
        assertEquals("failed midway", failure.getMessage());
        assertNothingLeft(PREFIX);
    }

    @Test
    void createRemovesWhatAnEarlierRunWithTheSamePrefixLeft() {
        // What a killed run with more members would leave: a namespace, its veth and the bridge.
        Commands.run(List.of("ip", "netns", "add", PREFIX + "-m7"));
        Commands.run(List.of("ip", "link", "add", PREFIX + "-v7", "type", "veth", "peer", "name", "eth0", "netns",
            PREFIX + "-m7"));
        Commands.run(List.of("ip", "link", "add", "name", PREFIX + "-br", "type", "bridge"));

        try (NetworkLab lab = NetworkLab.create(PREFIX, 2)) {
            assertEquals(List.of("cnt-m1", "cnt-m2"), namespacesWithPrefix(PREFIX));
            assertEquals(List.of("cnt-br", "cnt-v1", "cnt-v2"), linksWithPrefix(PREFIX));
            assertEquals("10.231.0.12", lab.address(2));
        }
        assertNothingLeft(PREFIX);
    }

    @Test
    void aSecondLabOnTheSameSubnetIsRefusedAndLeavesNothing() {
        try (NetworkLab first = NetworkLab.create(PREFIX, 1)) {
            final IllegalStateException refused = assertThrows(IllegalStateException.class,
                () -> NetworkLab.create("cnu", 1).close());
            assertTrue(refused.getMessage().contains("10.231.0.0/24 is already in use"), refused.getMessage());
            assertNothingLeft("cnu");
            assertEquals(List.of("cnt-m1"), namespacesWithPrefix(PREFIX), first.describe());
        }
        assertNothingLeft(PREFIX);
    }

    private static void assertNothingLeft(final String prefix) {
        assertEquals(List.of(), namespacesWithPrefix(prefix), "namespaces left by " + prefix);
        assertEquals(List.of(), linksWithPrefix(prefix), "links left by " + prefix);
    }

    /** Read straight from {@code ip netns list}, not through the lab's own parsing. */
    private static List<String> namespacesWithPrefix(final String prefix) {
        return Commands.run(List.of("ip", "netns", "list")).stdout().lines()
            .map(line -> line.split(" ")[0])
            .filter(name -> name.startsWith(prefix + "-"))
            .sorted()
            .toList();
    }

    /** Read straight from {@code ip -o link}. */
    private static List<String> linksWithPrefix(final String prefix) {
        return Commands.run(List.of("ip", "-o", "link", "show")).stdout().lines()
            .map(line -> line.split(": ")[1].split("@")[0])
            .filter(name -> name.startsWith(prefix + "-"))
            .sorted()
            .toList();
    }
}
