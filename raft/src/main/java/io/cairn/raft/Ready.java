package io.cairn.raft;

import java.util.List;

/**
 * What the host must do now, in this order: (1) durably write {@code snapshot} (if not null), {@code entries} and
 * the hard state (if {@link #hasHardState()}) to its {@link LogStorage}; (2) send {@code messages}; (3) apply
 * {@code committedEntries} to its state machine (restoring from {@code snapshot} first), calling
 * {@link RaftNode#applyConfChange} for each CONF_CHANGE entry; (4) serve each read in {@code readStates} once applied
 * reaches its index; then (5) call {@link RaftNode#advance(Ready)} with this Ready.
 *
 * <p>Messages may depend on the hard state and entries being durable (a vote, an acknowledgement), which is why
 * (1) comes before (2). A crash anywhere before (5) is safe: the next run repeats from what was persisted.
 *
 * <p>A node refills one Ready object each time, puts a few entries into the same two lists each time (more go into
 * new lists), and hands the hard state over as three numbers (no object per Ready on the write path, issue #21). So
 * read a Ready, and its {@link #entries()} and {@link #committedEntries()} lists, until {@link RaftNode#advance(Ready)},
 * not after: copy a list the host keeps longer (the entries in it are immutable and may be kept). Its messages and
 * read states are the host's to keep.
 */
public final class Ready {
    private SoftState softState;
    private boolean hasHardState;
    private long hardStateTerm;
    private long hardStateVote;
    private long hardStateCommit;
    private Snapshot snapshot;
    private List<Entry> entries;
    private List<Entry> committedEntries;
    private List<Message> messages;
    private List<ReadState> readStates;

    Ready() {
    }

    void fill(final SoftState softState, final Snapshot snapshot, final List<Entry> entries,
        final List<Entry> committedEntries, final List<Message> messages, final List<ReadState> readStates) {
        this.softState = softState;
        this.hasHardState = false;
        this.snapshot = snapshot;
        this.entries = entries;
        this.committedEntries = committedEntries;
        this.messages = messages;
        this.readStates = readStates;
    }

    /** Filled: a hard state to persist. */
    void hardState(final long term, final long vote, final long commit) {
        this.hasHardState = true;
        this.hardStateTerm = term;
        this.hardStateVote = vote;
        this.hardStateCommit = commit;
    }

    /** Advanced: nothing in it may be read any more, and it keeps nothing of the host's alive. */
    void clear() {
        fill(null, null, null, null, null, null);
    }

    /** The role and leader, if either changed; else null. */
    public SoftState softState() {
        return softState;
    }

    /** Whether the term, vote or commit index changed: {@link #hardStateTerm()} and the next two are then to persist. */
    public boolean hasHardState() {
        return hasHardState;
    }

    /** The term to persist; meaningful only when {@link #hasHardState()}. */
    public long hardStateTerm() {
        return hardStateTerm;
    }

    /** The vote to persist (0: none); meaningful only when {@link #hasHardState()}. */
    public long hardStateVote() {
        return hardStateVote;
    }

    /** The commit index to persist; meaningful only when {@link #hasHardState()}. */
    public long hardStateCommit() {
        return hardStateCommit;
    }

    /**
     * The hard state to persist as a new object, or null when it did not change. For tests and rare paths: a host on
     * the write path reads {@link #hasHardState()} and the three numbers instead.
     */
    public HardState hardState() {
        return hasHardState ? new HardState(hardStateTerm, hardStateVote, hardStateCommit) : null;
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
        return softState == null && !hasHardState && snapshot == null && entries.isEmpty()
            && committedEntries.isEmpty() && messages.isEmpty() && readStates.isEmpty();
    }

    /** Whether step (1) must reach stable storage (fsync) before messages are sent. */
    public boolean mustSync() {
        return hasHardState || snapshot != null || !entries.isEmpty();
    }

    @Override
    public String toString() {
        return "Ready[softState=" + softState + ", hardState=" + hardState() + ", snapshot=" + snapshot + ", entries="
            + entries + ", committedEntries=" + committedEntries + ", messages=" + messages + ", readStates="
            + readStates + "]";
    }
}
