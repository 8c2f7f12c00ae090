package io.cairn.chaos.check;

import java.util.List;
import java.util.Objects;

/**
 * Everything one watch delivered, in delivery order.
 *
 * @param startRevision the start_revision it was created with; when the client asked for "from
 *     now" (0), the harness records the created response's header revision + 1 instead, the first
 *     revision etcd owes it
 */
public record WatchLog(long id, String member, KeyRange range, long startRevision, List<WatchEvent> events,
                       WatchEnd end) {
    public WatchLog {
        Objects.requireNonNull(member, "member");
        Objects.requireNonNull(range, "range");
        Objects.requireNonNull(end, "end");
        events = List.copyOf(events);
        if (startRevision < 1) {
            throw new IllegalArgumentException("watch " + id + ": record the first revision owed (>= 1)");
        }
    }

    /** The highest revision this watch delivered, or {@code startRevision - 1} when it delivered nothing. */
    public long lastDeliveredRevision() {
        long last = startRevision - 1;
        for (final WatchEvent event : events) {
            last = Math.max(last, event.modRevision());
        }
        return last;
    }

    @Override
    public String toString() {
        return "watch " + id + " on " + member + " " + range + " from " + startRevision + " (" + events.size()
            + " events, " + end + ")";
    }
}
