package io.cairn.engine.config;

import java.time.Duration;

/**
 * etcd's auto compaction settings. Periodic mode keeps {@code retention} worth of history
 * (a plain number means hours); revision mode keeps the last {@code revisions} revisions.
 * A zero retention disables auto compaction, as in etcd.
 */
public record AutoCompaction(Mode mode, Duration retention, long revisions) {
    public enum Mode { PERIODIC, REVISION }

    public boolean enabled() {
        return mode == Mode.PERIODIC ? !retention.isZero() : revisions != 0;
    }

    static AutoCompaction parse(final String modeText, final String retentionText) {
        final Mode mode = switch (modeText) {
            case "periodic" -> Mode.PERIODIC;
            case "revision" -> Mode.REVISION;
            default -> throw new IllegalArgumentException("unknown auto-compaction-mode \"" + modeText + "\"");
        };
        final long number = parseNonNegativeOrMinusOne(retentionText);
        if (mode == Mode.REVISION) {
            if (number < 0) {
                throw new IllegalArgumentException(
                    "--auto-compaction-retention must be a number of revisions in revision mode, got \""
                        + retentionText + "\"");
            }
            return new AutoCompaction(mode, Duration.ZERO, number);
        }
        final Duration retention;
        try {
            retention = number >= 0 ? Duration.ofHours(number) : GoDuration.parse(retentionText);
        } catch (final IllegalArgumentException e) {
            throw new IllegalArgumentException("error parsing --auto-compaction-retention: " + e.getMessage(), e);
        }
        if (retention.isNegative()) {
            throw new IllegalArgumentException("--auto-compaction-retention must not be negative: \""
                + retentionText + "\"");
        }
        return new AutoCompaction(mode, retention, 0);
    }

    private static long parseNonNegativeOrMinusOne(final String text) {
        try {
            final long value = Long.parseLong(text);
            return value >= 0 ? value : -1;
        } catch (final NumberFormatException e) {
            return -1;
        }
    }
}
