package io.cairn.chaos.check;

import java.util.Objects;

/**
 * How a watch's stream stopped. A watch still open when the run ended is {@link Reason#OPEN}.
 *
 * @param revision the compact revision for {@link Reason#COMPACTED}, otherwise 0
 * @param atNanos when the client saw the end, 0 if it never ended
 */
public record WatchEnd(Reason reason, long revision, long atNanos) {
    public enum Reason {
        /** Not ended by the server: still open when the run stopped watching. */
        OPEN,
        /** The server cancelled it (e.g. its member was restarted, or the client asked). */
        CANCELLED,
        /** Its start revision had been compacted away. */
        COMPACTED,
        /** The stream failed (connection lost, member killed). */
        ERROR
    }

    public static final WatchEnd OPEN = new WatchEnd(Reason.OPEN, 0, 0);

    public WatchEnd {
        Objects.requireNonNull(reason, "reason");
    }

    public boolean endedEarly() {
        return reason != Reason.OPEN;
    }

    @Override
    public String toString() {
        return switch (reason) {
            case OPEN -> "open to the end";
            case COMPACTED -> "compacted at " + revision;
            case CANCELLED, ERROR -> reason.name().toLowerCase(java.util.Locale.ROOT);
        };
    }
}
