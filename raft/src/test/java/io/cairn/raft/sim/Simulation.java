package io.cairn.raft.sim;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.SplittableRandom;

import io.cairn.raft.ConfChange;
import io.cairn.raft.ConfChangeSingle;
import io.cairn.raft.ConfState;
import io.cairn.raft.Entry;
import io.cairn.raft.EntryType;
import io.cairn.raft.MemoryLogStorage;
import io.cairn.raft.Message;
import io.cairn.raft.MessageType;
import io.cairn.raft.NotLeaderException;
import io.cairn.raft.RaftConfig;
import io.cairn.raft.RaftRole;
import io.cairn.raft.ReadState;
import io.cairn.raft.Ready;
import io.cairn.raft.RequestDroppedException;
import io.cairn.raft.Snapshot;

/**
 * A deterministic simulation of a Raft cluster: one seed decides the cluster (3 or 5 voters, spare nodes to add),
 * the network's faults, crashes and restarts, membership changes and the clients' requests. Safety is checked after
 * every step; at the end the network heals, and liveness and the clients' history are checked.
 */
final class Simulation {
    static final int MAX_NODES = 5;
    static final int CLIENTS = 8;
    /** After healing, a leader must exist and every pending write must be acknowledged within this many ticks. */
    static final int LIVENESS_MAX_TICKS = 400;
    private static final int CLIENT_TIMEOUT_STEPS = 60;
    private static final int LIVENESS_RETRY_TICKS = 15;
    private static final int MAX_DELIVERIES_PER_STEP = 8;
    private static final int MAX_QUIESCE_ROUNDS = 64;

    final long seed;
    private final int steps;
    private final SplittableRandom random;
    private final SimNetwork network;
    private final SafetyChecker checker = new SafetyChecker(MAX_NODES);
    private final SimNode[] nodes = new SimNode[MAX_NODES + 1];
    private final SimClient[] clients = new SimClient[CLIENTS];
    private final HashMap<Command, Long> effectiveIndex = new HashMap<>();
    private final HashMap<Command, Long> minIndexExclusive = new HashMap<>();
    final int initialVoters;
    private long step;
    private long ticks;
    private long maxAckedWriteIndex;
    private long maxReadResult;
    private long nextReadContext = 1;
    long crashes;
    long confChangesProposed;
    long livenessTicks;

    Simulation(final long seed, final int steps) {
        this.seed = seed;
        this.steps = steps;
        this.random = new SplittableRandom(seed);
        this.network = new SimNetwork(random.split(), MAX_NODES);
        this.initialVoters = random.nextBoolean() ? 3 : 5;
        final boolean preVote = random.nextInt(10) != 0;
        final boolean checkQuorum = random.nextInt(10) != 0;
        final Long[] voters = new Long[initialVoters];
        for (int i = 0; i < initialVoters; i++) {
            voters[i] = (long) (i + 1);
        }
        for (int id = 1; id <= MAX_NODES; id++) {
            // Small messages and a small window, so flow control and probing are exercised all the time.
            final RaftConfig config = RaftConfig.defaults(id).withElection(preVote, checkQuorum)
                .withFlowControl(64 + random.nextInt(400), 1 + random.nextInt(8));
            final MemoryLogStorage storage = id <= initialVoters
                ? MemoryLogStorage.bootstrap(1, 1, ConfState.ofVoters(voters)) : new MemoryLogStorage();
            nodes[id] = new SimNode(id, storage, new RaftConfig(config.id(), config.electionTicks(), 2, 0,
                config.maxMessageBytes(), config.maxInflightMessages(), config.maxInflightBytes(), 4096,
                config.maxCommittedBytesPerReady(), 64, preVote, checkQuorum, config.readOnlyOption(), true),
                CLIENTS);
            nodes[id].start(random.nextLong());
        }
        for (int c = 0; c < CLIENTS; c++) {
            clients[c] = new SimClient(c);
        }
        network.snapshotLossListener = m -> {
            if (nodes[(int) m.from()].alive()) {
                nodes[(int) m.from()].raft.reportSnapshot(m.to(), false);
            }
        };
        network.dropPercent = random.nextInt(10);
        network.duplicatePercent = random.nextInt(5);
        network.maxDelaySteps = random.nextInt(10);
    }

    /** Runs the whole scenario; throws AssertionError on any violation. */
    void run() {
        for (step = 0; step < steps; step++) {
            oneStep();
            checkAll();
        }
        healAndCheckLiveness();
        checkHistory();
    }

    private void checkAll() {
        for (int id = 1; id <= MAX_NODES; id++) {
            if (nodes[id].alive()) {
                checker.afterStep(id, nodes[id].raft);
            }
        }
    }

    private void oneStep() {
        final int roll = random.nextInt(1000);
        if (roll < 350) {
            final int deliveries = 1 + random.nextInt(MAX_DELIVERIES_PER_STEP);
            for (int i = 0; i < deliveries; i++) {
                final Message m = network.next(step);
                if (m != null) {
                    deliver(m);
                }
            }
        } else if (roll < 500) {
            final SimNode node = randomNode();
            if (node.alive()) {
                processReady(node, random.nextInt(200) == 0);
            }
        } else if (roll < 650) {
            for (int id = 1; id <= MAX_NODES; id++) {
                if (nodes[id].alive()) {
                    processReady(nodes[id], false);
                }
            }
        } else if (roll < 780) {
            tickAll();
        } else if (roll < 790) {
            final SimNode node = randomNode();
            if (node.alive()) {
                // Clocks are not in lockstep: one node gets an extra tick.
                node.raft.tick();
            }
        } else if (roll < 880) {
            clientAction(clients[random.nextInt(CLIENTS)]);
        } else if (roll < 883) {
            final SimNode node = randomNode();
            if (node.alive()) {
                node.crash();
                crashes++;
            }
        } else if (roll < 910) {
            final SimNode node = randomNode();
            if (!node.alive()) {
                node.start(random.nextLong());
            }
        } else if (roll < 914) {
            randomPartition();
        } else if (roll < 930) {
            network.heal();
        } else if (roll < 938) {
            proposeConfChange();
        } else if (roll < 941) {
            transferLeadership();
        } else if (roll < 953) {
            final SimNode node = randomNode();
            if (node.alive()) {
                node.compact(random.nextInt(20));
            }
        } else if (roll < 956) {
            // Leaders are where the interesting failures are: crash one, or cut it off from everyone.
            final SimNode leader = leader();
            if (leader != null) {
                if (random.nextBoolean()) {
                    leader.crash();
                    crashes++;
                } else {
                    isolate(leader.id);
                }
            }
        } else if (roll < 961) {
            network.dropPercent = random.nextInt(4) == 0 ? 0 : random.nextInt(20);
            network.duplicatePercent = random.nextInt(8);
            network.maxDelaySteps = random.nextInt(15);
        }
        // else: nothing happens this step.
    }

    private SimNode randomNode() {
        return nodes[1 + random.nextInt(MAX_NODES)];
    }

    private void tickAll() {
        ticks++;
        for (int id = 1; id <= MAX_NODES; id++) {
            if (nodes[id].alive()) {
                nodes[id].raft.tick();
            }
        }
    }

    private void deliver(final Message m) {
        final SimNode to = nodes[(int) m.to()];
        if (m.type() == MessageType.SNAPSHOT && nodes[(int) m.from()].alive()) {
            // The transport reports how the snapshot stream ended.
            nodes[(int) m.from()].raft.reportSnapshot(m.to(), to.alive());
        }
        if (to.alive()) {
            to.raft.step(m);
        }
    }

    /**
     * The host's part of the contract: persist, then send, then apply, then advance. With crashAfterPersist the node
     * dies after its disk write and before anything else, the nastiest moment.
     */
    private void processReady(final SimNode node, final boolean crashAfterPersist) {
        if (!node.raft.hasReady()) {
            return;
        }
        final Ready ready = node.raft.ready();
        final Snapshot snapshot = ready.snapshot();
        if (snapshot != null) {
            node.storage.applySnapshot(snapshot);
        }
        for (final Entry entry : ready.entries()) {
            checker.onDurable(node.id, entry, node.raft.termAt(entry.index() - 1));
        }
        node.storage.append(ready.entries());
        if (ready.hardState() != null) {
            node.storage.setHardState(ready.hardState());
        }
        if (crashAfterPersist) {
            node.crash();
            crashes++;
            return;
        }
        for (final Message m : ready.messages()) {
            network.send(m, step);
        }
        if (snapshot != null) {
            node.machine = SimStateMachine.decode(snapshot.data(), CLIENTS, snapshot.index());
            checker.onSnapshotInstalled(node.id, snapshot.index(), node.machine.fingerprint());
        }
        for (final Entry entry : ready.committedEntries()) {
            apply(node, entry);
        }
        node.readsAwaitingApply.addAll(ready.readStates());
        node.raft.advance(ready);
        serveReads(node);
    }

    private void apply(final SimNode node, final Entry entry) {
        final Command effective = node.machine.apply(entry);
        checker.onApplied(node.id, entry.index(), entry.term(), node.machine.fingerprint());
        if (entry.type() == EntryType.CONF_CHANGE) {
            node.raft.applyConfChange(ConfChange.decode(entry.data()));
            return;
        }
        if (effective != null) {
            final Long earlier = effectiveIndex.putIfAbsent(effective, entry.index());
            if (earlier != null && earlier != entry.index()) {
                throw new AssertionError(effective + " took effect at " + earlier + " on one node and at "
                    + entry.index() + " on node " + node.id);
            }
            final Long floor = minIndexExclusive.get(effective);
            if (floor != null && entry.index() <= floor) {
                throw new AssertionError("linearizability: " + effective + " took effect at " + entry.index()
                    + " but a read that completed before it was sent had already seen index " + floor);
            }
        }
        final Command command = Command.decode(entry.data());
        if (command == null) {
            return;
        }
        final SimClient client = clients[command.client()];
        if (client.pending == SimClient.Pending.WRITE && client.writeSeq == command.seq() && client.node == node.id) {
            // The server the client waits on applied its command (perhaps as a duplicate): acknowledge.
            final long index = effectiveIndex.get(command);
            maxAckedWriteIndex = Math.max(maxAckedWriteIndex, index);
            client.pending = SimClient.Pending.NONE;
            client.writesAcknowledged++;
        }
    }

    private void serveReads(final SimNode node) {
        final List<ReadState> waiting = node.readsAwaitingApply;
        for (int i = waiting.size() - 1; i >= 0; i--) {
            final ReadState read = waiting.get(i);
            if (read.index() > node.machine.appliedIndex()) {
                continue;
            }
            waiting.remove(i);
            for (final SimClient client : clients) {
                if (client.pending == SimClient.Pending.READ && client.readContext == read.context()
                    && client.node == node.id) {
                    completeRead(client, node.machine.appliedIndex());
                }
            }
        }
    }

    private void completeRead(final SimClient client, final long servedIndex) {
        if (servedIndex < client.readMinIndex) {
            throw new AssertionError("linearizability: read by client " + client.id + " invoked at step "
                + client.readInvokedStep + " saw state " + servedIndex + " but state " + client.readMinIndex
                + " was acknowledged (written or read) before it was invoked");
        }
        maxReadResult = Math.max(maxReadResult, servedIndex);
        client.pending = SimClient.Pending.NONE;
        client.readsCompleted++;
    }

    private void clientAction(final SimClient client) {
        if (client.pending != SimClient.Pending.NONE && step < client.deadlineStep) {
            return;
        }
        if (client.pending == SimClient.Pending.WRITE) {
            sendWrite(client);
            return;
        }
        client.pending = SimClient.Pending.NONE;
        if (random.nextInt(3) == 0) {
            client.pending = SimClient.Pending.READ;
            client.readContext = nextReadContext++;
            client.readInvokedStep = step;
            client.readMinIndex = Math.max(maxAckedWriteIndex, maxReadResult);
            client.node = randomMember().id;
            client.deadlineStep = step + CLIENT_TIMEOUT_STEPS;
            final SimNode node = nodes[(int) client.node];
            if (!node.alive()) {
                return;
            }
            try {
                node.raft.readIndex(client.readContext);
            } catch (final NotLeaderException | RequestDroppedException e) {
                client.deadlineStep = step;
            }
            return;
        }
        client.pending = SimClient.Pending.WRITE;
        client.writeSeq = client.nextSeq++;
        // The highest state any read has returned so far: this write must take effect after it.
        minIndexExclusive.put(new Command(client.id, client.writeSeq), maxReadResult);
        sendWrite(client);
    }

    /** (Re)send the client's write to a random server; a refusal just means trying again later. */
    private boolean sendWrite(final SimClient client) {
        client.node = randomMember().id;
        client.deadlineStep = step + CLIENT_TIMEOUT_STEPS;
        final SimNode node = nodes[(int) client.node];
        if (!node.alive()) {
            return false;
        }
        try {
            node.raft.propose(new Command(client.id, client.writeSeq).encode());
            return true;
        } catch (final NotLeaderException | RequestDroppedException e) {
            client.deadlineStep = step;
            return false;
        }
    }

    /**
     * A random member of the cluster as clients know it (etcd clients keep the member list current): the membership
     * applied by the most up-to-date running node. Removed nodes would never answer.
     */
    private SimNode randomMember() {
        SimNode newest = null;
        for (int id = 1; id <= MAX_NODES; id++) {
            final SimNode node = nodes[id];
            if (node.alive() && (newest == null || node.raft.appliedIndex() > newest.raft.appliedIndex())) {
                newest = node;
            }
        }
        if (newest == null) {
            return randomNode();
        }
        final ConfState members = newest.raft.confState();
        final ArrayList<Long> ids = new ArrayList<>(members.voters());
        ids.addAll(members.learners());
        if (ids.isEmpty()) {
            return randomNode();
        }
        return nodes[(int) (long) ids.get(random.nextInt(ids.size()))];
    }

    private SimNode leader() {
        SimNode best = null;
        for (int id = 1; id <= MAX_NODES; id++) {
            final SimNode node = nodes[id];
            if (node.alive() && node.raft.role() == RaftRole.LEADER
                && (best == null || node.raft.term() > best.raft.term())) {
                best = node;
            }
        }
        return best;
    }

    private void randomPartition() {
        final ArrayList<Long> sideA = new ArrayList<>();
        final ArrayList<Long> sideB = new ArrayList<>();
        for (long id = 1; id <= MAX_NODES; id++) {
            (random.nextBoolean() ? sideA : sideB).add(id);
        }
        network.partition(sideA.stream().mapToLong(Long::longValue).toArray(),
            sideB.stream().mapToLong(Long::longValue).toArray(), random.nextInt(3) == 0);
    }

    private void isolate(final long id) {
        final long[] others = new long[MAX_NODES - 1];
        int n = 0;
        for (long other = 1; other <= MAX_NODES; other++) {
            if (other != id) {
                others[n++] = other;
            }
        }
        network.partition(new long[] {id}, others, false);
    }

    private void transferLeadership() {
        final SimNode leader = leader();
        if (leader != null) {
            leader.raft.transferLeadership(1 + random.nextInt(MAX_NODES));
        }
    }

    /** Random membership edits at the leader: learners, promotions, removals, joint replacements. */
    private void proposeConfChange() {
        final SimNode leader = leader();
        if (leader == null) {
            return;
        }
        final ConfState state = leader.raft.confState();
        final ConfChange change;
        if (!state.votersOutgoing().isEmpty()) {
            if (state.autoLeave()) {
                return;
            }
            change = ConfChange.leaveJoint();
        } else {
            final long someone = 1 + random.nextInt(MAX_NODES);
            final long voter = state.voters().get(random.nextInt(state.voters().size()));
            final int voters = state.voters().size();
            change = switch (random.nextInt(8)) {
                case 0 -> ConfChange.of(ConfChangeSingle.addLearner(someone));
                case 1 -> voters < 5 ? ConfChange.of(ConfChangeSingle.addVoter(someone)) : null;
                case 2 -> voters > 3 ? ConfChange.of(ConfChangeSingle.remove(voter)) : null;
                case 3 -> voters > 3 ? ConfChange.of(ConfChangeSingle.addLearner(voter)) : null;
                case 4 -> state.learners().isEmpty() ? null
                    : ConfChange.of(ConfChangeSingle.remove(state.learners().getFirst()));
                case 5 -> ConfChange.of(ConfChangeSingle.addVoter(someone), ConfChangeSingle.remove(voter));
                case 6 -> new ConfChange(ConfChange.Transition.JOINT_EXPLICIT,
                    List.of(ConfChangeSingle.addVoter(someone), ConfChangeSingle.addLearner(voter)));
                default -> new ConfChange(ConfChange.Transition.JOINT_IMPLICIT,
                    List.of(ConfChangeSingle.addVoter(someone)));
            };
        }
        if (change == null) {
            return;
        }
        try {
            leader.raft.proposeConfChange(change);
            confChangesProposed++;
        } catch (final RequestDroppedException | NotLeaderException e) {
            // Another change is still pending, or this one is not allowed from here: fine.
        }
    }

    /**
     * Liveness: heal everything (no cuts, no loss, instant delivery, every node up) and require that within
     * {@link #LIVENESS_MAX_TICKS} ticks a leader is known to every member and every pending write is acknowledged.
     */
    private void healAndCheckLiveness() {
        network.heal();
        network.dropPercent = 0;
        network.duplicatePercent = 0;
        network.maxDelaySteps = 0;
        for (int id = 1; id <= MAX_NODES; id++) {
            if (!nodes[id].alive()) {
                nodes[id].start(random.nextLong());
            }
        }
        for (final SimClient client : clients) {
            if (client.pending == SimClient.Pending.READ) {
                client.pending = SimClient.Pending.NONE;
            }
        }
        for (long t = 0; t < LIVENESS_MAX_TICKS; t++) {
            tickAll();
            step++;
            if (t % LIVENESS_RETRY_TICKS == 0) {
                for (final SimClient client : clients) {
                    if (client.pending == SimClient.Pending.WRITE) {
                        sendWrite(client);
                    }
                }
            }
            quiesce();
            if (settled()) {
                livenessTicks = t + 1;
                return;
            }
        }
        throw new AssertionError("liveness: " + LIVENESS_MAX_TICKS + " ticks after healing, "
            + (leader() == null ? "no leader" : "leader " + leader().id + " term " + leader().raft.term())
            + "; pending writes: " + pendingWrites() + "; " + describeNodes());
    }

    /** Deliver and process until nothing moves (bounded: a healthy cluster goes quiet in a few rounds). */
    private void quiesce() {
        for (int round = 0; round < MAX_QUIESCE_ROUNDS; round++) {
            boolean moved = false;
            for (int id = 1; id <= MAX_NODES; id++) {
                if (nodes[id].alive() && nodes[id].raft.hasReady()) {
                    processReady(nodes[id], false);
                    moved = true;
                }
            }
            for (final Message m : network.drainDue(step)) {
                deliver(m);
                moved = true;
            }
            checkAll();
            if (!moved) {
                return;
            }
        }
    }

    private boolean settled() {
        final SimNode leader = leader();
        if (leader == null || pendingWrites() > 0) {
            return false;
        }
        for (final long member : leader.raft.confState().voters()) {
            if (nodes[(int) member].raft.leader() != leader.id) {
                return false;
            }
        }
        return true;
    }

    private int pendingWrites() {
        int pending = 0;
        for (final SimClient client : clients) {
            if (client.pending == SimClient.Pending.WRITE) {
                pending++;
            }
        }
        return pending;
    }

    /** Every acknowledged write was applied exactly once, in the same order, on every current member. */
    private void checkHistory() {
        final SimNode leader = leader();
        final long commit = leader.raft.commitIndex();
        for (final long member : leader.raft.confState().voters()) {
            final SimNode node = nodes[(int) member];
            // Catch up (also bounded: part of liveness): the commit index reaches members with the next heartbeat,
            // a lagging one may need a snapshot, and messages delayed from before the heal still arrive.
            for (int t = 0; t < LIVENESS_MAX_TICKS && node.raft.appliedIndex() < commit; t++) {
                tickAll();
                step++;
                quiesce();
            }
            if (node.machine.appliedIndex() < commit) {
                throw new AssertionError("member " + member + " applied only " + node.machine.appliedIndex()
                    + " of " + commit + " after healing");
            }
            for (final SimClient client : clients) {
                final long acknowledged = client.nextSeq - 1 - (client.pending == SimClient.Pending.WRITE ? 1 : 0);
                // SimStateMachine already proved sequence numbers take effect once each and in order.
                if (node.machine.lastSeq(client.id) < acknowledged) {
                    throw new AssertionError("member " + member + " never applied client " + client.id
                        + " write " + acknowledged + ", which was acknowledged");
                }
            }
        }
    }

    String describeNodes() {
        final StringBuilder out = new StringBuilder();
        for (int id = 1; id <= MAX_NODES; id++) {
            final SimNode node = nodes[id];
            out.append("\n  node ").append(id);
            if (!node.alive()) {
                out.append(" down");
                continue;
            }
            out.append(' ').append(node.raft.role()).append(" term ").append(node.raft.term()).append(" leader ")
                .append(node.raft.leader()).append(" log [").append(node.raft.firstIndex()).append(',')
                .append(node.raft.lastIndex()).append("] commit ").append(node.raft.commitIndex())
                .append(" applied ").append(node.raft.appliedIndex()).append(' ').append(node.raft.confState());
            if (node.raft.role() == RaftRole.LEADER) {
                out.append(' ').append(node.raft.progress());
            }
        }
        return out.toString();
    }

    String summary() {
        long writes = 0;
        long reads = 0;
        for (final SimClient client : clients) {
            writes += client.writesAcknowledged;
            reads += client.readsCompleted;
        }
        return "seed " + seed + ": " + initialVoters + " voters, " + steps + " steps, " + ticks + " ticks, commit "
            + checker.maxCommitted() + ", writes acked " + writes + ", reads " + reads + ", crashes " + crashes
            + ", conf changes " + confChangesProposed + ", messages " + network.sent + " (dropped "
            + network.dropped + "), liveness in " + livenessTicks + " ticks";
    }

    long step() {
        return step;
    }

    long committedIndex() {
        return checker.maxCommitted();
    }

    long acknowledgedWrites() {
        long writes = 0;
        for (final SimClient client : clients) {
            writes += client.writesAcknowledged;
        }
        return writes;
    }
}
