package io.cairn.bench.raft;

import java.util.ArrayDeque;
import java.util.List;

import io.cairn.raft.ConfState;
import io.cairn.raft.Entry;
import io.cairn.raft.MemoryLogStorage;
import io.cairn.raft.Message;
import io.cairn.raft.RaftConfig;
import io.cairn.raft.RaftNode;
import io.cairn.raft.RaftRole;
import io.cairn.raft.Randomness;
import io.cairn.raft.Ready;

/**
 * Three Raft nodes in one thread with an instant network and no disk: "persisting" is appending to in-memory
 * storage, "sending" is queueing for the peer's next step, "applying" is counting. What remains is Raft's own cost.
 */
final class InProcessCluster {
    private static final int NODES = 3;
    /** Compact a node's in-memory log once it holds this many entries, keeping the newest few. */
    private static final long COMPACT_AFTER_ENTRIES = 200_000;
    private static final long KEEP_AFTER_COMPACTION = 1_000;
    private static final int MAX_ROUNDS_PER_COMMIT = 100_000;

    private final RaftNode[] nodes = new RaftNode[NODES + 1];
    private final MemoryLogStorage[] storages = new MemoryLogStorage[NODES + 1];
    private final ArrayDeque<Message> inFlight = new ArrayDeque<>();
    private long appliedAtLeader;

    InProcessCluster() {
        final ConfState members = ConfState.ofVoters(1L, 2L, 3L);
        for (int id = 1; id <= NODES; id++) {
            storages[id] = MemoryLogStorage.bootstrap(1, 1, members);
            nodes[id] = new RaftNode(RaftConfig.defaults(id).withAppliedIndex(1), storages[id],
                Randomness.seeded(id));
        }
        nodes[1].campaign();
        runUntil(() -> nodes[1].role() == RaftRole.LEADER && nodes[1].commitIndex() == nodes[1].lastIndex());
        appliedAtLeader = nodes[1].appliedIndex();
    }

    /** Propose the batch at the leader and run the cluster until the leader has applied all of it. */
    void proposeAndCommit(final List<byte[]> batch) {
        nodes[1].proposeBatch(batch);
        final long target = nodes[1].lastIndex();
        runUntil(() -> appliedAtLeader >= target);
    }

    /**
     * Guard against measuring a broken cluster: every follower must reach the leader's commit index with the same
     * entry there, and have applied it.
     */
    void checkReplicated() {
        final long commit = nodes[1].commitIndex();
        runUntil(() -> nodes[2].appliedIndex() >= commit && nodes[3].appliedIndex() >= commit);
        for (int id = 2; id <= NODES; id++) {
            if (nodes[id].termAt(commit) != nodes[1].termAt(commit) || nodes[id].leader() != 1) {
                throw new IllegalStateException("node " + id + " diverged from the leader at " + commit);
            }
        }
    }

    private void runUntil(final java.util.function.BooleanSupplier done) {
        for (int round = 0; round < MAX_ROUNDS_PER_COMMIT; round++) {
            if (done.getAsBoolean()) {
                return;
            }
            for (int id = 1; id <= NODES; id++) {
                if (nodes[id].hasReady()) {
                    handleReady(id);
                }
            }
            for (int n = inFlight.size(); n > 0; n--) {
                final Message m = inFlight.pollFirst();
                nodes[(int) m.to()].step(m);
            }
        }
        throw new IllegalStateException("cluster made no progress in " + MAX_ROUNDS_PER_COMMIT + " rounds");
    }

    private void handleReady(final int id) {
        final RaftNode node = nodes[id];
        final MemoryLogStorage storage = storages[id];
        final Ready ready = node.ready();
        storage.append(ready.entries());
        if (ready.hasHardState()) {
            storage.setHardState(ready.hardStateTerm(), ready.hardStateVote(), ready.hardStateCommit());
        }
        inFlight.addAll(ready.messages());
        final List<Entry> committed = ready.committedEntries();
        if (!committed.isEmpty() && id == 1) {
            appliedAtLeader = committed.getLast().index();
        }
        node.advance(ready);
        final long applied = node.appliedIndex();
        if (applied - storage.firstIndex() > COMPACT_AFTER_ENTRIES) {
            storage.createSnapshot(applied, node.confState(), new byte[0]);
            storage.compact(applied - KEEP_AFTER_COMPACTION);
        }
    }
}
