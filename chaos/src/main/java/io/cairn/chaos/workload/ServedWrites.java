package io.cairn.chaos.workload;

import java.util.ArrayList;
import java.util.List;

/**
 * What the clients wrote and what serializable reads saw, for the checks beyond linearizability:
 * durability (every acknowledged write survives on every member) and serializable reads (never a
 * value no write wrote). Thread-safe; every client adds to it.
 */
public final class ServedWrites {
    /**
     * A write a member acknowledged (revision known) or whose answer was lost (revision 0).
     *
     * @param value null for a delete
     */
    public record Write(int member, String key, String value, long revision, long calledNanos) {
        public boolean acknowledged() {
            return revision > 0;
        }
    }

    /** A serializable Range's answer: the member's local state at {@code headerRevision}. */
    public record SerializableRead(int member, String key, String value, long modRevision, long headerRevision,
                                   long calledNanos, long returnedNanos) {
    }

    private final List<Write> writes = new ArrayList<>();
    private final List<SerializableRead> reads = new ArrayList<>();

    synchronized void acknowledged(final int member, final String key, final String value, final long revision,
                                   final long calledNanos) {
        writes.add(new Write(member, key, value, revision, calledNanos));
    }

    synchronized void indeterminate(final int member, final String key, final String value, final long calledNanos) {
        writes.add(new Write(member, key, value, 0, calledNanos));
    }

    synchronized void serializableRead(final int member, final String key, final String value,
                                       final long modRevision, final long headerRevision, final long calledNanos,
                                       final long returnedNanos) {
        reads.add(new SerializableRead(member, key, value, modRevision, headerRevision, calledNanos, returnedNanos));
    }

    public synchronized List<Write> writes() {
        return List.copyOf(writes);
    }

    public synchronized List<SerializableRead> serializableReads() {
        return List.copyOf(reads);
    }
}
