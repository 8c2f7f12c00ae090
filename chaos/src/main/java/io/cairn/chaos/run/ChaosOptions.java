package io.cairn.chaos.run;

import io.cairn.chaos.cluster.ServerCommand;
import io.cairn.chaos.fault.FaultKind;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * What one run does.
 *
 * @param members   3 or 5
 * @param faulting  how long faults are injected (the workload runs a little longer on each side)
 * @param dir       where the members' data directories and logs go (kept after a violation)
 */
public record ChaosOptions(ServerCommand server, int members, Duration faulting, long seed, List<FaultKind> faults,
                           Path dir) {
    public ChaosOptions {
        faults = List.copyOf(faults);
        if (members < 3 || members % 2 == 0) {
            throw new IllegalArgumentException("members must be odd and at least 3, got " + members);
        }
    }
}
