package io.cairn.engine.node;

import io.cairn.engine.api.EtcdError;
import io.cairn.engine.api.EtcdException;
import io.cairn.engine.auth.AuthInfo;
import io.cairn.engine.cluster.RequestIds;
import io.cairn.engine.command.Command;
import io.cairn.engine.command.CommandCodec;
import io.cairn.engine.lease.Lessor;
import io.cairn.engine.log.LogField;
import io.cairn.engine.mvcc.TxnOp;
import io.cairn.raft.ConfChangeSingle;
import io.cairn.raft.ConfState;
import io.cairn.raft.Entry;
import io.cairn.raft.EntryType;
import io.cairn.raft.Message;
import io.cairn.raft.MessageType;
import io.cairn.raft.NotLeaderException;
import io.cairn.raft.Payloads;
import io.cairn.raft.RaftNode;
import io.cairn.raft.RaftRole;
import io.cairn.raft.ReadState;
import io.cairn.raft.Ready;
import io.cairn.raft.RequestDroppedException;
import io.cairn.transport.InboundHandler;
import io.cairn.wal.NoSpareSegmentException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * The one thread that owns the {@link RaftNode} and the {@link Peers}: an Agrona agent whose duty
 * cycle drains proposals and linearizable reads, polls the peers, ticks on the clock, and handles
 * each Ready: entries and term to the WAL (one write and one fdatasync per Ready), messages to the
 * peers, committed entries to the apply thread, read states to the waiting reads. The leader sends
 * its appends and heartbeats before its own fsync (the Raft thesis §10.2.1: followers write in
 * parallel); every other message waits for the fsync, since a vote or an acknowledgement promises
 * durable state.
 *
 * <p>Also the leader's lease duties (etcd's lessor loop: expiry revokes and TTL checkpoints, only on
 * the leader) and the member's publish of its name and client URLs.
 */
final class RaftLoop implements Agent, InboundHandler {
    private static final System.Logger LOG = System.getLogger(RaftLoop.class.getName());
    /** etcd's maxGapBetweenApplyAndCommitIndex: beyond it new writes get "too many requests". */
    static final long APPLY_GAP_MAX_ENTRIES = 5_000;
    private static final int PROPOSALS_PER_CYCLE_MAX = 4_096;
    /**
     * Free log arena chunks kept for reuse (at most a quarter of the heap): a WAL release frees the
     * chunks of up to --snapshot-count entries at once, and the next ones fill them again.
     */
    private static final long LOG_ARENA_KEPT_BYTES_MAX = 64L << 20;
    private static final int READIES_PER_CYCLE_MAX = 64;
    /** etcd's lessor checks expiry every 500 ms and revokes at most 1,000 leases a second. */
    private static final long LEASE_DUTIES_EVERY_NANOS = TimeUnit.MILLISECONDS.toNanos(500);
    private static final int LEASE_REVOKES_PER_ROUND_MAX = 500;
    private static final int LEASE_CHECKPOINTS_PER_ROUND_MAX = 1_000;
    private static final long PUBLISH_RETRY_NANOS = TimeUnit.SECONDS.toNanos(1);
    /**
     * A removed member stops this long after applying its removal (etcd waits a second too): a
     * removed leader's last appends, which tell the others the removal committed, go out first.
     */
    private static final long REMOVED_STOP_DELAY_NANOS = TimeUnit.SECONDS.toNanos(1);

    /**
     * A command for the log: {@code data} is its encoding, or for a membership change the encoded
     * Raft ConfChange. A client's call is its own proposal ({@link PendingRequests.Waiter}: no
     * object of its own per put, issue #21); the loop's own duties that no one waits for propose
     * {@link Unanswered}s.
     */
    interface Proposal {
        long requestId();

        /** The encoded command; null for a plain put ({@link #put()}), which the loop encodes itself. */
        byte[] data();

        /** The plain put to encode when {@link #data()} is null: into the log arena at a leader (issue #21). */
        default TxnOp.Put put() {
            return null;
        }

        /** The caller of {@link #put()}. */
        default AuthInfo caller() {
            return null;
        }

        boolean confChange();
    }

    /** A proposal no call waits for (the leader's lease duties). */
    record Unanswered(long requestId, byte[] data) implements Proposal {
        @Override
        public boolean confChange() {
            return false;
        }
    }

    /** What the member publishes about itself once a leader is known (etcd's publish). */
    record Publication(long memberId, String name, List<String> clientUrls) {
    }

    private final MemberStorage storage;
    private final RaftNode node;
    private final Peers peers;
    private final ApplyLoop applyLoop;
    private final CommandApplier applier;
    private final PendingRequests pending;
    private final NodeMetrics metrics;
    private final LinearizableReads reads;
    private final RequestIds requestIds;
    private final MemberOptions options;
    private final Publication publication;
    private final long tickNanos;
    private final long electionTimeoutNanos;
    private final ArrayBlockingQueue<Proposal> proposals;
    private final List<Proposal> batch = new ArrayList<>(PROPOSALS_PER_CYCLE_MAX);
    private final Payloads payloads = new Payloads(PROPOSALS_PER_CYCLE_MAX);
    /** The bytes of the plain puts this member proposes as leader, reused after WAL releases (issue #21). */
    private final LogArena arena = new LogArena(Math.min(LOG_ARENA_KEPT_BYTES_MAX, Runtime.getRuntime().maxMemory() / 4));
    private final List<Message> afterSync = new ArrayList<>();
    /** Raft's membership, read only when a WAL release needs it (made once: no lambda per duty cycle). */
    private final java.util.function.Supplier<ConfState> membershipNow;
    private long nextTickNanos;
    private long nextLeaseDutiesNanos;
    private long nextPublishNanos;
    private volatile boolean published;
    private Ready unpersisted;
    private int unpersistedWrites;
    /** The last release's snapshot marker was refused for want of a WAL segment: tried again first. */
    private boolean releaseRefused;
    private int messagesStepped;
    /**
     * When the loop last did work for clients: a proposal, a read, a message other than a heartbeat,
     * a Ready with entries. {@link RaftLoopIdle} waits briefly for a while after it. Heartbeats and
     * their answers do not count: counted, they kept an idle member's loop waking every 50 us for
     * 20 ms after each heartbeat, most of the 8% of a core an idle member used (issue #21).
     */
    private volatile long lastBusyNanos = System.nanoTime();
    private boolean busy;
    /** Duty cycles run so far (written by the loop only; read by tests: an idle loop should run few). */
    private volatile long dutyCycles;
    /** Snapshots handed to the apply thread to install, oldest first (loop thread only). */
    private final java.util.ArrayDeque<Installing> installing = new java.util.ArrayDeque<>();
    /** The member is stopping: a leader hands leadership to a follower first (etcd does on SIGTERM). */
    private volatile boolean handOffRequested;
    /** A MoveLeader waiting for the loop (any thread sets it), and the one under way (loop thread). */
    private final AtomicReference<Transfer> transferAsked = new AtomicReference<>();
    private Transfer transfer;

    private record Transfer(long transferee, CompletableFuture<Void> done, long deadlineNanos) {
    }

    private boolean handOffStarted;

    /** When this member applied its own removal; 0 while it is a member. */
    private long removedAtNanos;
    /** Completes when the member, removed from its cluster, should stop. */
    private final CompletableFuture<Void> removal = new CompletableFuture<>();

    // Observed by other threads (status, headers, the facade's checks).
    /** Derived from {@link #confState}, kept apart because a sole member's every linearizable read asks. */
    private volatile boolean alone;
    private volatile ConfState confState;
    /** The leader's match index of each member as of the last tick; empty when not leading. */
    private volatile java.util.Map<Long, Long> matchIndexes = java.util.Map.of();
    private volatile long term;
    private volatile long commitIndex;
    private volatile long leaderId;
    private volatile boolean leader;
    private volatile boolean walOutOfSpace;
    private volatile Throwable failure;
    private volatile Thread thread;

    RaftLoop(final MemberStorage storage, final RaftNode node, final Peers peers, final ApplyLoop applyLoop,
        final CommandApplier applier, final PendingRequests pending, final LinearizableReads reads,
        final RequestIds requestIds, final MemberOptions options, final NodeMetrics metrics,
        final Publication publication) {
        this.storage = storage;
        this.metrics = metrics;
        this.node = node;
        this.peers = peers;
        this.applyLoop = applyLoop;
        this.applier = applier;
        this.pending = pending;
        this.reads = reads;
        this.requestIds = requestIds;
        this.options = options;
        this.publication = publication;
        this.tickNanos = TimeUnit.MILLISECONDS.toNanos(options.tickMillis());
        this.electionTimeoutNanos = tickNanos * options.electionTicks();
        this.proposals = new ArrayBlockingQueue<>(options.proposalsMax());
        this.membershipNow = node::confState;
        this.nextTickNanos = System.nanoTime() + tickNanos;
        this.term = node.term();
        this.commitIndex = node.commitIndex();
        noteMembership(node.confState());
    }

    private void noteMembership(final ConfState state) {
        confState = state;
        alone = isAlone(state, node.id());
    }

    @Override
    public String roleName() {
        return "cairn-raft";
    }

    @Override
    public void onStart() {
        thread = Thread.currentThread();
    }

    /** See {@link LogArena#chunksMade()}: read by tests once the loop is quiet. */
    long logArenaChunksMade() {
        return arena.chunksMade();
    }

    /** Queues a proposal (any thread) and wakes the loop; false when the queue is full. */
    boolean offer(final Proposal proposal) {
        if (!proposals.offer(proposal)) {
            return false;
        }
        wake();
        return true;
    }

    /** Ends the loop's idle wait, whichever it is: a park, or a wait on the peers' sockets (any thread). */
    void wake() {
        final Thread t = thread;
        if (t != null) {
            java.util.concurrent.locks.LockSupport.unpark(t);
        }
        peers.wakeUp();
    }

    /**
     * The idle wait on the peers' sockets (see {@link RaftLoopIdle}), on the loop's thread, ending at the next tick
     * at the latest; false when they cannot be waited on.
     */
    boolean awaitTraffic(final long timeoutMs) {
        final long toTickNanos = nextTickNanos - System.nanoTime();
        final long toTickMs = Math.max(1, (toTickNanos + 999_999) / 1_000_000);
        return peers.awaitTraffic(Math.min(timeoutMs, toTickMs));
    }

    /** Duty cycles run so far (any thread; tests). */
    long dutyCycles() {
        return dutyCycles;
    }

    /** See {@link #lastBusyNanos}; for the idle strategy on the loop's own thread (and tests, on theirs). */
    long lastBusyNanos() {
        return lastBusyNanos;
    }

    @Override
    public int doWork() {
        if (failure != null) {
            return 0;
        }
        dutyCycles++; // one writer: not lost
        try {
            return dutyCycle();
        } catch (final IOException | RuntimeException | Error e) {
            failure = e;
            LOG.log(System.Logger.Level.ERROR, "the Raft loop stopped: " + e + ". " + ApplyLoop.WHAT_TO_DO, e);
            pending.failAll(EtcdError.STOPPED);
            reads.failAll(EtcdError.STOPPED);
            failTransfers();
            return 0;
        } catch (final InterruptedException e) {
            Thread.currentThread().interrupt();
            return 0;
        }
    }

    private int dutyCycle() throws IOException, InterruptedException {
        int work = 0;
        if (unpersisted != null) {
            // The disk is full: try the WAL again (it waits a while for a segment itself); proposals
            // wait in the queue, answered by their deadlines if it takes long.
            return handleReadies();
        }
        if (releaseRefused && !releaseOnBudget()) {
            return 0; // the same for a refused release: the WAL must take its marker first
        }
        final int proposed = proposeQueued();
        busy = proposed > 0;
        work += proposed;
        // Only what reached Raft counts as work: the transport's own housekeeping (the driver's
        // timers and status messages) would otherwise keep the loop from ever parking long.
        final int transportWork = peers.poll(this);
        work += messagesStepped;
        if (peers.streamingSnapshot()) {
            // A snapshot crosses only as fast as this loop polls. Parked 1 ms after each poll (no
            // client work), a leader sent 75 MB/s; its chunks count as work while it streams.
            work += transportWork;
            busy = true;
        }
        messagesStepped = 0;
        final long now = System.nanoTime();
        if (now - nextTickNanos >= 0) {
            node.tick();
            matchIndexes = leader ? node.matchIndexes() : java.util.Map.of();
            nextTickNanos += tickNanos;
            if (now - nextTickNanos > 10 * tickNanos) {
                nextTickNanos = now + tickNanos; // a stall (GC, a slow disk) must not become a burst of ticks
            }
            for (final long context : reads.sweep(now, node.term())) {
                askReadIndex(context);
            }
        }
        if (reads.hasWaiting()) {
            busy = true;
            final long context = reads.startBatch(now, node.term());
            if (context != 0) {
                askReadIndex(context);
            }
            work++;
        }
        work += handleReadies();
        if (busy) {
            lastBusyNanos = now;
        }
        if (unpersisted == null) {
            takeMembershipChanges(); // MemberUpdate applies without a Ready of its own waiting on it
        }
        if (transfer != null || transferAsked.get() != null) {
            moveLeaderDuties(now);
        }
        if (handOffRequested && !handOffStarted && leader) {
            handOffStarted = true;
            handOff();
        }
        if (unpersisted == null) {
            if (!releaseOnBudget()) {
                return work;
            }
            if (leader && now - nextLeaseDutiesNanos >= 0) {
                proposeLeaseDuties();
                nextLeaseDutiesNanos = now + LEASE_DUTIES_EVERY_NANOS;
            }
            if (!published && leaderId != 0 && now - nextPublishNanos >= 0) {
                publish();
                nextPublishNanos = now + PUBLISH_RETRY_NANOS;
            }
        }
        if (removedAtNanos != 0 && !removal.isDone() && now - removedAtNanos >= REMOVED_STOP_DELAY_NANOS) {
            removal.complete(null);
        }
        if (!installing.isEmpty()) {
            finishInstalls();
        }
        applyLoop.checkHealthy();
        return work;
    }

    /**
     * MoveLeader (any thread): hands leadership to {@code transferee}; completes once this member
     * sees it lead, fails with NOT_LEADER if this member does not lead when the loop takes it up,
     * or with TIMEOUT_LEADER_TRANSFER after twice the election timeout (Raft gives a transfer one).
     * A newer request supersedes one not yet taken up.
     */
    CompletableFuture<Void> moveLeader(final long transferee) {
        final Transfer asked = new Transfer(transferee, new CompletableFuture<>(),
            System.nanoTime() + 2 * electionTimeoutNanos);
        final Transfer superseded = transferAsked.getAndSet(asked);
        if (superseded != null) {
            superseded.done().completeExceptionally(new EtcdException(EtcdError.TIMEOUT_LEADER_TRANSFER));
        }
        wake();
        return asked.done();
    }

    /** Takes up a MoveLeader request and answers the one under way once it is decided. Loop thread. */
    private void moveLeaderDuties(final long now) {
        final Transfer asked = transferAsked.getAndSet(null);
        if (asked != null) {
            if (transfer != null) {
                transfer.done().completeExceptionally(new EtcdException(EtcdError.TIMEOUT_LEADER_TRANSFER));
            }
            transfer = null;
            if (!leader) {
                asked.done().completeExceptionally(new EtcdException(EtcdError.NOT_LEADER));
            } else {
                LOG.log(System.Logger.Level.INFO, "member " + Long.toHexString(node.id())
                    + " is handing leadership to " + Long.toHexString(asked.transferee()) + " (MoveLeader)");
                node.transferLeadership(asked.transferee()); // to itself: nothing to do
                transfer = asked;
            }
        }
        if (transfer != null) {
            if (leaderId == transfer.transferee()) {
                transfer.done().complete(null);
                transfer = null;
            } else if (now - transfer.deadlineNanos() > 0) {
                transfer.done().completeExceptionally(new EtcdException(EtcdError.TIMEOUT_LEADER_TRANSFER));
                transfer = null;
            }
        }
    }

    private void failTransfers() {
        for (final Transfer failed : new Transfer[] {transfer, transferAsked.getAndSet(null)}) {
            if (failed != null) {
                failed.done().completeExceptionally(new EtcdException(EtcdError.STOPPED));
            }
        }
        transfer = null;
    }

    /** Asks the member to hand leadership over before it stops; see {@link #handOff}. */
    void requestHandOff() {
        handOffRequested = true;
        wake();
    }

    /**
     * Transfers leadership to another voter (Raft waits until it has caught up, then tells it to
     * campaign at once), so a stopping leader costs the cluster no election timeout.
     */
    private void handOff() {
        for (final long voter : node.confState().voters()) {
            if (voter != node.id()) {
                LOG.log(System.Logger.Level.INFO, "member " + Long.toHexString(node.id())
                    + " is stopping: handing leadership to " + Long.toHexString(voter));
                node.transferLeadership(voter);
                return;
            }
        }
    }

    private void askReadIndex(final long context) {
        try {
            node.readIndex(context);
        } catch (final NotLeaderException noLeader) {
            reads.refuse(context, EtcdError.NO_LEADER);
        }
    }

    private int proposeQueued() {
        proposals.drainTo(batch, PROPOSALS_PER_CYCLE_MAX - batch.size());
        if (batch.isEmpty()) {
            return 0;
        }
        final int count = batch.size();
        proposeBatch();
        return count;
    }

    private void proposeBatch() {
        payloads.clear();
        // Indexed loops: an iterator per batch is garbage on the put path (issue #21).
        for (int i = 0; i < batch.size(); i++) {
            if (batch.get(i).confChange()) {
                proposeConfChange(batch.get(i));
            }
        }
        batch.removeIf(Proposal::confChange);
        if (batch.isEmpty()) {
            return;
        }
        final boolean leading = node.role() == RaftRole.LEADER; // else forwarded: the leader's copy is what logs keep
        for (int i = 0; i < batch.size(); i++) {
            addPayload(batch.get(i), leading);
        }
        try {
            node.proposeBatch(payloads);
        } catch (final NotLeaderException | RequestDroppedException refused) {
            final EtcdError error = refused instanceof NotLeaderException ? EtcdError.NO_LEADER : EtcdError.TOO_MANY_REQUESTS;
            for (final Proposal p : batch) {
                pending.fail(p.requestId(), error);
            }
        } finally {
            arena.placedUpTo(node.lastIndex());
            payloads.clear();
        }
        batch.clear();
    }

    /** A proposal's bytes: a plain put encoded here (into the arena when leading), anything else as its caller made it. */
    private void addPayload(final Proposal proposal, final boolean leading) {
        final byte[] data = proposal.data();
        if (data != null) {
            payloads.add(data);
            return;
        }
        final UnsafeBuffer into = leading
            ? arena.reserve(CommandCodec.putEncodedLengthMax(proposal.put(), proposal.caller())) : null;
        if (into == null) {
            payloads.add(CommandCodec.encodePut(proposal.requestId(), proposal.put(), proposal.caller()));
            return;
        }
        final int offset = arena.offset();
        final int length = CommandCodec.encodePut(proposal.requestId(), proposal.put(), proposal.caller(), into, offset);
        arena.placed(length);
        payloads.add(arena.array(), offset, length);
    }

    /**
     * A membership change goes to Raft on its own: Raft refuses one while an earlier change is not
     * applied, or one its configuration cannot take (etcd answers these "raft proposal dropped").
     * Their order relative to the batch's other proposals does not matter: they touch nothing else.
     */
    private void proposeConfChange(final Proposal proposal) {
        try {
            node.proposeConfChange(io.cairn.raft.ConfChange.decode(proposal.data()));
        } catch (final NotLeaderException noLeader) {
            pending.fail(proposal.requestId(), EtcdError.NO_LEADER);
        } catch (final RequestDroppedException dropped) {
            LOG.log(System.Logger.Level.WARNING, "raft refused a membership change: " + dropped.getMessage());
            pending.fail(proposal.requestId(), EtcdError.PROPOSAL_DROPPED);
        }
    }

    @Override
    public void onMessage(final Message message) {
        messagesStepped++;
        if (message.type() == MessageType.HEARTBEAT_RESPONSE) {
            metrics.heartbeatAnswered(message.from(), System.nanoTime());
        } else if (message.type() != MessageType.HEARTBEAT) {
            busy = true;
        }
        node.step(message);
    }

    @Override
    public void onSnapshotStatus(final long peerId, final long snapshotIndex, final boolean delivered) {
        LOG.log(delivered ? System.Logger.Level.INFO : System.Logger.Level.WARNING,
            delivered ? "sent database snapshot" : "failed to send database snapshot",
            LogField.memberId("local-member-id", node.id()), LogField.of("snapshot-index", snapshotIndex),
            LogField.memberId("remote-peer-id", peerId));
        node.reportSnapshot(peerId, delivered);
    }

    /**
     * Each Ready is persisted and applied before the next, until Raft has nothing more (bounded), or
     * until the WAL refuses one for want of space (then it is kept and tried again first next time).
     */
    private int handleReadies() throws IOException, InterruptedException {
        int handled = 0;
        if (unpersisted != null) {
            final Ready ready = unpersisted;
            if (!persist(ready, unpersistedWrites)) {
                return 0;
            }
            unpersisted = null;
            finish(ready);
            handled++;
        }
        for (; handled < READIES_PER_CYCLE_MAX && node.hasReady(); handled++) {
            final Ready ready = node.ready();
            busy |= !ready.entries().isEmpty() || !ready.committedEntries().isEmpty() || ready.snapshot() != null;
            sendBeforeSync(ready);
            peers.flush(); // on the wire before this member's fsync, so followers write in parallel
            if (!persist(ready, 0)) {
                return handled;
            }
            finish(ready);
        }
        return handled;
    }

    /** The leader's appends and heartbeats go out before its fsync; the rest wait for it. */
    private void sendBeforeSync(final Ready ready) {
        afterSync.clear();
        final boolean leading = node.role() == RaftRole.LEADER;
        final List<Message> messages = ready.messages();
        for (int i = 0; i < messages.size(); i++) { // indexed: an iterator per Ready was 64 bytes per put (issue #21)
            final Message m = messages.get(i);
            if (leading && (m.type() == MessageType.APPEND || m.type() == MessageType.HEARTBEAT)) {
                if (m.type() == MessageType.HEARTBEAT) {
                    metrics.heartbeatSent(m.to(), System.nanoTime());
                }
                peers.send(m);
            } else {
                afterSync.add(m);
            }
        }
    }

    private boolean persist(final Ready ready, final int fromWrite) throws IOException, InterruptedException {
        if (ready.snapshot() != null && fromWrite == 0) {
            installSnapshot(ready.snapshot());
        }
        try {
            storage.persist(ready, fromWrite);
        } catch (final MemberStorage.PartialWrite full) {
            unpersisted = ready;
            unpersistedWrites = full.writesDone;
            noteWalFull(full);
            return false;
        }
        noteWalTakesWrites();
        return true;
    }

    /**
     * Releases the log and WAL segments the tree covers (on the snapshot-count budget), and WAL segments alone
     * as soon as the tree covers them; false if the full disk refused a marker.
     */
    private boolean releaseOnBudget() throws IOException {
        try {
            final long synced = applyLoop.syncedIndex();
            storage.releaseOnBudget(synced, options.snapshotCount(), membershipNow);
            storage.releaseWalBehindTree(synced);
            // The log no longer holds what it released, and the tree has applied and synced it (a
            // snapshot install can raise the released index before the apply thread reaches it).
            arena.release(Math.min(synced, storage.releasedIndex()));
        } catch (final NoSpareSegmentException full) {
            releaseRefused = true;
            noteWalFull(full);
            return false;
        }
        releaseRefused = false;
        noteWalTakesWrites();
        return true;
    }

    private void noteWalFull(final Exception full) {
        if (!walOutOfSpace) {
            walOutOfSpace = true;
            LOG.log(System.Logger.Level.ERROR, "the WAL in " + storage.wal.directory() + " cannot take entries: "
                + full.getMessage() + ". Writes are refused with '" + EtcdError.NO_SPACE.message()
                + "' until space is freed on that filesystem; reads go on, and nothing acknowledged is lost.");
        }
    }

    private void noteWalTakesWrites() {
        if (walOutOfSpace) {
            walOutOfSpace = false;
            LOG.log(System.Logger.Level.INFO, "the WAL in " + storage.wal.directory() + " takes entries again: writes resume");
        }
    }

    /**
     * A snapshot from the leader (this member fell behind the leader's log): the WAL records it
     * first, then the apply thread installs the received file's contents in the tree, after every
     * entry before it and before every entry after it; then MVCC, leases and watchers go on from
     * the new state (the watch hub hears the new revision). This loop does not wait for the install
     * (seconds for gigabytes): it goes on answering the leader, and {@link #finishInstalls} takes
     * up what follows it. The received file is deleted last: a crash before that installs it again
     * on restart.
     */
    private void installSnapshot(final io.cairn.raft.Snapshot snapshot) throws IOException, InterruptedException {
        // The transport's file store delivered the snapshot with the received file's path as its data.
        final java.nio.file.Path file = java.nio.file.Path.of(new String(snapshot.data(),
            java.nio.charset.StandardCharsets.UTF_8));
        LOG.log(System.Logger.Level.INFO, "received and saved database snapshot",
            LogField.memberId("local-member-id", node.id()), LogField.memberId("remote-snapshot-sender-id", leaderId),
            LogField.of("incoming-snapshot-index", snapshot.index()),
            LogField.of("incoming-snapshot-size-bytes", file.toFile().length()), LogField.of("path", file));
        storage.recordSnapshot(snapshot);
        noteMembership(node.confState());
        installing.add(new Installing(applyLoop.submitInstall(() -> applier.installSnapshot(file)), file));
    }

    /** A snapshot the apply thread is installing, and its received file. */
    private record Installing(CompletableFuture<Void> done, java.nio.file.Path file) {
    }

    /** What follows each install the apply thread finished: the members it brought, its file deleted. */
    private void finishInstalls() throws IOException {
        for (Installing next = installing.peek(); next != null && next.done().isDone(); next = installing.peek()) {
            installing.remove();
            if (next.done().isCompletedExceptionally()) {
                throw new IOException("installing the leader's snapshot failed", next.done().exceptionNow());
            }
            // the snapshot may bring other members than this one knew
            peers.members(applier.members(), applier.removedMemberIds());
            java.nio.file.Files.deleteIfExists(next.file());
            LOG.log(System.Logger.Level.INFO, "installed the leader's snapshot",
                LogField.memberId("local-member-id", node.id()), LogField.of("applied-index", applier.appliedIndex()),
                LogField.of("revision", applier.committedRevision()));
        }
    }

    /** The rest of a persisted Ready: messages sent, hard state kept, entries applied, reads served. */
    private void finish(final Ready ready) throws IOException, InterruptedException {
        for (int i = 0; i < afterSync.size(); i++) { // indexed: no iterator per Ready
            final Message m = afterSync.get(i);
            if (!peers.send(m) && m.type() == MessageType.PROPOSE) {
                failRefusedProposal(m);
            }
        }
        if (!afterSync.isEmpty()) {
            peers.flush();
        }
        afterSync.clear();
        if (ready.hasHardState()) {
            storage.log.setHardState(ready.hardStateTerm(), ready.hardStateVote(), ready.hardStateCommit());
        }
        if (ready.softState() != null) {
            roleChanged(ready.softState().leader(), ready.softState().role());
        }
        if (!ready.committedEntries().isEmpty() && !applyLoop.applyIfIdle(ready.committedEntries())) {
            applyLoop.submit(ready.committedEntries());
        }
        if (hasConfChange(ready.committedEntries())) {
            // Raft's configuration must follow the members bucket before the next Ready: whether the
            // change applies is the apply thread's decision (MembershipRules), so wait for it. Rare.
            applyLoop.awaitApplied();
        }
        takeMembershipChanges();
        final List<ReadState> readStates = ready.readStates();
        for (int i = 0; i < readStates.size(); i++) { // indexed: no iterator per Ready
            reads.confirmed(readStates.get(i).context(), readStates.get(i).index());
        }
        node.advance(ready);
        term = node.term();
        commitIndex = node.commitIndex();
    }

    /**
     * A follower's proposal that the transport did not take (the leader's link back-pressured, down,
     * or gone) never left this member, and Raft does not send a proposal again: its writes would each
     * wait out the request time-out. They fail now with Raft's own word for a proposal it could not
     * place, and nothing of them is applied anywhere.
     */
    private void failRefusedProposal(final Message proposal) {
        final List<Entry> entries = proposal.entries();
        for (int i = 0; i < entries.size(); i++) {
            final Command command = proposedCommand(entries.get(i));
            if (command != null) {
                pending.fail(command.requestId(), EtcdError.PROPOSAL_DROPPED);
            }
        }
    }

    /** The command a proposed entry carries; null for none (an empty entry, Raft's own configuration step). */
    private static Command proposedCommand(final Entry entry) {
        if (entry.isEmpty()) {
            return null;
        }
        return entry.type() == EntryType.CONF_CHANGE
            ? MembershipApplier.commandOf(io.cairn.raft.ConfChange.decode(entry.data()))
            : CommandCodec.decode(entry.buffer(), entry.offset(), entry.length());
    }

    private static boolean hasConfChange(final List<Entry> entries) {
        for (int i = 0; i < entries.size(); i++) { // indexed: no iterator per Ready (issue #21)
            if (entries.get(i).type() == EntryType.CONF_CHANGE) {
                return true;
            }
        }
        return false;
    }

    /**
     * Carries out the membership changes the apply thread applied: Raft's configuration (for a
     * change the members bucket took; a refused one changes nothing), the transport's peers, and,
     * when this member was removed, its stop.
     */
    private void takeMembershipChanges() {
        for (MembershipApplier.Applied applied = applier.nextMembershipApplied(); applied != null;
             applied = applier.nextMembershipApplied()) {
            if (applied.raftChange() != null) {
                final ConfState state = node.applyConfChange(applied.raftChange());
                noteMembership(state);
                LOG.log(System.Logger.Level.INFO, "applied a configuration change through raft",
                    LogField.memberId("local-member-id", node.id()), LogField.of("index", applied.index()),
                    LogField.of("raft-conf-change", applied.raftChange().changes().stream()
                        .map(c -> etcdName(c.type()) + " " + Long.toHexString(c.nodeId())).toList()),
                    LogField.of("voters", hexIds(state.voters())), LogField.of("learners", hexIds(state.learners())));
            }
            if (applied.members() != null) {
                peers.members(applied.members(), applied.removedIds());
            }
            if (applied.raftChange() != null && wasRemoved(applied) && removedAtNanos == 0) {
                removedAtNanos = System.nanoTime();
                LOG.log(System.Logger.Level.WARNING, "the member has been permanently removed from the cluster",
                    LogField.memberId("local-member-id", node.id()));
            }
        }
    }

    private boolean wasRemoved(final MembershipApplier.Applied applied) {
        return applied.raftChange().changes().stream().anyMatch(c -> c.type() == ConfChangeSingle.Type.REMOVE
            && c.nodeId() == node.id());
    }

    /** Whether {@code state} makes this member its cluster's only member: its own quorum, with nobody to replicate to. */
    static boolean isAlone(final ConfState state, final long selfId) {
        return state.voters().equals(List.of(selfId)) && state.votersOutgoing().isEmpty() && state.learners().isEmpty()
            && state.learnersNext().isEmpty();
    }

    /** etcd's name for a change, as its log prints it. */
    private static String etcdName(final ConfChangeSingle.Type type) {
        return switch (type) {
            case ADD_VOTER -> "ConfChangeAddNode";
            case ADD_LEARNER -> "ConfChangeAddLearnerNode";
            case REMOVE -> "ConfChangeRemoveNode";
        };
    }

    private static List<String> hexIds(final List<Long> ids) {
        return ids.stream().map(Long::toHexString).toList();
    }

    /**
     * A new leader first extends every lease by the election timeout (etcd's lessor Promote): the
     * old leader may have been unreachable, and keep-alives sent meanwhile must not count against
     * the leases. Only the leader expires leases.
     */
    private void roleChanged(final long newLeader, final RaftRole role) {
        final boolean wasLeader = leader;
        final boolean leaderChanged = newLeader != leaderId;
        if (newLeader != 0 && newLeader != leaderId) {
            metrics.leaderChanged(); // etcd counts a change to another leader, not the loss of one
        }
        leaderId = newLeader;
        leader = role == RaftRole.LEADER;
        if (leader && !wasLeader) {
            applier.lessor().promote(electionTimeoutNanos);
            nextLeaseDutiesNanos = System.nanoTime() + LEASE_DUTIES_EVERY_NANOS;
        }
        // etcd's raft says "became leader at term 2"; the fields are what operators filter on.
        LOG.log(System.Logger.Level.INFO, "became " + role.name().toLowerCase(java.util.Locale.ROOT).replace('_', '-'),
            LogField.memberId("local-member-id", node.id()), LogField.of("term", node.term()),
            LogField.memberId("leader-member-id", newLeader), LogField.of("leader-changed", leaderChanged));
    }

    /**
     * The leader's lease duties (etcd's lessor loop): a revoke for each expired lease and the due
     * checkpoints of remaining TTLs, proposed like client writes but answered to nobody.
     */
    private void proposeLeaseDuties() {
        final Lessor lessor = applier.lessor();
        for (final long id : lessor.expiredToRevoke(LEASE_REVOKES_PER_ROUND_MAX)) {
            final long requestId = requestIds.next();
            batch.add(new Unanswered(requestId, CommandCodec.encode(new Command.LeaseRevoke(requestId, id))));
        }
        final List<Lessor.Checkpoint> checkpoints =
            lessor.checkpointsDue(options.lease().checkpointIntervalNanos(), LEASE_CHECKPOINTS_PER_ROUND_MAX);
        if (!checkpoints.isEmpty()) {
            final long requestId = requestIds.next();
            batch.add(new Unanswered(requestId, CommandCodec.encode(new Command.LeaseCheckpoint(requestId, checkpoints))));
        }
        if (!batch.isEmpty()) {
            proposeBatch();
        }
    }

    /** Proposes this member's name and client URLs until one such entry is applied. */
    private void publish() {
        final long requestId = requestIds.next();
        final PendingRequests.Waiter waiter = pending.register(requestId, CommandCodec.encode(new Command.PublishMember(
            requestId, publication.memberId(), publication.name(), publication.clientUrls())), false);
        waiter.whenComplete((ok, failed) -> {
            if (failed == null) {
                published = true;
            }
        });
        batch.add(waiter);
        proposeBatch();
    }

    // ---- observers -------------------------------------------------------------------------------------------

    long term() {
        return term;
    }

    /** Raft's membership as of the last change this member applied (any thread). */
    ConfState confState() {
        return confState;
    }

    /** Whether this member is a learner (it replicates, but neither votes nor serves writes or linearizable reads). */
    boolean learner() {
        return confState.learners().contains(node.id());
    }

    /** The leader's match index of each member (its own too) as of the last tick; empty when not leading. */
    java.util.Map<Long, Long> matchIndexes() {
        return matchIndexes;
    }

    /** Whether this member is its cluster's only member (its own quorum). */
    boolean alone() {
        return alone;
    }

    /** Completes once this member, removed from the cluster, should stop. */
    CompletableFuture<Void> removal() {
        return removal;
    }

    long commitIndex() {
        return commitIndex;
    }

    long leaderId() {
        return leaderId;
    }

    boolean isLeader() {
        return leader;
    }

    boolean walOutOfSpace() {
        return walOutOfSpace;
    }

    Throwable failure() {
        return failure;
    }

    /** Called once the agent has stopped: fails what can no longer be answered. */
    @Override
    public void onClose() {
        if (failure != null) {
            pending.failAll(EtcdError.STOPPED);
        }
        reads.failAll(EtcdError.STOPPED);
    }
}
