package io.cairn.chaos.net;

import java.util.ArrayList;
import java.util.List;

/**
 * netem on a member's eth0, through {@code tc} inside its namespace. netem shapes what a device sends,
 * so a spec on member {@code i} affects packets leaving {@code i}: towards other members and towards
 * the bridge alike (replies to the harness's clients included).
 */
final class TrafficControl {
    private TrafficControl() {
    }

    /** Installs {@code spec} as eth0's root qdisc, replacing whatever netem was there. */
    static void apply(final String namespace, final String device, final NetemSpec spec) {
        final List<String> argv = new ArrayList<>(List.of("tc", "qdisc", "replace", "dev", device, "root", "netem"));
        argv.addAll(spec.tcArguments());
        Commands.run(Ip.inNamespace(namespace, argv));
    }

    /** Deletes eth0's root qdisc, which puts the device's default back. */
    static void clear(final String namespace, final String device) {
        Commands.run(Ip.inNamespace(namespace, List.of("tc", "qdisc", "del", "dev", device, "root")));
    }
}
