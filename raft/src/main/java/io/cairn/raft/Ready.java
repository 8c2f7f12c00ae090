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
 */
public record Ready(SoftState softState, HardState hardState, Snapshot snapshot, List<Entry> entries,
                    List<Entry> committedEntries, List<Message> messages, List<ReadState> readStates) {
    public boolean isEmpty() {
        return softState == null && hardState == null && snapshot == null && entries.isEmpty()
            && committedEntries.isEmpty() && messages.isEmpty() && readStates.isEmpty();
    }

    /** Whether step (1) must reach stable storage (fsync) before messages are sent. */
    public boolean mustSync() {
        return hardState != null || snapshot != null || !entries.isEmpty();
    }
}
