package io.cairn.raft;

import java.util.List;
import java.util.Objects;

/**
 * One message between nodes. Unused fields are zero, false, an empty list or null. {@code rejectHint} and
 * {@code logTerm} on a rejected APPEND_RESPONSE are the follower's conflict hint: its largest index at or below the
 * probe whose term is at most the leader's prevLogTerm, and that index's term.
 */
public record Message(MessageType type, long from, long to, long term, long logTerm, long index, List<Entry> entries,
                      long commit, boolean reject, long rejectHint, Snapshot snapshot, long context) {
    /** VOTE context marking a campaign started by leadership transfer: voters ignore their leader lease. */
    public static final long CONTEXT_TRANSFER = 1;

    public Message {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(entries, "entries");
        assert term >= 0 && index >= 0 && logTerm >= 0 && commit >= 0 : "negative field in " + type;
        assert type != MessageType.SNAPSHOT || snapshot != null : "SNAPSHOT without snapshot";
    }

    static Builder of(final MessageType type, final long to) {
        return new Builder(type, to);
    }

    public long entriesBytes() {
        long bytes = 0;
        for (final Entry entry : entries) {
            bytes += entry.sizeBytes();
        }
        return bytes;
    }

    @Override
    public String toString() {
        return type + "{" + from + "->" + to + " t" + term + " lt" + logTerm + " i" + index + " n" + entries.size()
            + " c" + commit + (reject ? " reject hint " + rejectHint : "") + (snapshot != null ? " snap "
            + snapshot.index() : "") + (context != 0 ? " ctx " + context : "") + "}";
    }

    /** Raft fills in from and term when it sends; the other fields default to zero. */
    static final class Builder {
        private final MessageType type;
        private final long to;
        private long from;
        private long term;
        private long logTerm;
        private long index;
        private List<Entry> entries = List.of();
        private long commit;
        private boolean reject;
        private long rejectHint;
        private Snapshot snapshot;
        private long context;

        private Builder(final MessageType type, final long to) {
            this.type = type;
            this.to = to;
        }

        Builder from(final long value) {
            from = value;
            return this;
        }

        Builder term(final long value) {
            term = value;
            return this;
        }

        Builder logTerm(final long value) {
            logTerm = value;
            return this;
        }

        Builder index(final long value) {
            index = value;
            return this;
        }

        Builder entries(final List<Entry> value) {
            entries = value;
            return this;
        }

        Builder commit(final long value) {
            commit = value;
            return this;
        }

        Builder reject(final boolean value) {
            reject = value;
            return this;
        }

        Builder rejectHint(final long value) {
            rejectHint = value;
            return this;
        }

        Builder snapshot(final Snapshot value) {
            snapshot = value;
            return this;
        }

        Builder context(final long value) {
            context = value;
            return this;
        }

        MessageType type() {
            return type;
        }

        long termOrZero() {
            return term;
        }

        Message build() {
            return new Message(type, from, to, term, logTerm, index, entries, commit, reject, rejectHint, snapshot,
                context);
        }
    }
}
