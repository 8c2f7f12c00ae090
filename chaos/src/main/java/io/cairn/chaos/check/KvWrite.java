package io.cairn.chaos.check;

import java.util.Objects;

/**
 * One write a client sent to {@code member}, with what it learnt of its fate.
 *
 * @param id the harness's id for the operation, to find it in a dump
 * @param revision the cluster revision the write created; {@link #NO_REVISION} when it created
 *     none or none is known (failed, indeterminate, or a delete that found nothing to delete)
 */
public record KvWrite(long id, String member, Mutation mutation, WriteOutcome outcome, long revision, Span span) {
    /** etcd's revisions start at 1, so 0 never names a write. */
    public static final long NO_REVISION = 0;

    public KvWrite {
        Objects.requireNonNull(member, "member");
        Objects.requireNonNull(mutation, "mutation");
        Objects.requireNonNull(outcome, "outcome");
        Objects.requireNonNull(span, "span");
        if (revision < 0 || (revision != NO_REVISION && outcome != WriteOutcome.ACKNOWLEDGED)) {
            throw new IllegalArgumentException("write " + id + ": only an acknowledged write has a revision");
        }
        if (outcome == WriteOutcome.ACKNOWLEDGED && revision == NO_REVISION && mutation.type() == ChangeType.PUT) {
            throw new IllegalArgumentException("write " + id + ": an acknowledged put always creates a revision");
        }
    }

    /** A put (or a Txn's write) answered with {@code revision}, its response header's revision. */
    public static KvWrite acknowledged(final long id, final String member, final Mutation mutation, final long revision,
        final Span span) {
        if (revision <= NO_REVISION) {
            throw new IllegalArgumentException("write " + id + ": an acknowledged write's revision is at least 1");
        }
        return new KvWrite(id, member, mutation, WriteOutcome.ACKNOWLEDGED, revision, span);
    }

    /**
     * An answered DeleteRange of one key. In etcd 3.4 a delete that finds nothing creates no
     * revision (the store's write transaction bumps the revision only when it changed something)
     * and its header then carries the revision of some earlier write, which must not be taken for
     * the delete's own.
     */
    public static KvWrite deleteAcknowledged(final long id, final String member, final String key,
        final long headerRevision, final long deletedCount, final Span span) {
        return deletedCount > 0
            ? acknowledged(id, member, Mutation.delete(key), headerRevision, span)
            : new KvWrite(id, member, Mutation.delete(key), WriteOutcome.ACKNOWLEDGED, NO_REVISION, span);
    }

    /** A write sent at {@code invokedNanos} whose answer never came. */
    public static KvWrite indeterminate(final long id, final String member, final Mutation mutation,
        final long invokedNanos) {
        return new KvWrite(id, member, mutation, WriteOutcome.INDETERMINATE, NO_REVISION, Span.unanswered(invokedNanos));
    }

    public static KvWrite failed(final long id, final String member, final Mutation mutation, final Span span) {
        return new KvWrite(id, member, mutation, WriteOutcome.FAILED, NO_REVISION, span);
    }

    public String key() {
        return mutation.key();
    }

    /** Acknowledged and created a revision: the write every check may hold the cluster to. */
    public boolean committedAtRevision() {
        return revision != NO_REVISION;
    }

    public boolean indeterminate() {
        return outcome == WriteOutcome.INDETERMINATE;
    }
}
