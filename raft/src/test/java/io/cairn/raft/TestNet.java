package io.cairn.raft;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Predicate;

/**
 * A hand-driven cluster for unit tests: each node has durable in-memory storage and a host loop that persists,
 * applies and collects messages; messages wait in {@link #pending} until a test delivers (or drops) them.
 */
final class TestNet {
    static final int MAX_ROUNDS = 1000;

    final TreeMap<Long, RaftNode> nodes = new TreeMap<>();
    final TreeMap<Long, MemoryLogStorage> storages = new TreeMap<>();
    final TreeMap<Long, List<Entry>> applied = new TreeMap<>();
    final TreeMap<Long, List<ReadState>> reads = new TreeMap<>();
    final List<Message> pending = new ArrayList<>();
    /** Messages matching this are dropped on delivery (partitions). */
    Predicate<Message> blocked = m -> false;

    static TestNet of(final int voters) {
        return of(voters, id -> RaftConfig.defaults(id).withElection(false, false));
    }

    static TestNet of(final int voters, final java.util.function.LongFunction<RaftConfig> config) {
        final TestNet net = new TestNet();
        final Long[] ids = new Long[voters];
        for (int i = 0; i < voters; i++) {
            ids[i] = (long) (i + 1);
        }
        for (final long id : ids) {
            net.add(id, config.apply(id), MemoryLogStorage.bootstrap(1, 1, ConfState.ofVoters(ids)));
        }
        return net;
    }

    void add(final long id, final RaftConfig config, final MemoryLogStorage storage) {
        storages.put(id, storage);
        nodes.put(id, new RaftNode(config.withAppliedIndex(storage.snapshot().index()), storage,
            Randomness.seeded(id)));
        applied.put(id, new ArrayList<>());
        reads.put(id, new ArrayList<>());
    }

    /** Rebuild a node from its storage (a restart), e.g. after a test wrote a history into it. */
    void restart(final long id, final RaftConfig config) {
        final MemoryLogStorage storage = storages.get(id);
        nodes.put(id, new RaftNode(config.withAppliedIndex(storage.snapshot().index()), storage,
            Randomness.seeded(id)));
    }

    /** Make every node remember term as current (so a test's history of that term is not reused by a new leader). */
    void setTermEverywhere(final long term, final RaftConfig config) {
        for (final long id : storages.keySet()) {
            final MemoryLogStorage storage = storages.get(id);
            storage.setHardState(new HardState(term, 0, storage.hardState().commit()));
            restart(id, new RaftConfig(id, config.electionTicks(), config.heartbeatTicks(), 0,
                config.maxMessageBytes(), config.maxInflightMessages(), config.maxInflightBytes(),
                config.maxUncommittedBytes(), config.maxCommittedBytesPerReady(), config.maxPendingReads(),
                config.preVote(), config.checkQuorum(), config.readOnlyOption(), config.forwardProposals()));
        }
    }

    RaftNode node(final long id) {
        return nodes.get(id);
    }

    /** Run every node's Ready: persist, queue messages, apply (conf changes too), advance. */
    boolean processReadies() {
        boolean any = false;
        for (final Map.Entry<Long, RaftNode> e : nodes.entrySet()) {
            final RaftNode node = e.getValue();
            if (!node.hasReady()) {
                continue;
            }
            any = true;
            final MemoryLogStorage storage = storages.get(e.getKey());
            final Ready ready = node.ready();
            if (ready.snapshot() != null) {
                storage.applySnapshot(ready.snapshot());
            }
            storage.append(ready.entries());
            if (ready.hardState() != null) {
                storage.setHardState(ready.hardState());
            }
            pending.addAll(ready.messages());
            for (final Entry entry : ready.committedEntries()) {
                applied.get(e.getKey()).add(entry);
                if (entry.type() == EntryType.CONF_CHANGE) {
                    node.applyConfChange(ConfChange.decode(entry.data()));
                    // A snapshot holding the new membership, for members that join after the log was compacted
                    // (without one, a new member could only be sent the bootstrap snapshot, which lacks it).
                    storage.createSnapshot(entry.index(), node.confState(), new byte[0]);
                }
            }
            reads.get(e.getKey()).addAll(ready.readStates());
            node.advance(ready);
        }
        return any;
    }

    /** Deliver every pending message once (those produced meanwhile wait for the next call). */
    int deliverAll() {
        final List<Message> batch = new ArrayList<>(pending);
        pending.clear();
        for (final Message m : batch) {
            if (!blocked.test(m) && nodes.containsKey(m.to())) {
                nodes.get(m.to()).step(m);
            }
        }
        return batch.size();
    }

    /** Deliver only the pending messages matching filter; the rest stay pending. */
    int deliver(final Predicate<Message> filter) {
        final List<Message> chosen = new ArrayList<>();
        pending.removeIf(m -> filter.test(m) && chosen.add(m));
        for (final Message m : chosen) {
            nodes.get(m.to()).step(m);
        }
        return chosen.size();
    }

    List<Message> pendingOf(final MessageType type) {
        return pending.stream().filter(m -> m.type() == type).toList();
    }

    /** Readies and deliveries until nothing moves. */
    void stabilize() {
        for (int round = 0; round < MAX_ROUNDS; round++) {
            final boolean readies = processReadies();
            final int delivered = deliverAll();
            if (!readies && delivered == 0) {
                return;
            }
        }
        throw new AssertionError("cluster did not settle in " + MAX_ROUNDS + " rounds");
    }

    void elect(final long id) {
        node(id).campaign();
        stabilize();
        if (node(id).role() != RaftRole.LEADER) {
            throw new AssertionError(id + " did not win: " + node(id).role());
        }
    }

    void tick(final long id, final int ticks) {
        for (int i = 0; i < ticks; i++) {
            node(id).tick();
        }
    }

    void isolate(final long id) {
        blocked = m -> m.from() == id || m.to() == id;
    }

    void heal() {
        blocked = m -> false;
    }

    List<byte[]> appliedData(final long id) {
        return applied.get(id).stream().filter(e -> e.type() == EntryType.NORMAL && e.data().length > 0)
            .map(Entry::data).toList();
    }
}
