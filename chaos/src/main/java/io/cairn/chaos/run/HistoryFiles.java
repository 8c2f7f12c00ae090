package io.cairn.chaos.run;

import io.cairn.chaos.check.RunHistory;
import io.cairn.chaos.linearizability.HistoryFormat;
import io.cairn.chaos.linearizability.Operation;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;

/**
 * A failed run's whole record, one fact a line, beside the members' logs and data, so a violation's
 * slice can be read in its context: {@code history/} with the KV operations (as the linearizability
 * checker saw them), writes, reads, leases, watch streams and the fault timeline.
 */
final class HistoryFiles {
    private HistoryFiles() {
    }

    static Path write(final Path runDir, final RunHistory history, final List<Operation> operations,
                      final List<String> timeline) {
        final Path dir = runDir.resolve("history");
        try {
            Files.createDirectories(dir);
            Files.writeString(dir.resolve("operations.txt"), HistoryFormat.format(operations));
            Files.write(dir.resolve("writes.txt"), lines(history.writes()));
            Files.write(dir.resolve("reads.txt"), lines(history.reads()));
            Files.write(dir.resolve("leases.txt"), history.leases().stream()
                .map(l -> Long.toHexString(l.leaseId()) + " " + l.keys() + " " + l.end() + " at " + l.end().atNanos())
                .collect(Collectors.toList()));
            Files.write(dir.resolve("watches.txt"), history.watches().stream()
                .flatMap(w -> java.util.stream.Stream.concat(
                    java.util.stream.Stream.of("watch " + w.id() + " on " + w.member() + " from " + w.startRevision()
                        + ", " + w.end()),
                    w.events().stream().map(e -> "  " + e)))
                .collect(Collectors.toList()));
            Files.write(dir.resolve("timeline.txt"), timeline);
            Files.write(dir.resolve("final-states.txt"), lines(history.finalStates()));
            return dir;
        } catch (final IOException e) {
            throw new UncheckedIOException("cannot keep the history in " + dir, e);
        }
    }

    private static List<String> lines(final List<?> facts) {
        return facts.stream().map(String::valueOf).collect(Collectors.toList());
    }
}
