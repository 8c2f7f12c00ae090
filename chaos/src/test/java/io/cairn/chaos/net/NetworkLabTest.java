package io.cairn.chaos.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** A lab of three real namespaces; each test builds its own and removes it. Needs root. */
class NetworkLabTest {
    /** One prefix for every test here, so each lab's creation also removes a crashed test's leftovers. */
    static final String PREFIX = "cnt";

    @BeforeEach
    void needsRoot() {
        RootTools.assumeRootWithTools();
    }

    @Test
    void membersReachEachOtherAndTheRootNamespaceReachesEveryMember() throws Exception {
        try (NetworkLab lab = NetworkLab.create(PREFIX, 3)) {
            assertEquals("10.231.0.11", lab.address(1));
            assertEquals("10.231.0.13", lab.address(3));
            assertEquals("10.231.0.1", lab.bridgeAddress());
            final String eth0 = Commands.run(lab.command(2, "ip", "-4", "-o", "addr", "show", "dev", "eth0")).stdout();
            assertTrue(eth0.contains(" 10.231.0.12/24 "), eth0);

            assertEquals(Reachability.allPaths(lab), Reachability.reachable(lab));
        }
    }

    @Test
    void aPartitionCutsMembersInDifferentGroupsButNotTheRootNamespaceAndHealRestoresAll() throws Exception {
        try (NetworkLab lab = NetworkLab.create(PREFIX, 3)) {
            lab.partition(List.of(Set.of(1), Set.of(2, 3)));
            assertTrue(lab.describe().contains("links partition {1} | {2,3}"), lab.describe());
            assertEquals(Reachability.allBut(lab, "1->2", "2->1", "1->3", "3->1"), Reachability.reachable(lab));

            lab.heal();
            assertTrue(lab.describe().contains("links none"), lab.describe());
            assertEquals(Reachability.allPaths(lab), Reachability.reachable(lab));
        }
    }

    @Test
    void membersNotInAnyGroupAreGroupsOfTheirOwnAndIsolateCutsOneMemberOff() throws Exception {
        try (NetworkLab lab = NetworkLab.create(PREFIX, 3)) {
            lab.partition(List.of(Set.of(1, 2)));
            assertEquals(Reachability.allBut(lab, "1->3", "3->1", "2->3", "3->2"), Reachability.reachable(lab));
            lab.heal();

            lab.isolate(2);
            assertEquals(Reachability.allBut(lab, "1->2", "2->1", "3->2", "2->3"), Reachability.reachable(lab));
            lab.heal();
            assertEquals(Reachability.allPaths(lab), Reachability.reachable(lab));
        }
    }

    /**
     * With 1->2 cut, a ping either way fails: 1's requests die at 2, and 2's requests reach 1 but 1's
     * replies die at 2. What shows the direction is who answered: counters on each member's outgoing
     * echo replies show that 1 answered 2's requests (so 2->1 packets arrive) and 2 never saw one of 1's.
     */
    @Test
    void aOneWayCutDropsPacketsFromOneMemberToAnotherButNotTheReverse() throws Exception {
        try (NetworkLab lab = NetworkLab.create(PREFIX, 3)) {
            countEchoRepliesTo(lab, 1, lab.address(2));
            countEchoRepliesTo(lab, 2, lab.address(1));

            lab.oneWay(1, 2);
            assertTrue(lab.describe().contains("links one-way 1->2"), lab.describe());
            assertEquals(Reachability.allBut(lab, "1->2", "2->1"), Reachability.reachable(lab));
            assertTrue(echoRepliesCounted(lab, 1) > 0, "2's requests should have reached 1, and 1 answered them");
            assertEquals(0, echoRepliesCounted(lab, 2), "1's requests should never have reached 2");

            lab.heal();
            assertEquals(Reachability.allPaths(lab), Reachability.reachable(lab));
            assertTrue(echoRepliesCounted(lab, 2) > 0, "after heal, 1's requests reach 2 and 2 answers");
        }
    }

    /** Loss without netem: all of the other members' packets dropped at member 1, the harness's still pass. */
    @Test
    void randomLossOfAllPacketsCutsAMemberOffFromTheOthersAndHealEndsIt() throws Exception {
        try (NetworkLab lab = NetworkLab.create(PREFIX, 3)) {
            lab.randomLoss(1, 100);
            assertEquals(Reachability.allBut(lab, "1->2", "2->1", "1->3", "3->1"), Reachability.reachable(lab));
            lab.heal();
            assertEquals(Reachability.allPaths(lab), Reachability.reachable(lab));
        }
    }

    @Test
    void netemLossOfAllPacketsCutsAMemberOffAndClearingItRestoresIt() throws Exception {
        try (NetworkLab lab = NetworkLab.create(PREFIX, 3)) {
            netemOrSkip(lab, 1, NetemSpec.loss(100));
            assertTrue(qdisc(lab, 1).contains("netem"), qdisc(lab, 1));
            assertTrue(qdisc(lab, 1).contains("loss 100%"), qdisc(lab, 1));
            assertTrue(lab.describe().contains("netem m1 loss 100%"), lab.describe());
            // netem shapes what member 1 sends: its requests and its replies alike.
            assertEquals(Reachability.allBut(lab, "1->2", "2->1", "1->3", "3->1", "1->root", "root->1"),
                Reachability.reachable(lab));

            lab.clearNetem(1);
            assertFalse(qdisc(lab, 1).contains("netem"), qdisc(lab, 1));
            assertEquals(Reachability.allPaths(lab), Reachability.reachable(lab));
        }
    }

    @Test
    void netemDelayJitterAndReorderReachTheQdisc() {
        try (NetworkLab lab = NetworkLab.create(PREFIX, 3)) {
            netemOrSkip(lab, 2, new NetemSpec(0, 200, 20, 0));
            final String delayed = qdisc(lab, 2);
            assertTrue(delayed.matches("(?s).*netem.*delay 200ms\\s+20ms.*"), delayed);

            netemOrSkip(lab, 3, new NetemSpec(5, 50, 0, 25));
            final String reordered = qdisc(lab, 3);
            assertTrue(reordered.matches("(?s).*delay 50ms.*loss 5%.*reorder 25%.*"), reordered);
            assertTrue(lab.describe().contains("netem m2 delay 200ms 20ms, m3 delay 50ms loss 5% reorder 25%"),
                lab.describe());
        }
    }

    private static void netemOrSkip(final NetworkLab lab, final int member, final NetemSpec spec) {
        try {
            lab.netem(member, spec);
        } catch (final CommandFailedException e) {
            // tc parses the options itself; only the kernel says it has no netem (CONFIG_NET_SCH_NETEM).
            assumeFalse(e.stderr().contains("Specified qdisc kind is unknown"), "this kernel has no netem: " + e.getMessage());
            throw e;
        }
    }

    private static String qdisc(final NetworkLab lab, final int member) {
        return Commands.run(lab.command(member, "tc", "qdisc", "show", "dev", "eth0")).stdout();
    }

    /** A table of the test's own: it counts echo replies member {@code member} sends to {@code peer}. */
    private static void countEchoRepliesTo(final NetworkLab lab, final int member, final String peer) {
        Commands.run(lab.command(member, "nft", "-f", "-"), "table inet cairn_probe {\n"
            + "  counter replies {}\n"
            + "  chain output {\n"
            + "    type filter hook output priority filter; policy accept;\n"
            + "    ip daddr " + peer + " icmp type echo-reply counter name replies\n"
            + "  }\n"
            + "}\n");
    }

    private static long echoRepliesCounted(final NetworkLab lab, final int member) {
        final String counter = Commands.run(lab.command(member, "nft", "list", "counter", "inet", "cairn_probe", "replies"))
            .stdout();
        final Matcher packets = Pattern.compile("packets (\\d+)").matcher(counter);
        assertTrue(packets.find(), counter);
        return Long.parseLong(packets.group(1));
    }
}
