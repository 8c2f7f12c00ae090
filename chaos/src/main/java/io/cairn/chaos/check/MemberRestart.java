package io.cairn.chaos.check;

import java.util.Objects;

/**
 * A member's process was started again at {@code atNanos} (after a kill or a clean stop). Its
 * serializable reads may then start from an older applied state, so the per-member monotonic
 * read check starts afresh there.
 *
 * @param wiped the member was replaced: removed from the cluster, its data directory deleted, added
 *              again as a new member (a new member id) and started empty. Whatever it held before is
 *              gone by design; it starts from nothing and catches up from the others (by snapshot
 *              when their log no longer reaches back). Only what it holds at the end is judged.
 */
public record MemberRestart(String member, long atNanos, boolean wiped) {
    public MemberRestart {
        Objects.requireNonNull(member, "member");
    }

    /** A restart with the member's data in place. */
    public MemberRestart(final String member, final long atNanos) {
        this(member, atNanos, false);
    }
}
