package io.cairn.chaos.net;

import java.util.Collection;
import java.util.List;
import java.util.stream.Collectors;

/**
 * Link faults as nftables rules in a member's own namespace, in a table of ours so nothing else's
 * rules are touched. Packets are dropped where they arrive (the input hook), matched by the sending
 * member's address: the bridge address, which the harness's clients use, is never matched, and a cut
 * in both directions is one rule on each side. Each change is one {@code nft -f} script, which nftables
 * applies atomically, so a member never runs with half of a new rule set.
 */
final class NftFirewall {
    static final String TABLE = "cairn_chaos";
    static final String CHAIN = "input";
    static final String LOSS_CHAIN = "loss";

    private NftFirewall() {
    }

    /** Creates the empty table and its input chain (accept by default) in {@code namespace}. */
    static void install(final String namespace) {
        nft(namespace, "table inet " + TABLE + " {\n"
            + "  chain " + CHAIN + " {\n"
            + "    type filter hook input priority filter; policy accept;\n"
            + "  }\n"
            + "}\n");
    }

    /** Replaces the namespace's drop rule: packets from {@code sourceAddresses} are dropped, others pass. */
    static void dropFrom(final String namespace, final Collection<String> sourceAddresses) {
        final StringBuilder script = new StringBuilder("flush chain inet " + TABLE + " " + CHAIN + "\n");
        if (!sourceAddresses.isEmpty()) {
            // The counter costs nothing and lets "nft list table" show that the rule is hit.
            script.append("add rule inet ").append(TABLE).append(' ').append(CHAIN)
                .append(" ip saddr { ").append(sourceAddresses.stream().collect(Collectors.joining(", ")))
                .append(" } counter drop\n");
        }
        nft(namespace, script.toString());
    }

    /**
     * Drops {@code percent} of the packets from {@code sourceAddresses} at random, in a chain of its own
     * (so a partition's rule set does not replace it): packet loss where the kernel has no netem.
     */
    static void randomLoss(final String namespace, final Collection<String> sourceAddresses, final int percent) {
        nft(namespace, "table inet " + TABLE + " {\n"
            + "  chain " + LOSS_CHAIN + " {\n"
            + "    type filter hook input priority filter + 1; policy accept;\n"
            + "  }\n"
            + "}\n"
            + "flush chain inet " + TABLE + " " + LOSS_CHAIN + "\n"
            + "add rule inet " + TABLE + " " + LOSS_CHAIN + " ip saddr { "
            + sourceAddresses.stream().collect(Collectors.joining(", ")) + " } numgen random mod 100 <= " + (percent - 1)
            + " counter drop\n"); // the value must fit the range 0-99, so "< 100" is written "<= 99"
    }

    /** Removes every rule in our table; the chain stays, empty, ready for the next fault. */
    static void flush(final String namespace) {
        Commands.run(Ip.inNamespace(namespace, List.of("nft", "flush", "table", "inet", TABLE)));
    }

    private static void nft(final String namespace, final String script) {
        Commands.run(Ip.inNamespace(namespace, List.of("nft", "-f", "-")), script);
    }
}
