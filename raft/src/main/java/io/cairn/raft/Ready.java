package io.cairn.raft;

import java.util.List;

/**
 * What the host must do now, in this order: (1) durably write {@code snapshot} (if not null), {@code entries} and
 * {@code hardState} (if not null) to its {@link LogStorage}; (2) send {@code messages}; (3) apply
 * {@code committedEntries} to its state machine (restoring from {@code snapshot} first), calling
 * {@link RaftNode#applyConfChange} for each CONF_CHANGE entry; (4) serve each read in {@code readStates} once applied
 * reaches its index; then (5) call {@link RaftNode#advance(Ready)} with this Ready.
 *
 * <p>Messages may depend on the hard state and entries being durable (a vote, an acknowledgement), which is why
 * (1) comes before (2). A crash anywhere before (5) is safe: the next run repeats from what was persisted.
 *
 * <p>A node refills one Ready object each time (one object less per Ready on the write path, issue #21): read it
 * until {@link RaftNode#advance(Ready)}, not after. Its lists and what they hold are the host's to keep.
 */
public final class Ready {
    private SoftState softState;
    private HardState hardState;
    private Snapshot snapshot;
    private List<Entry> entries;
    private List<Entry> committedEntries;
    private List<Message> messages;
    private List<ReadState> readStates;

    Ready() {
    }

    void fill(final SoftState softState, final HardState hardState, final Snapshot snapshot, final List<Entry> entries,
        final List<Entry> committedEntries, final List<Message> messages, final List<ReadState> readStates) {
        this.softState = softState;
        this.hardState = hardState;
        this.snapshot = snapshot;
        this.entries = entries;
        this.committedEntries = committedEntries;
        this.messages = messages;
        this.readStates = readStates;
    }

    /** Advanced: nothing in it may be read any more, and it keeps nothing of the host's alive. */
    void clear() {
        fill(null, null, null, null, null, null, null);
    }

    /** The role and leader, if either changed; else null. */
    public SoftState softState() {
        return softState;
    }

    /** The term, vote and commit index to persist, if any changed; else null. */
    public HardState hardState() {
        return hardState;
    }

    /** A snapshot to persist and restore from, or null. */
    public Snapshot snapshot() {
        return snapshot;
    }

    public List<Entry> entries() {
        return entries;
    }

    public List<Entry> committedEntries() {
        return committedEntries;
    }

    public List<Message> messages() {
        return messages;
    }

    public List<ReadState> readStates() {
        return readStates;
    }

    public boolean isEmpty() {
        return softState == null && hardState == null && snapshot == null && entries.isEmpty()
            && committedEntries.isEmpty() && messages.isEmpty() && readStates.isEmpty();
    }

    /** Whether step (1) must reach stable storage (fsync) before messages are sent. */
    public boolean mustSync() {
        return hardState != null || snapshot != null || !entries.isEmpty();
    }

    @Override
    public String toString() {
        return "Ready[softState=" + softState + ", hardState=" + hardState + ", snapshot=" + snapshot + ", entries="
            + entries + ", committedEntries=" + committedEntries + ", messages=" + messages + ", readStates="
            + readStates + "]";
    }
}
