package io.cairn.chaos.check;

import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Which write produced an observed change (a watch event, a read's value, a member's final value)
 * at a revision, and whether that is possible: an acknowledged write there decides; otherwise an
 * indeterminate write of the same change may have committed there, but each at most once.
 */
final class Provenance {
    enum Kind {
        /** The acknowledged write at that revision made exactly this change. */
        ACKNOWLEDGED,
        /** An indeterminate write of this change committed there (still within its count). */
        INDETERMINATE,
        /** A delete no client sent, of a key whose value was attached to a lease that ended. */
        LEASE_ENDED,
        /** An acknowledged write to this key at this revision made a different change. */
        DIFFERENT_WRITE,
        /** The revision belongs to an acknowledged request that did not touch this key. */
        OTHER_KEYS_REVISION,
        /** Indeterminate writes of this change exist, but it was seen at more revisions than there are of them. */
        COMMITTED_TOO_OFTEN,
        /** No write, acknowledged or indeterminate, made this change. */
        NO_WRITE
    }

    /** @param writes the writes that explain or contradict the change, for the slice */
    record Found(Kind kind, List<KvWrite> writes) {
        boolean possible() {
            return kind == Kind.ACKNOWLEDGED || kind == Kind.INDETERMINATE || kind == Kind.LEASE_ENDED;
        }
    }

    private final WriteIndex writes;
    /** Per change an indeterminate write may explain, the revisions it was seen at. */
    private final Map<WriteIndex.KeyValue, Set<Long>> indeterminateRevisions = new HashMap<>();

    Provenance(final WriteIndex writes) {
        this.writes = writes;
    }

    /**
     * Where the change of {@code key} by {@code type} (to {@code value}; empty for a delete) seen
     * at {@code revision} came from.
     *
     * @param leaseEnded for a delete, whether the key's value before it was attached to a lease
     *     that ended: then a revision no acknowledged request owns may be the lease's revoke or
     *     expiry, which the caller knows from the key's earlier value and {@link LeaseIndex}
     */
    Found explain(final String key, final ChangeType type, final String value, final long revision,
        final boolean leaseEnded) {
        final KvWrite atRevision = writes.acknowledgedAt(key, revision);
        if (atRevision != null) {
            final boolean same = atRevision.mutation().type() == type
                && (type == ChangeType.DELETE || atRevision.mutation().value().equals(value));
            return new Found(same ? Kind.ACKNOWLEDGED : Kind.DIFFERENT_WRITE, List.of(atRevision));
        }
        final List<KvWrite> sameRevision = writes.acknowledgedAt(revision);
        if (!sameRevision.isEmpty()) {
            return new Found(Kind.OTHER_KEYS_REVISION, sameRevision);
        }
        if (type == ChangeType.DELETE && leaseEnded) {
            return new Found(Kind.LEASE_ENDED, List.of());
        }
        final List<KvWrite> candidates = type == ChangeType.PUT
            ? writes.indeterminatePuts(key, value) : writes.indeterminateDeletes(key);
        if (candidates.isEmpty()) {
            return new Found(Kind.NO_WRITE, type == ChangeType.PUT ? writes.failedPuts(key, value) : List.of());
        }
        // Several observers (watches, reads, members) see one commit at one revision; a second
        // revision for the same change needs a second indeterminate write of it.
        final Set<Long> seenAt = indeterminateRevisions.computeIfAbsent(
            new WriteIndex.KeyValue(key, type == ChangeType.PUT ? value : "\0delete"), change -> new HashSet<>(2));
        seenAt.add(revision);
        return new Found(seenAt.size() <= candidates.size() ? Kind.INDETERMINATE : Kind.COMMITTED_TOO_OFTEN,
            candidates);
    }

    /** Words for a change that cannot have happened, for a violation's statement. */
    static String why(final Found found) {
        return switch (found.kind()) {
            case ACKNOWLEDGED, INDETERMINATE, LEASE_ENDED -> "explained";
            case DIFFERENT_WRITE -> "the acknowledged write at that revision wrote something else";
            case OTHER_KEYS_REVISION -> "that revision belongs to an acknowledged write to other keys";
            case COMMITTED_TOO_OFTEN -> "its indeterminate write(s) were seen committed at more revisions than there are writes";
            case NO_WRITE -> "no write, acknowledged or indeterminate, made that change"
                + (found.writes().isEmpty() ? "" : " (only writes that failed for sure did)");
        };
    }
}
