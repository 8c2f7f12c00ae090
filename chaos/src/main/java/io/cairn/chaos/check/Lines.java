package io.cairn.chaos.check;

import java.util.Locale;

/** Renders history facts as one line each, times in ms after the run's origin. */
final class Lines {
    private final long originNanos;

    Lines(final long originNanos) {
        this.originNanos = originNanos;
    }

    String span(final Span span) {
        return "[" + millis(span.invokedNanos()) + ", " + (span.answered() ? millis(span.completedNanos()) : "-")
            + "]ms";
    }

    String millis(final long nanos) {
        return String.format(Locale.ROOT, "%.3f", (nanos - originNanos) / 1e6);
    }

    String write(final KvWrite write) {
        final String fate = switch (write.outcome()) {
            case ACKNOWLEDGED -> write.committedAtRevision() ? "acknowledged @" + write.revision()
                : "acknowledged, deleted nothing (no revision)";
            case FAILED -> "failed";
            case INDETERMINATE -> "indeterminate";
        };
        return "write " + write.id() + " to " + write.member() + ": " + write.mutation() + ", " + fate + " "
            + span(write.span());
    }

    String read(final KvRead read) {
        return "read " + read.id() + " from " + read.member() + " (" + read.consistency().name().toLowerCase(Locale.ROOT)
            + "): " + read.key() + " = " + (read.found() ? read.value() + "@" + read.modRevision() : "absent")
            + ", header " + read.headerRevision() + " " + span(read.span());
    }

    String event(final WatchLog watch, final int index) {
        return "watch " + watch.id() + " on " + watch.member() + " (" + watch.range() + " from "
            + watch.startRevision() + ") event #" + index + ": " + watch.events().get(index);
    }

    String lease(final LeaseFacts lease) {
        return lease + (lease.end().ended() ? " at " + millis(lease.end().atNanos()) + "ms" : "");
    }

    String restart(final MemberRestart restart) {
        return (restart.wiped() ? "replacement (data wiped, a new member id) of " : "restart of ") + restart.member()
            + " at " + millis(restart.atNanos()) + "ms";
    }
}
