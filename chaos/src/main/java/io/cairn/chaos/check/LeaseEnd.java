package io.cairn.chaos.check;

import java.util.Objects;

/**
 * How a lease ended, as far as the client knows.
 *
 * @param atNanos when the revoke was acknowledged, or when expiry was observed (TimeToLive said
 *     gone, or its keys' DELETE events arrived): from then on the lease's keys are gone
 * @param deleteRevision the revision that deleted its keys if the harness saw it (a watch's DELETE
 *     events), else 0
 * @param toldBy the member whose answer ended it (the revoke's, or TimeToLive's "not found"), or ""
 *     if not known: a report then says who claimed the lease was gone
 */
public record LeaseEnd(Kind kind, long atNanos, long deleteRevision, String toldBy) {
    public enum Kind {
        /** Not known to have ended: its keys may still be there. */
        NONE,
        REVOKED,
        EXPIRED
    }

    public static final LeaseEnd NONE = new LeaseEnd(Kind.NONE, 0, 0);

    public LeaseEnd {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(toldBy, "toldBy");
    }

    /** An end whose teller is not recorded. */
    public LeaseEnd(final Kind kind, final long atNanos, final long deleteRevision) {
        this(kind, atNanos, deleteRevision, "");
    }

    public static LeaseEnd revoked(final long acknowledgedNanos) {
        return new LeaseEnd(Kind.REVOKED, acknowledgedNanos, 0);
    }

    public static LeaseEnd expired(final long observedNanos) {
        return new LeaseEnd(Kind.EXPIRED, observedNanos, 0);
    }

    /** The same end, as told by {@code member}. */
    public LeaseEnd toldBy(final String member) {
        return new LeaseEnd(kind, atNanos, deleteRevision, member);
    }

    public boolean ended() {
        return kind != Kind.NONE;
    }

    @Override
    public String toString() {
        return kind == Kind.NONE ? "not ended"
            : kind.name().toLowerCase(java.util.Locale.ROOT) + (toldBy.isEmpty() ? "" : " (told by " + toldBy + ")")
                + (deleteRevision == 0 ? "" : ", keys deleted @" + deleteRevision);
    }
}
