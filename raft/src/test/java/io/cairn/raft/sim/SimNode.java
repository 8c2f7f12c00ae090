package io.cairn.raft.sim;

import java.util.ArrayList;
import java.util.List;

import io.cairn.raft.ConfState;
import io.cairn.raft.Entry;
import io.cairn.raft.HardState;
import io.cairn.raft.LogStorage;
import io.cairn.raft.MemoryLogStorage;
import io.cairn.raft.RaftConfig;
import io.cairn.raft.RaftNode;
import io.cairn.raft.Randomness;
import io.cairn.raft.ReadState;
import io.cairn.raft.Snapshot;

/**
 * One simulated server: durable storage that survives crashes, and the volatile parts (the Raft node, the state
 * machine, reads waiting to be served) that a crash throws away.
 */
final class SimNode {
    final long id;
    final MemoryLogStorage storage;
    private final RaftConfig config;
    private final int clients;
    RaftNode raft;
    SimStateMachine machine;
    final ArrayList<ReadState> readsAwaitingApply = new ArrayList<>();

    SimNode(final long id, final MemoryLogStorage storage, final RaftConfig config, final int clients) {
        this.id = id;
        this.storage = storage;
        this.config = config;
        this.clients = clients;
    }

    boolean alive() {
        return raft != null;
    }

    void start(final long randomSeed) {
        final Snapshot snapshot = storage.snapshot();
        machine = SimStateMachine.decode(snapshot.data(), clients, snapshot.index());
        raft = new RaftNode(config.withAppliedIndex(snapshot.index()), new OnDemandSnapshots(),
            Randomness.seeded(randomSeed));
    }

    void crash() {
        raft = null;
        machine = null;
        readsAwaitingApply.clear();
    }

    /** Snapshot the state machine as of now and drop log entries before it, keeping keepEntries of them. */
    void compact(final long keepEntries) {
        final long applied = machine.appliedIndex();
        if (applied <= storage.snapshot().index()) {
            return;
        }
        storage.createSnapshot(applied, raft.confState(), machine.encode());
        storage.compact(Math.max(storage.firstIndex() - 1, applied - keepEntries));
    }

    /**
     * The host's storage as Raft sees it. When Raft needs a snapshot (a follower fell behind the log) the host makes
     * one of its current state, as a real server would, so a just-added member gets a membership that includes it.
     */
    private final class OnDemandSnapshots implements LogStorage {
        @Override
        public HardState hardState() {
            return storage.hardState();
        }

        @Override
        public ConfState confState() {
            return storage.confState();
        }

        @Override
        public List<Entry> entries(final long low, final long high, final long maxBytes) {
            return storage.entries(low, high, maxBytes);
        }

        @Override
        public long term(final long index) {
            return storage.term(index);
        }

        @Override
        public long firstIndex() {
            return storage.firstIndex();
        }

        @Override
        public long lastIndex() {
            return storage.lastIndex();
        }

        @Override
        public Snapshot snapshot() {
            if (machine != null && raft != null && machine.appliedIndex() > storage.snapshot().index()) {
                return storage.createSnapshot(machine.appliedIndex(), raft.confState(), machine.encode());
            }
            return storage.snapshot();
        }
    }
}
