package io.cairn.engine.node;

import io.cairn.btree.Checker;
import io.cairn.btree.Env;
import io.cairn.btree.EnvOptions;
import io.cairn.btree.ReadTxn;
import io.cairn.engine.api.EtcdError;
import io.cairn.engine.api.EtcdException;
import io.cairn.engine.backend.BtreeView;
import io.cairn.engine.cluster.RequestIds;
import io.cairn.engine.command.Command;
import io.cairn.engine.command.CommandCodec;
import io.cairn.engine.lease.GrantedLease;
import io.cairn.engine.lease.Lessor;
import io.cairn.engine.mvcc.LeaseAttachments;
import io.cairn.engine.mvcc.MvccStore;
import io.cairn.engine.mvcc.History;
import io.cairn.engine.mvcc.OpResult;
import io.cairn.engine.mvcc.RangeQuery;
import io.cairn.engine.mvcc.RangeResult;
import io.cairn.engine.mvcc.TxnOp;
import io.cairn.engine.server.KeyValueStore;
import io.cairn.posix.NativePosix;
import io.cairn.posix.Posix;
import io.cairn.raft.ConfState;
import io.cairn.raft.Entry;
import io.cairn.raft.HardState;
import io.cairn.raft.MemoryLogStorage;
import io.cairn.raft.NotLeaderException;
import io.cairn.raft.RaftConfig;
import io.cairn.raft.RaftNode;
import io.cairn.raft.Randomness;
import io.cairn.raft.Ready;
import io.cairn.raft.RequestDroppedException;
import io.cairn.wal.NoSpareSegmentException;
import io.cairn.wal.Recovered;
import io.cairn.wal.SnapshotMarker;
import io.cairn.wal.Wal;
import io.cairn.wal.WalOptions;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Function;
import java.util.function.LongConsumer;
import java.util.function.LongFunction;

/**
 * A member whose writes go through Raft: a write is encoded once as an SBE command, proposed,
 * made durable in the WAL (one group write per Ready), applied to the B+tree (unsynced), and only
 * then answered. The Raft loop thread steps the Raft core and appends to the WAL; the {@link ApplyLoop}
 * thread applies committed entries in order and answers the waiting calls, so one batch's apply
 * overlaps the next batch's WAL write. gRPC threads queue proposals and get a future; when both
 * threads are idle, a gRPC thread does the whole step itself (fewer wake-ups). Reads use B+tree
 * read transactions directly: on a single member every acknowledged write is applied before it is
 * acknowledged, so they are linearizable as they are.
 *
 * <p>The apply thread syncs the tree on a budget; once {@code --snapshot-count} entries are durable
 * there, the Raft loop writes a snapshot marker so the WAL can release the segments below it, and
 * compacts the in-memory Raft log to match. Restart replays the WAL from the tree's applied index.
 */
public final class RaftKeyValueStore implements KeyValueStore, AutoCloseable {
    private static final System.Logger LOG = System.getLogger(RaftKeyValueStore.class.getName());
    /** etcd's maxGapBetweenApplyAndCommitIndex: beyond it new writes get "too many requests". */
    private static final long APPLY_GAP_MAX_ENTRIES = 5_000;
    private static final long REPLAY_POLL_NANOS = TimeUnit.MILLISECONDS.toNanos(1);
    private static final long WAL_WRITE_SLACK_BYTES = 64L << 10;
    private static final int PROPOSALS_PER_LOOP_MAX = 4_096;
    /** etcd's lessor checks expiry every 500 ms and revokes at most 1,000 leases a second. */
    private static final long LEASE_DUTIES_EVERY_NANOS = TimeUnit.MILLISECONDS.toNanos(500);
    private static final int LEASE_REVOKES_PER_ROUND_MAX = 500;
    private static final int LEASE_CHECKPOINTS_PER_ROUND_MAX = 1_000;
    /**
     * A proposing thread steps the node itself only after this long without proposals. A burst must
     * queue for the loop instead: stepped one by one on the caller, each write would pay its own
     * fsync (no group commit) while the caller's event loop reads nothing else.
     */
    private static final long QUIET_BEFORE_INLINE_STEP_NANOS = TimeUnit.MILLISECONDS.toNanos(1);

    private record Proposal(long requestId, byte[] data) {
    }

    private final Env env;
    private final Wal wal;
    private final MemoryLogStorage storage;
    private final RaftNode node;
    private final CommandApplier applier;
    private final ApplyLoop applyLoop;
    private final RevisionWaiters revisionWaiters;
    private final long tickNanos;
    private final long releaseEveryEntries;
    private final long leaseCheckpointIntervalNanos;
    /** Ids of this member's proposals and of the leases it names: etcd's scheme, unique across members and runs. */
    private final RequestIds requestIds;
    /** Bounded, and never waited on: a full queue answers "too many requests" (see propose). */
    private final ArrayBlockingQueue<Proposal> proposals;
    private final int walWriteBytesMax;
    /**
     * Held by whichever thread steps the Raft node: the Raft loop, or a proposing thread that found
     * the loop waiting and steps the node itself (see {@link #propose(LongFunction)}).
     */
    private final ReentrantLock stepping = new ReentrantLock();
    /** True while the Raft loop waits for proposals without holding {@link #stepping}. */
    private volatile boolean loopWaiting;
    /** When the last client proposal came, by System.nanoTime. */
    private volatile long lastProposalNanos = System.nanoTime();
    /** Steps a proposing thread ran itself (written under stepping; read by tests). */
    private volatile long inlineSteps;
    private final PendingRequests pending;
    private final Thread loop;
    private volatile boolean closed;
    private volatile Throwable failure;
    // Written by the loop after each Ready, read by gRPC threads.
    private volatile long term;
    private volatile long commitIndex;
    // Guarded by stepping.
    private final List<Proposal> batch = new ArrayList<>(PROPOSALS_PER_LOOP_MAX);
    private final List<byte[]> payloads = new ArrayList<>(PROPOSALS_PER_LOOP_MAX);
    private long releasedIndex;
    private long nextLeaseDutiesNanos;
    private HardState persistedHardState = HardState.EMPTY;
    /**
     * A Ready whose entries the WAL refused for want of a segment (the disk is full), kept to be
     * persisted again; nothing else is stepped until it is. {@link #unpersistedWrites} of its WAL
     * writes went through before the refusal.
     */
    private Ready unpersisted;
    private int unpersistedWrites;
    /** The WAL cannot take entries for want of space: new writes are refused at once (etcd's NOSPACE text). */
    private volatile boolean walOutOfSpace;

    private RaftKeyValueStore(final Env env, final Wal wal, final MemberOptions options) {
        this.env = env;
        this.wal = wal;
        final long memberId = options.memberId();
        this.applier = new CommandApplier(env, options.lease().minTtlSeconds());
        this.leaseCheckpointIntervalNanos = options.lease().checkpointIntervalNanos();
        this.requestIds = new RequestIds(memberId, System.currentTimeMillis());
        this.tickNanos = TimeUnit.MILLISECONDS.toNanos(options.tickMillis());
        this.releaseEveryEntries = options.snapshotCount();
        this.proposals = new ArrayBlockingQueue<>(options.proposalsMax());
        this.walWriteBytesMax = walWriteBytesMax(options.maxRequestBytes(), options.walSegmentBytes());
        final Recovered recovered = wal.recovered();
        final ConfState membership = ConfState.ofVoters(memberId);
        this.storage = MemoryLogStorage.bootstrap(recovered.snapshot().index(), recovered.snapshot().term(), membership);
        storage.append(WalEntries.fromWal(recovered.entries()));
        final long applied = applier.appliedIndex();
        if (recovered.hardState().term() > 0) {
            // Commit-only hard states are not written (see handle), so the WAL's may trail the tree's applied index.
            final HardState saved = WalEntries.fromWal(recovered.hardState());
            storage.setHardState(new HardState(saved.term(), saved.vote(), Math.max(saved.commit(), applied)));
        } else {
            // etcd's fresh member starts in term 1 (its bootstrap entries), so its first election gives term 2.
            storage.setHardState(new HardState(1, 0, 0));
        }
        if (applied < recovered.snapshot().index() || applied > recovered.lastIndex()) {
            throw new IllegalStateException("the backend has applied index " + applied + " but the WAL covers "
                + recovered.snapshot().index() + ".." + recovered.lastIndex() + ": the data and WAL directories do not belong together");
        }
        this.revisionWaiters = new RevisionWaiters(applier.store().currentRevision());
        applier.onRevisionCommitted(revisionWaiters::advanced);
        this.pending = new PendingRequests(options.requestTimeoutNanos());
        this.applyLoop = new ApplyLoop(applier, pending::complete);
        this.releasedIndex = recovered.snapshot().index();
        final RaftConfig defaults = RaftConfig.defaults(memberId);
        this.node = new RaftNode(new RaftConfig(memberId, options.electionTicks(), 1, applied, defaults.maxMessageBytes(),
            defaults.maxInflightMessages(), defaults.maxInflightBytes(), defaults.maxUncommittedBytes(),
            defaults.maxCommittedBytesPerReady(), defaults.maxPendingReads(), true, true, defaults.readOnlyOption(),
            true), storage, Randomness.seeded(System.nanoTime()));
        this.loop = Thread.ofPlatform().name("cairn-raft").daemon().unstarted(this::runLoop);
    }

    /**
     * Opens the backend ({@code <data-dir>/member/snap/db}) and the WAL ({@code walDir}), replays what
     * the backend has not applied, and starts the Raft loop; returns once this member leads.
     */
    public static RaftKeyValueStore open(final Path dataDir, final Path walDir, final MemberOptions options)
        throws IOException {
        return open(dataDir, walDir, options, NativePosix.INSTANCE);
    }

    /** As above, with every file operation through {@code posix} (the power-cut and disk-error tests' seam). */
    public static RaftKeyValueStore open(final Path dataDir, final Path walDir, final MemberOptions options,
        final Posix posix) throws IOException {
        final Path snapDir = dataDir.resolve("member").resolve("snap");
        posix.createDirectories(snapDir);
        // Every value a client write can carry must fit the tree's records, or a write the checks
        // accepted would be refused halfway through applying.
        final Env env = Env.open(snapDir.resolve("db"), EnvOptions.defaults()
            .withMapSizeBytes(options.mapSizeBytes())
            .withMaxValueBytes(Math.toIntExact(MvccStore.storedValueBytesMax(options.maxRequestBytes())))
            .withSyncOnCommit(false), posix);
        final Wal wal;
        try {
            wal = Wal.open(walDir, walOptions(options), posix);
        } catch (final IOException | RuntimeException e) {
            env.close();
            throw e;
        }
        final RaftKeyValueStore kv;
        try {
            kv = new RaftKeyValueStore(env, wal, options);
        } catch (final RuntimeException e) {
            wal.close();
            env.close();
            throw e;
        }
        kv.node.campaign(); // the only voter: no reason to wait out an election timeout
        kv.term = kv.node.term();
        kv.applyLoop.start();
        kv.loop.start();
        try {
            kv.awaitReplay(wal.recovered().lastIndex());
        } catch (final IOException | RuntimeException e) {
            kv.close();
            throw e;
        }
        return kv;
    }

    /**
     * Waits until the WAL's entries are applied. Every entry in a single member's WAL was committed
     * (its only voter wrote it), and reads go straight to the tree, so serving a read before the
     * replay ends could miss an acknowledged write (a power-cut trial caught exactly that).
     */
    private void awaitReplay(final long lastIndex) throws IOException {
        while (applier.appliedIndex() < lastIndex) {
            if (failure != null) {
                throw new IOException("replaying the WAL failed: " + failure, failure);
            }
            applyLoop.checkHealthy();
            LockSupport.parkNanos(REPLAY_POLL_NANOS);
        }
    }

    /**
     * The WAL's largest write (one group commit): room for the largest entry a client request can
     * make (its command is larger than the request by a bounded overhead per operation), at least
     * the WAL's default, and what the segment size allows.
     */
    static int walWriteBytesMax(final long maxRequestBytes, final long segmentBytes) {
        final long entryBytesMax = 2 * maxRequestBytes + WAL_WRITE_SLACK_BYTES;
        final long segmentAllows = segmentBytes - 2 * WalOptions.BLOCK_BYTES; // a fresh segment's header and end record
        final long bytes = Math.min(Math.max(entryBytesMax, WalOptions.defaults().maxWriteBytes()), segmentAllows);
        if (bytes < entryBytesMax) {
            throw new IllegalArgumentException("WAL segments of " + segmentBytes + " bytes cannot hold a "
                + maxRequestBytes + "-byte request's entry");
        }
        return Math.toIntExact(bytes / WalOptions.BLOCK_BYTES * WalOptions.BLOCK_BYTES);
    }

    private static WalOptions walOptions(final MemberOptions options) {
        // The write bound first: the options check that a segment holds the largest write.
        return WalOptions.defaults()
            .withMaxWriteBytes(walWriteBytesMax(options.maxRequestBytes(), options.walSegmentBytes()))
            .withSegmentBytes(options.walSegmentBytes());
    }

    @Override
    public RangeResult range(final RangeQuery query) {
        try (ReadTxn read = env.beginRead()) {
            return applier.store().range(new BtreeView(read), query);
        }
    }

    @Override
    public CompletableFuture<OpResult.Put> put(final TxnOp.Put put) {
        return propose(id -> new Command.Write(id, put)).thenApply(OpResult.Put.class::cast);
    }

    @Override
    public CompletableFuture<OpResult.DeleteRange> deleteRange(final TxnOp.DeleteRange delete) {
        return propose(id -> new Command.Write(id, delete)).thenApply(OpResult.DeleteRange.class::cast);
    }

    @Override
    public CompletableFuture<OpResult.Txn> txn(final TxnOp.Txn txn) {
        return propose(id -> new Command.Write(id, txn)).thenApply(OpResult.Txn.class::cast);
    }

    @Override
    public CompletableFuture<Long> compact(final long revision, final boolean physical) {
        return propose(id -> new Command.Compact(id, revision, physical)).thenApply(Long.class::cast);
    }

    @Override
    public CompletableFuture<GrantedLease> leaseGrant(final long requestedId, final long ttlSeconds) {
        final long id = requestedId != 0 ? requestedId : requestIds.nextLeaseId();
        return propose(requestId -> new Command.LeaseGrant(requestId, id, ttlSeconds))
            .thenApply(ttl -> new GrantedLease(id, (Long)ttl));
    }

    @Override
    public CompletableFuture<Long> leaseRevoke(final long id) {
        return propose(requestId -> new Command.LeaseRevoke(requestId, id)).thenApply(Long.class::cast);
    }

    @Override
    public CompletableFuture<Void> revisionAfter(final long revision) {
        return revisionWaiters.after(revision);
    }

    @Override
    public List<byte[]> leaseKeys(final long id) {
        try (ReadTxn read = env.beginRead()) {
            return LeaseAttachments.keys(new BtreeView(read), id, Integer.MAX_VALUE);
        }
    }

    @Override
    public Lessor lessor() {
        return applier.lessor();
    }

    @Override
    public long currentRevision() {
        return applier.committedRevision();
    }

    @Override
    public <T> T readHistory(final Function<History, T> reader) {
        try (ReadTxn read = env.beginRead()) {
            return reader.apply(new History(new BtreeView(read)));
        }
    }

    /** {@code listener} hears each new revision after the lock and election waiters do. */
    @Override
    public void onRevisionCommitted(final LongConsumer listener) {
        applier.onRevisionCommitted(revision -> {
            revisionWaiters.advanced(revision);
            listener.accept(revision);
        });
    }

    /** The B+tree's full structural check (throws naming the fault); for tests and, later, etcdctl's checks. */
    public Checker.Report checkBackend() {
        return env.check();
    }

    @Override
    public long backendSizeBytes() {
        return env.fileSizeBytes();
    }

    long inlineSteps() {
        return inlineSteps;
    }

    @Override
    public long raftIndex() {
        return commitIndex;
    }

    @Override
    public long raftAppliedIndex() {
        return applier.appliedIndex();
    }

    @Override
    public long raftTerm() {
        return term;
    }

    /**
     * Queues the command and returns its outcome's future; never waits. When the Raft loop is
     * waiting for work and no other write came for a while, the calling thread (a gRPC event loop)
     * steps the node itself instead: it writes and syncs the WAL and applies, so a lone write is
     * answered without waking the Raft loop or the apply thread. Under load, proposals queue and
     * the loop batches them under one fsync as before.
     *
     * <p>Every call is answered: a full queue or an apply thread too far behind gives etcd's "too
     * many requests" at once (a caller may be the apply thread itself, finishing a lock or election
     * call: waiting here for the Raft loop, which may be waiting for the apply thread, would
     * deadlock), a stopping member "server stopped", and a call not answered in time "request timed
     * out".
     */
    private CompletableFuture<Object> propose(final LongFunction<Command> command) {
        if (stopping()) {
            return CompletableFuture.failedFuture(new EtcdException(EtcdError.STOPPED));
        }
        if (walOutOfSpace || applyLoop.outOfSpace()) {
            // Waiting would only time out: the disk must get space first (the log says which).
            return CompletableFuture.failedFuture(new EtcdException(EtcdError.NO_SPACE));
        }
        if (commitIndex - applier.appliedIndex() > APPLY_GAP_MAX_ENTRIES) {
            return CompletableFuture.failedFuture(new EtcdException(EtcdError.TOO_MANY_REQUESTS));
        }
        final long id = requestIds.next();
        final CompletableFuture<Object> result = pending.register(id);
        if (stopping()) {
            // The member began to stop after the first check; its last sweep may have run before
            // this call registered, so answer it here (whoever removes it first answers it).
            pending.fail(id, EtcdError.STOPPED);
            return result;
        }
        final Proposal proposal = new Proposal(id, CommandCodec.encode(command.apply(id)));
        final long now = System.nanoTime();
        final boolean quiet = now - lastProposalNanos >= QUIET_BEFORE_INLINE_STEP_NANOS;
        lastProposalNanos = now;
        if (quiet && mayStepHere() && stepping.tryLock()) {
            try {
                stepInline(proposal);
            } finally {
                stepping.unlock();
            }
            return result;
        }
        if (!proposals.offer(proposal)) {
            pending.fail(id, EtcdError.TOO_MANY_REQUESTS);
        }
        return result;
    }

    private boolean stopping() {
        return closed || failure != null;
    }

    /**
     * Not from the Raft loop or the apply thread (they would step the node inside their own step
     * or apply), nor from inside an inline step (an answer's callback proposing again).
     */
    private boolean mayStepHere() {
        final Thread current = Thread.currentThread();
        return loopWaiting && current != loop && !applyLoop.isApplyThread(current) && !stepping.isHeldByCurrentThread();
    }

    /** One step of the node on the proposing thread, with whatever else is queued; guarded by stepping. */
    private void stepInline(final Proposal proposal) {
        if (stopping()) {
            pending.fail(proposal.requestId(), EtcdError.STOPPED);
            return;
        }
        batch.add(proposal);
        if (unpersisted != null) {
            return; // the Raft loop proposes it once the WAL takes entries again
        }
        proposals.drainTo(batch, PROPOSALS_PER_LOOP_MAX - batch.size());
        inlineSteps++;
        try {
            propose(batch, payloads);
            handleReadies();
        } catch (final InterruptedException e) {
            Thread.currentThread().interrupt();
            fail(e);
        } catch (final IOException | RuntimeException | Error e) {
            fail(e);
        }
    }

    /** Stops the member: the Raft loop sees the failure, ends and answers every waiting call. */
    private void fail(final Throwable e) {
        failure = e;
        LOG.log(System.Logger.Level.ERROR, "the Raft loop stopped: " + e + ". " + ApplyLoop.WHAT_TO_DO, e);
    }

    private void runLoop() {
        long nextTickNanos = System.nanoTime() + tickNanos;
        boolean moreReady = false;
        try {
            while (!closed && failure == null) {
                final long waitNanos = nextTickNanos - System.nanoTime();
                Proposal first = null;
                if (waitNanos > 0 && !moreReady) {
                    loopWaiting = true;
                    try {
                        first = proposals.poll(waitNanos, TimeUnit.NANOSECONDS);
                    } finally {
                        loopWaiting = false;
                    }
                }
                stepping.lock();
                try {
                    if (first != null) {
                        batch.add(first);
                    }
                    if (failure != null) {
                        break; // an inline step failed; waiting calls are answered below
                    }
                    if (unpersisted != null) {
                        // The disk is full: try the WAL again (it waits a while for a segment itself);
                        // proposals wait in the batch, answered by their deadlines if it takes long.
                        handleReadies();
                        moreReady = unpersisted == null && node.hasReady();
                        continue;
                    }
                    proposals.drainTo(batch, PROPOSALS_PER_LOOP_MAX - batch.size());
                    if (!batch.isEmpty()) {
                        propose(batch, payloads);
                    }
                    if (System.nanoTime() - nextTickNanos >= 0) {
                        node.tick();
                        nextTickNanos += tickNanos;
                    }
                    handleReadies();
                    releaseOnBudget();
                    if (System.nanoTime() - nextLeaseDutiesNanos >= 0) {
                        proposeLeaseDuties(batch, payloads);
                        nextLeaseDutiesNanos = System.nanoTime() + LEASE_DUTIES_EVERY_NANOS;
                    }
                    applyLoop.checkHealthy();
                    moreReady = node.hasReady();
                } finally {
                    stepping.unlock();
                }
            }
        } catch (final InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (final IOException | RuntimeException | Error e) {
            fail(e);
        }
        if (failure != null) {
            pending.failAll(EtcdError.STOPPED); // nothing more will be applied
        }
    }

    /**
     * Each Ready is persisted and applied before the next, until Raft has nothing more (bounded), or
     * until the WAL refuses one for want of space (then it is kept and tried again first next time).
     */
    private void handleReadies() throws IOException, InterruptedException {
        if (unpersisted != null) {
            final Ready ready = unpersisted;
            if (!persist(ready, unpersistedWrites)) {
                return;
            }
            unpersisted = null;
            finish(ready);
        }
        for (int readies = 0; readies < PROPOSALS_PER_LOOP_MAX && node.hasReady(); readies++) {
            final Ready ready = node.ready();
            if (!persist(ready, 0)) {
                return;
            }
            finish(ready);
        }
    }

    private void propose(final List<Proposal> batch, final List<byte[]> payloads) {
        payloads.clear();
        for (final Proposal p : batch) {
            payloads.add(p.data());
        }
        try {
            node.proposeBatch(payloads);
        } catch (final NotLeaderException | RequestDroppedException refused) {
            final EtcdError error = refused instanceof NotLeaderException ? EtcdError.NO_LEADER : EtcdError.TOO_MANY_REQUESTS;
            for (final Proposal p : batch) {
                pending.fail(p.requestId(), error);
            }
        }
        batch.clear();
    }

    /**
     * Makes the Ready's entries, term and vote durable, from its {@code fromWrite}-th WAL write on;
     * false if the WAL refused for want of a segment (the Ready is kept in {@link #unpersisted}).
     * Any other WAL failure is the member's end (thrown): the log cannot be trusted to take more.
     */
    private boolean persist(final Ready ready, final int fromWrite) throws IOException {
        if (ready.snapshot() != null) {
            throw new IllegalStateException("a single member never receives a snapshot");
        }
        // Entries, a term or a vote must be durable before anything depends on them. The commit index
        // is volatile state in Raft (it is learned again after a restart, and the tree's applied index
        // caps what replay needs), so a Ready that only moves it writes nothing: one fsync per cycle.
        final boolean termOrVote = termOrVoteChanged(ready.hardState());
        if (ready.entries().isEmpty() && !termOrVote) {
            return true;
        }
        // Written on this thread: it waits for durability anyway, and a hand-off to the WAL's
        // flusher and back cost two thread wake-ups per write.
        final List<List<Entry>> writes = WalEntries.inWrites(ready.entries(), walWriteBytesMax);
        for (int i = fromWrite; i < writes.size(); i++) {
            final boolean last = i == writes.size() - 1;
            try {
                wal.appendAndSync(WalEntries.toWal(writes.get(i)), last ? WalEntries.toWal(ready.hardState()) : null);
            } catch (final NoSpareSegmentException full) {
                unpersisted = ready;
                unpersistedWrites = i;
                if (!walOutOfSpace) {
                    walOutOfSpace = true;
                    LOG.log(System.Logger.Level.ERROR, "the WAL in " + wal.directory() + " cannot take entries: "
                        + full.getMessage() + ". Writes are refused with '" + EtcdError.NO_SPACE.message()
                        + "' until space is freed on that filesystem; reads go on, and nothing acknowledged is lost.");
                }
                return false;
            }
        }
        if (walOutOfSpace) {
            walOutOfSpace = false;
            LOG.log(System.Logger.Level.INFO, "the WAL in " + wal.directory() + " takes entries again: writes resume");
        }
        storage.append(ready.entries());
        persistedHardState = ready.hardState() != null ? ready.hardState() : persistedHardState;
        return true;
    }

    /** The rest of a persisted Ready: the hard state in Raft's storage, the committed entries applied. */
    private void finish(final Ready ready) throws IOException, InterruptedException {
        if (ready.hardState() != null) {
            storage.setHardState(ready.hardState());
        }
        // A single member has nobody to send to; messages appear with the cluster issue.
        if (!ready.committedEntries().isEmpty() && !applyLoop.applyIfIdle(ready.committedEntries())) {
            applyLoop.submit(ready.committedEntries());
        }
        node.advance(ready);
        term = node.term();
        commitIndex = node.commitIndex();
    }

    /**
     * The leader's lease duties (etcd's lessor loop): a revoke for each expired lease and the due
     * checkpoints of remaining TTLs, proposed like client writes but answered to nobody.
     */
    private void proposeLeaseDuties(final List<Proposal> batch, final List<byte[]> payloads) {
        final Lessor lessor = applier.lessor();
        for (final long id : lessor.expiredToRevoke(LEASE_REVOKES_PER_ROUND_MAX)) {
            final long requestId = requestIds.next();
            batch.add(new Proposal(requestId, CommandCodec.encode(new Command.LeaseRevoke(requestId, id))));
        }
        final List<Lessor.Checkpoint> checkpoints =
            lessor.checkpointsDue(leaseCheckpointIntervalNanos, LEASE_CHECKPOINTS_PER_ROUND_MAX);
        if (!checkpoints.isEmpty()) {
            final long requestId = requestIds.next();
            batch.add(new Proposal(requestId, CommandCodec.encode(new Command.LeaseCheckpoint(requestId, checkpoints))));
        }
        if (!batch.isEmpty()) {
            propose(batch, payloads);
        }
    }

    private boolean termOrVoteChanged(final HardState next) {
        return next != null && (next.term() != persistedHardState.term() || next.vote() != persistedHardState.vote());
    }

    /**
     * Once the apply thread has synced the tree far enough past the last release, a snapshot marker
     * lets the WAL drop what the tree now holds durably, and the in-memory log drops the same prefix.
     */
    private void releaseOnBudget() throws IOException {
        final long synced = applyLoop.syncedIndex();
        if (synced - releasedIndex < releaseEveryEntries) {
            return;
        }
        wal.saveSnapshot(new SnapshotMarker(node.termAt(synced), synced)).join();
        wal.releaseBefore(synced);
        // The snapshot's data stays empty until a cluster needs to send one (the cluster issue).
        storage.createSnapshot(synced, node.confState(), new byte[0]);
        storage.compact(synced);
        releasedIndex = synced;
    }

    @Override
    public void close() throws IOException {
        closed = true;
        try {
            loop.join();
        } catch (final InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        // An inline step that began before closed was set finishes before the WAL closes; later ones refuse.
        stepping.lock();
        stepping.unlock();
        try {
            applyLoop.close(); // applies and answers what was committed
        } catch (final InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            // Whatever was proposed and not applied will not be now.
            pending.close();
            pending.failAll(EtcdError.STOPPED);
            try {
                wal.close();
            } finally {
                env.close();
            }
        }
    }
}
