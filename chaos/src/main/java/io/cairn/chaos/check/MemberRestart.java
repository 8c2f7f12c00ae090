package io.cairn.chaos.check;

import java.util.Objects;

/**
 * A member's process was started again at {@code atNanos} (after a kill or a clean stop). Its
 * serializable reads may then start from an older applied state, so the per-member monotonic
 * read check starts afresh there.
 */
public record MemberRestart(String member, long atNanos) {
    public MemberRestart {
        Objects.requireNonNull(member, "member");
    }
}
