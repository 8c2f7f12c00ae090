package io.cairn.chaos.run;

import io.cairn.chaos.cluster.ServerCommand;
import io.cairn.chaos.fault.FaultKind;
import io.cairn.chaos.net.LabSubnet;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * What one run does.
 *
 * @param members   3 or 5
 * @param faulting  how long faults are injected (the workload runs a little longer on each side)
 * @param dir       where the members' data directories and logs go (kept after a violation)
 * @param subnet    the members' /24; two runs at once need two
 */
public record ChaosOptions(ServerCommand server, int members, Duration faulting, long seed, List<FaultKind> faults,
                           Path dir, LabSubnet subnet) {
    public ChaosOptions {
        faults = List.copyOf(faults);
        if (members < 3 || members % 2 == 0) {
            throw new IllegalArgumentException("members must be odd and at least 3, got " + members);
        }
    }

    /** On the default subnet. */
    public ChaosOptions(final ServerCommand server, final int members, final Duration faulting, final long seed,
                        final List<FaultKind> faults, final Path dir) {
        this(server, members, faulting, seed, faults, dir, LabSubnet.DEFAULT);
    }
}
