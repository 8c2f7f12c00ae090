package io.cairn.posix;

import java.util.List;

/**
 * What {@link FaultyPosix#revertUnsynced(long)} chose, one line per unsynced operation, for a failing
 * trial to print next to its seed.
 *
 * @param seed  the seed the choices came from
 * @param lines e.g. {@code "db: pwritev of 8192 bytes at 40960: torn, 3 of 16 sectors kept"}
 */
public record RevertReport(long seed, List<String> lines) {
    public RevertReport {
        lines = List.copyOf(lines);
    }

    @Override
    public String toString() {
        return "power cut reverted with seed " + seed + " (" + lines.size() + " unsynced operations)"
                + (lines.isEmpty() ? "" : ":\n  " + String.join("\n  ", lines));
    }
}
