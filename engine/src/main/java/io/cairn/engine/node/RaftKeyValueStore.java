package io.cairn.engine.node;

import io.cairn.btree.Checker;
import io.cairn.btree.ReadTxn;
import io.cairn.btree.TreeImage;
import io.cairn.engine.api.EtcdError;
import io.cairn.engine.api.EtcdException;
import io.cairn.engine.backend.BackendHash;
import io.cairn.engine.backend.BtreeView;
import io.cairn.engine.auth.AuthEvent;
import io.cairn.engine.auth.AuthInfo;
import io.cairn.engine.auth.AuthOp;
import io.cairn.engine.auth.AuthState;
import io.cairn.engine.auth.Authenticated;
import io.cairn.engine.cluster.Alarm;
import io.cairn.engine.cluster.Member;
import io.cairn.engine.cluster.RequestIds;
import io.cairn.engine.command.Command;
import io.cairn.engine.command.CommandCodec;
import io.cairn.engine.lease.GrantedLease;
import io.cairn.engine.lease.Lessor;
import io.cairn.engine.mvcc.History;
import io.cairn.engine.mvcc.KvHash;
import io.cairn.engine.mvcc.LeaseAttachments;
import io.cairn.engine.mvcc.MvccStore;
import io.cairn.engine.mvcc.OpResult;
import io.cairn.engine.mvcc.RangeQuery;
import io.cairn.engine.mvcc.RangeResult;
import io.cairn.engine.mvcc.TxnOp;
import io.cairn.posix.NativePosix;
import io.cairn.posix.Posix;
import io.cairn.raft.ConfState;
import io.cairn.raft.HardState;
import io.cairn.raft.RaftConfig;
import io.cairn.raft.RaftNode;
import io.cairn.raft.Randomness;
import io.aeron.driver.ThreadingMode;
import io.cairn.transport.PeerUrl;
import io.cairn.transport.TransportConfig;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.LongConsumer;
import java.util.function.LongFunction;
import org.agrona.concurrent.AgentRunner;

/**
 * The member as the gRPC services see it: writes are encoded once as commands and proposed through
 * the {@link RaftLoop} (on a follower Raft forwards them to the leader), and answered once applied
 * here; linearizable reads wait for a batched ReadIndex; serializable reads go to the local tree.
 *
 * <p>Parts and their owners: {@link MemberStorage} (tree, WAL, Raft log) and the {@link Peers} are
 * the Raft loop's; the tree's writer is the {@link ApplyLoop}'s; {@link PendingRequests} answers
 * each write exactly once; {@link LinearizableReads} each read.
 */
public final class RaftKeyValueStore implements KeyValueStore, AutoCloseable {
    private static final long REPLAY_POLL_NANOS = TimeUnit.MILLISECONDS.toNanos(1);
    /**
     * Entry bytes per APPEND, and APPEND bytes a follower has not acknowledged yet. Aeron refuses an
     * offer far ahead of its subscriber (the receiver window, 128 KiB by default), and a refused
     * APPEND leaves a gap that costs the follower a rejection and a probe round; bounded so, the
     * leader waits for acknowledgements instead. A member joining with 63,000 entries to catch up
     * served after 17 s instead of 33 s (etcd's 1 MiB and unbounded bytes; engine/README.md).
     */
    static final long APPEND_BYTES_MAX = 256 << 10;
    static final long APPENDS_IN_FLIGHT_BYTES_MAX = 1 << 20;

    private final MemberStorage storage;
    private final CommandApplier applier;
    private final ApplyLoop applyLoop;
    private final RevisionWaiters revisionWaiters;
    private final PendingRequests pending;
    private final NodeMetrics metrics;
    private final LinearizableReads reads;
    private final RequestIds requestIds;
    private final RaftLoop loop;
    private final AgentRunner runner;
    private final Peers peers;
    private final long electionTimeoutNanos;
    private final BackendDefragmenter defragmenter;
    private volatile boolean closed;
    /**
     * TESTS ONLY, a planted bug: a follower allows "linearizable" reads at once on its own tree,
     * without ReadIndex, so they can be stale. It exists so the cluster linearizability test can
     * show its checker catches stale reads; nothing outside tests sets it (package-private, off).
     */
    volatile boolean plantedBugFollowerReadsSkipReadIndex;

    /** TESTS ONLY: turns on {@link #plantedBugFollowerReadsSkipReadIndex} in a member process (see testfaults). */
    public void plantBugFollowerReadsSkipReadIndex() {
        plantedBugFollowerReadsSkipReadIndex = true;
    }

    /** TESTS ONLY: the WAL acknowledges appends without fdatasync (see Wal#plantBugAcknowledgeBeforeFdatasync). */
    public void plantBugWalAcknowledgesBeforeFdatasync() {
        storage.wal.plantBugAcknowledgeBeforeFdatasync();
    }

    /**
     * A snapshot a peer sent over TCP to this member's peer listener ({@code POST /cairn/snapshot}), on the
     * listener's request thread; see {@link io.cairn.transport.AeronTransport#receiveSnapshot}.
     */
    public io.cairn.transport.SnapshotUploadAnswer receiveSnapshot(
        final io.cairn.transport.SnapshotUploadRequest request) {
        return peers.receiveSnapshot(request);
    }

    private RaftKeyValueStore(final MemberStorage storage, final MemberOptions options, final ClusterOptions cluster,
        final Peers peers, final boolean alone) {
        this.storage = storage;
        this.peers = peers;
        this.electionTimeoutNanos = TimeUnit.MILLISECONDS.toNanos(options.tickMillis()) * options.electionTicks();
        final long memberId = storage.identity.memberId();
        this.applier = new CommandApplier(storage.env, options.lease().minTtlSeconds());
        final long applied = applier.appliedIndex();
        final long walFirst = storage.log.firstIndex() - 1;
        final long walLast = storage.log.lastIndex();
        if (applied < walFirst || applied > walLast) {
            throw new IllegalStateException("the backend has applied index " + applied + " but the WAL covers "
                + walFirst + ".." + walLast + ": the data and WAL directories do not belong together");
        }
        final HardState saved = storage.log.hardState();
        // Commit-only hard states are not written (see MemberStorage.persist), so the WAL's may trail the tree's applied index.
        storage.log.setHardState(new HardState(Math.max(saved.term(), 1), saved.vote(), Math.max(saved.commit(), applied)));
        this.requestIds = new RequestIds(memberId, System.currentTimeMillis());
        this.revisionWaiters = new RevisionWaiters(applier.store().currentRevision());
        applier.onRevisionCommitted(revisionWaiters::advanced);
        this.pending = new PendingRequests(options.requestTimeoutNanos());
        this.metrics = new NodeMetrics(storage.wal.metrics(), pending, peers::counters);
        this.reads = new LinearizableReads(options.requestTimeoutNanos(), applied);
        applier.onApplied(reads::applied);
        this.applyLoop = new ApplyLoop(applier, pending::complete, metrics);
        final RaftConfig defaults = RaftConfig.defaults(memberId);
        final RaftNode node = new RaftNode(new RaftConfig(memberId, options.electionTicks(), 1, applied,
            APPEND_BYTES_MAX, defaults.maxInflightMessages(), APPENDS_IN_FLIGHT_BYTES_MAX,
            defaults.maxUncommittedBytes(), defaults.maxCommittedBytesPerReady(), defaults.maxPendingReads(), true, true,
            defaults.readOnlyOption(), true), storage.log, Randomness.seeded(System.nanoTime()));
        if (alone) {
            node.campaign(); // the only voter is its own quorum: no reason to wait out an election timeout
        }
        this.loop = new RaftLoop(storage, node, peers, applyLoop, applier, pending, reads, requestIds, options, metrics,
            new RaftLoop.Publication(memberId, cluster.name(), cluster.clientUrls()));
        this.runner = new AgentRunner(new RaftLoopIdle(loop::lastBusyNanos, loop::awaitTraffic), e -> { }, null, loop);
        this.defragmenter = new BackendDefragmenter(storage.env, metrics);
    }

    /** A member alone in its cluster (tests): its data at {@code dataDir}, its WAL at {@code walDir}. */
    public static RaftKeyValueStore open(final Path dataDir, final Path walDir, final MemberOptions options)
        throws IOException {
        return open(dataDir, walDir, options, NativePosix.INSTANCE);
    }

    /** As above, with every file operation through {@code posix} (the power-cut and disk-error tests' seam). */
    public static RaftKeyValueStore open(final Path dataDir, final Path walDir, final MemberOptions options,
        final Posix posix) throws IOException {
        return open(dataDir, walDir, options, ClusterOptions.single(options.memberId()), posix);
    }

    /**
     * Opens (or bootstraps) the member's storage, starts its peers, the apply thread and the Raft
     * loop, and returns once the entries its WAL held as committed are applied, so a serializable
     * read never misses a write this member acknowledged before a restart.
     */
    public static RaftKeyValueStore open(final Path dataDir, final Path walDir, final MemberOptions options,
        final ClusterOptions cluster, final Posix posix) throws IOException {
        // A member alone starts its transport only once a member is added (see OnDemandPeers).
        return open(dataDir, walDir, options, cluster, posix, (storage, alone) -> alone
            ? new OnDemandPeers(storage.identity.memberId(), () -> startPeers(storage, cluster))
            : startPeers(storage, cluster));
    }

    /** Makes a member's peers once its storage is open. */
    interface PeersFactory {
        Peers start(MemberStorage storage, boolean alone) throws IOException;
    }

    /** As above, with the peers {@code peersFactory} makes (tests: peers of their own). */
    static RaftKeyValueStore open(final Path dataDir, final Path walDir, final MemberOptions options,
        final ClusterOptions cluster, final Posix posix, final PeersFactory peersFactory) throws IOException {
        final MemberStorage storage = MemberStorage.open(dataDir, walDir, options, cluster.initial(), cluster.name(),
            posix);
        final RaftKeyValueStore kv;
        Peers peers = null;
        try {
            final boolean alone = RaftLoop.isAlone(storage.log.confState(), storage.identity.memberId());
            peers = peersFactory.start(storage, alone);
            kv = new RaftKeyValueStore(storage, options, cluster, peers, alone);
        } catch (final IOException | RuntimeException e) {
            if (peers != null) {
                peers.close();
            }
            storage.close();
            throw e;
        }
        kv.applyLoop.start();
        AgentRunner.startOnThread(kv.runner);
        try {
            // Every entry in a sole voter's WAL was committed (it wrote it itself); a member of a
            // cluster knows only its saved commit index until the leader tells it more.
            final long walLast = storage.log.lastIndex();
            kv.awaitReplay(kv.loop.alone() ? walLast : Math.min(storage.log.hardState().commit(), walLast));
        } catch (final IOException | RuntimeException e) {
            kv.close();
            throw e;
        }
        return kv;
    }

    /** A member of a cluster's peers: Aeron, its media driver in the Raft loop's poll. */
    static Peers startPeers(final MemberStorage storage, final ClusterOptions cluster) throws IOException {
        final MemberStorage.Identity self = storage.identity;
        // The media driver runs inside the Raft loop's poll (INVOKER): one thread owns Raft, the
        // transport and the driver, and the loop flushes a leader's appends onto the wire before its
        // own fsync. Measured on 2 cores: put/1 p50 2.4 ms against 5.7 ms with a SHARED driver thread
        // (whose backoff held appends back); see engine/README.md, Cluster figures.
        TransportConfig config = TransportConfig.defaults(self.clusterId(), self.memberId(),
            PeerUrl.of(java.net.URI.create(cluster.listenPeerUrl()))).withDriver(ThreadingMode.INVOKER, "noop")
            .withSnapshotsOverTcp(cluster.snapshotsOverTcp());
        if (cluster.aeronDir() != null) {
            config = config.withAeronDir(cluster.aeronDir());
        }
        // A member joining a running cluster knows nobody from its own data yet: the members the
        // running one told it of are its peers until the leader's log says more.
        final List<Member> known = storage.knownMembers();
        return AeronPeers.start(config, known.isEmpty() ? cluster.initial().members() : known,
            storage.snapshotDir(), storage.env,
            cluster.messageFaults(), cluster.peerTls());
    }

    /** Waits until the entries known committed at start are applied (a single member's: all of its WAL). */
    private void awaitReplay(final long committedIndex) throws IOException {
        while (applier.appliedIndex() < committedIndex) {
            if (loop.failure() != null) {
                throw new IOException("replaying the WAL failed: " + loop.failure(), loop.failure());
            }
            applyLoop.checkHealthy();
            LockSupport.parkNanos(REPLAY_POLL_NANOS);
        }
    }

    @Override
    public RangeResult range(final RangeQuery query) {
        try (ReadTxn read = storage.env.beginRead()) {
            return applier.store().range(new BtreeView(read), query);
        }
    }

    @Override
    public CompletableFuture<Void> linearizableRead() {
        if (loop.alone() && !closed && (loop.isLeader() || loop.failure() != null)) {
            // A sole voter is its own quorum and answers a write only once applied: its tree already
            // holds every acknowledged write. So reads go on after a failure stopped its writes.
            return CompletableFuture.completedFuture(null);
        }
        if (stopping()) {
            return CompletableFuture.failedFuture(new EtcdException(EtcdError.STOPPED));
        }
        if (plantedBugFollowerReadsSkipReadIndex && !loop.isLeader()) {
            return CompletableFuture.completedFuture(null); // the planted bug (tests only): possibly stale
        }
        final CompletableFuture<Void> read = reads.await();
        loop.wake();
        return read;
    }

    @Override
    public CompletableFuture<OpResult.Put> put(final TxnOp.Put put, final AuthInfo caller) {
        return outcomeOfPut(propose(put, caller, PUT_WAITER));
    }

    /**
     * The waiting call's own future, typed: a Write of a Put completes only with the OpResult.Put
     * that MvccStore.put returns (CommandApplier.applyWrite), or exceptionally with its refusal, so
     * the cast cannot fail. A thenApply(cast) stage cost a second future and a completion per put
     * (issue #21).
     */
    @SuppressWarnings("unchecked")
    private static CompletableFuture<OpResult.Put> outcomeOfPut(final CompletableFuture<?> outcome) {
        return (CompletableFuture<OpResult.Put>)outcome;
    }

    @Override
    public CompletableFuture<OpResult.DeleteRange> deleteRange(final TxnOp.DeleteRange delete, final AuthInfo caller) {
        return propose(id -> new Command.Write(id, delete, caller)).thenApply(OpResult.DeleteRange.class::cast);
    }

    @Override
    public CompletableFuture<OpResult.Txn> txn(final TxnOp.Txn txn, final AuthInfo caller) {
        return propose(id -> new Command.Write(id, txn, caller)).thenApply(OpResult.Txn.class::cast);
    }

    @Override
    public AuthState auth() {
        return applier.auth().committed();
    }

    @Override
    public CompletableFuture<Long> changeAuth(final AuthInfo caller, final AuthOp op) {
        return propose(id -> new Command.AuthChange(id, caller, op)).thenApply(Long.class::cast);
    }

    @Override
    public CompletableFuture<Authenticated> authenticate(final String name, final String simpleTokenPrefix) {
        return propose(id -> new Command.Authenticate(id, name, simpleTokenPrefix)).thenApply(Authenticated.class::cast);
    }

    @Override
    public void onAuthEvent(final Consumer<AuthEvent> listener) {
        applier.auth().onEvent(listener);
    }

    @Override
    public OpResult.Txn readOnlyTxn(final TxnOp.Txn txn) {
        try (ReadTxn read = storage.env.beginRead()) {
            return applier.store().readOnlyTxn(new BtreeView(read), txn);
        }
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
    public List<Alarm> alarms() {
        return applier.raisedAlarms();
    }

    @Override
    @SuppressWarnings("unchecked")
    public CompletableFuture<Optional<Alarm>> changeAlarm(final boolean activate, final Alarm alarm) {
        return propose(requestId -> new Command.AlarmChange(requestId, activate, alarm))
            .thenApply(changed -> (Optional<Alarm>)changed);
    }

    @Override
    public CompletableFuture<Long> leaseRevoke(final long id) {
        return propose(requestId -> new Command.LeaseRevoke(requestId, id)).thenApply(Long.class::cast);
    }

    /**
     * A keep-alive goes through the log, so the leader (which alone expires leases) renews it
     * wherever the client sent it, and every member's TimeToLive agrees. A lease this member
     * already sees expired is refused at once, as etcd refuses one whose revoke is under way.
     */
    @Override
    public CompletableFuture<Long> leaseRenew(final long id) {
        if (!applier.lessor().alive(id)) {
            return CompletableFuture.failedFuture(new EtcdException(EtcdError.LEASE_NOT_FOUND));
        }
        return propose(requestId -> new Command.LeaseRenew(requestId, id)).thenApply(Long.class::cast);
    }

    @Override
    public CompletableFuture<Void> revisionAfter(final long revision) {
        return revisionWaiters.after(revision);
    }

    @Override
    public List<byte[]> leaseKeys(final long id) {
        try (ReadTxn read = storage.env.beginRead()) {
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
        try (ReadTxn read = storage.env.beginRead()) {
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
        return storage.env.check();
    }

    @Override
    public long backendSizeBytes() {
        return storage.env.fileSizeBytes();
    }

    @Override
    public long backendSizeInUseBytes() {
        return storage.env.sizeInUseBytes();
    }

    @Override
    public BackendHashResult hashBackend() {
        try (ReadTxn read = storage.env.beginRead()) {
            final BtreeView view = new BtreeView(read);
            return new BackendHashResult(BackendHash.of(view), MvccStore.currentRevision(view));
        }
    }

    @Override
    public TreeImage openBackendImage() throws IOException {
        return storage.env.openImage();
    }

    @Override
    public CompletableFuture<io.cairn.btree.Env.Defragmentation> defragment() {
        if (stopping()) {
            return CompletableFuture.failedFuture(new EtcdException(EtcdError.STOPPED));
        }
        return defragmenter.defragment();
    }

    @Override
    public NodeMetrics metrics() {
        return metrics;
    }

    @Override
    public long raftIndex() {
        return loop.commitIndex();
    }

    /** The Raft loop's duty cycles so far; for tests. */
    long raftLoopDutyCycles() {
        return loop.dutyCycles();
    }

    /** Chunks the Raft loop's log arena has made (see {@link LogArena}); for tests, once the member is quiet. */
    long logArenaChunksMade() {
        return loop.logArenaChunksMade();
    }

    /** When the Raft loop last did work for clients (see {@link RaftLoop#lastBusyNanos()}); for tests. */
    long raftLoopLastBusyNanos() {
        return loop.lastBusyNanos();
    }

    @Override
    public long raftAppliedIndex() {
        return applier.appliedIndex();
    }

    @Override
    public long raftTerm() {
        return loop.term();
    }

    @Override
    public MemberStatus status() {
        return new MemberStatus(storage.identity.memberId(), storage.identity.clusterId(), loop.leaderId(), loop.learner(),
            loop.term(), loop.commitIndex(), applier.appliedIndex());
    }

    @Override
    public KvHash.Result hashKv(final long revision) {
        try (ReadTxn read = storage.env.beginRead()) {
            return KvHash.of(new BtreeView(read), revision);
        }
    }

    @Override
    public CompletableFuture<Void> moveLeader(final long transferee) {
        // etcd's order: the leader check first, then the transferee's.
        if (!loop.isLeader()) {
            return CompletableFuture.failedFuture(new EtcdException(EtcdError.NOT_LEADER));
        }
        if (members().stream().noneMatch(member -> member.id() == transferee && !member.learner())) {
            return CompletableFuture.failedFuture(new EtcdException(EtcdError.BAD_LEADER_TRANSFEREE));
        }
        return loop.moveLeader(transferee);
    }

    @Override
    public List<Member> members() {
        return applier.members();
    }

    @Override
    public CompletableFuture<List<Member>> addMember(final long id, final List<String> peerUrls, final boolean learner) {
        return proposeMembership(requestId -> new Command.AddMember(requestId, id, "", peerUrls, learner));
    }

    @Override
    public CompletableFuture<List<Member>> removeMember(final long id) {
        return proposeMembership(requestId -> new Command.RemoveMember(requestId, id));
    }

    @Override
    public CompletableFuture<List<Member>> promoteMember(final long id) {
        return proposeMembership(requestId -> new Command.PromoteMember(requestId, id));
    }

    @Override
    @SuppressWarnings("unchecked")
    public CompletableFuture<List<Member>> updateMember(final long id, final List<String> peerUrls) {
        return propose(requestId -> new Command.UpdateMember(requestId, id, peerUrls))
            .thenApply(members -> (List<Member>) members);
    }

    @SuppressWarnings("unchecked")
    private CompletableFuture<List<Member>> proposeMembership(final LongFunction<Command> command) {
        return propose(command, true).thenApply(members -> (List<Member>) members);
    }

    @Override
    public long peerConnectedSinceNanos(final long id) {
        return peers.connectedSinceNanos(id);
    }

    @Override
    public ReplicationProgress replicationProgress(final long id) {
        final java.util.Map<Long, Long> matches = loop.matchIndexes();
        final Long member = matches.get(id);
        final Long own = matches.get(storage.identity.memberId());
        return member == null || own == null ? null : new ReplicationProgress(member, own);
    }

    @Override
    public java.util.Set<Long> removedMemberIds() {
        return applier.removedMemberIds();
    }

    /** TESTS ONLY: a write transaction on the member's tree; every other writer waits until it ends. */
    io.cairn.btree.WriteTxn beginTreeWrite() {
        return storage.env.beginWrite();
    }

    /** The first entry of Raft's in-memory log (tests: where a restart started it; read off the Raft loop). */
    long raftLogFirstIndex() {
        return storage.log.firstIndex();
    }

    /** Raft's voters and learners on this member (tests: they must match the members bucket). */
    ConfState raftMembership() {
        return loop.confState();
    }

    @Override
    public boolean isLearner() {
        return loop.learner();
    }

    @Override
    public CompletableFuture<Void> removal() {
        return loop.removal();
    }

    private CompletableFuture<Object> propose(final LongFunction<Command> command) {
        return propose(command, false);
    }

    private CompletableFuture<Object> propose(final LongFunction<Command> command, final boolean confChange) {
        return propose(command, confChange, COMMAND_WAITER);
    }

    /**
     * A proposal's waiting call for the request id it is given, from two arguments: the put path's
     * maker captures nothing, so a put makes no lambda and no {@link Command} to encode (issue #21),
     * and its encoding is left to the Raft loop, which writes it into its log arena.
     */
    @FunctionalInterface
    private interface WaiterMaker<A, B> {
        PendingRequests.Waiter register(PendingRequests pending, long requestId, A first, B second);
    }

    private static final WaiterMaker<TxnOp.Put, AuthInfo> PUT_WAITER = PendingRequests::registerPut;
    private static final WaiterMaker<LongFunction<Command>, Boolean> COMMAND_WAITER = (pending, id, command, confChange) -> {
        final Command proposed = command.apply(id);
        return pending.register(id,
            confChange ? MembershipApplier.confChangeFor(proposed).encode() : CommandCodec.encode(proposed), confChange);
    };

    /**
     * Queues the command for the Raft loop and returns its outcome's future; never waits. Every call
     * is answered: a full queue or an apply thread too far behind gives etcd's "too many requests"
     * at once (a caller may be the apply thread itself, finishing a lock or election call: waiting
     * here for the Raft loop, which may be waiting for the apply thread, would deadlock), a stopping
     * member "server stopped", and a call not answered in time "request timed out".
     */
    private <A, B> CompletableFuture<Object> propose(final A first, final B second, final WaiterMaker<A, B> maker) {
        if (stopping()) {
            return CompletableFuture.failedFuture(new EtcdException(EtcdError.STOPPED));
        }
        if (loop.walOutOfSpace() || applyLoop.outOfSpace()) {
            // Waiting would only time out: the disk must get space first (the log says which).
            return CompletableFuture.failedFuture(new EtcdException(EtcdError.NO_SPACE));
        }
        if (loop.commitIndex() - applier.appliedIndex() > RaftLoop.APPLY_GAP_MAX_ENTRIES) {
            return CompletableFuture.failedFuture(new EtcdException(EtcdError.TOO_MANY_REQUESTS));
        }
        final long id = requestIds.next();
        final PendingRequests.Waiter waiter = maker.register(pending, id, first, second);
        if (stopping()) {
            // The member began to stop after the first check; its last sweep may have run before
            // this call registered, so answer it here (whoever removes it first answers it).
            pending.fail(id, EtcdError.STOPPED);
            return waiter;
        }
        if (!loop.offer(waiter)) {
            pending.fail(id, EtcdError.TOO_MANY_REQUESTS);
        }
        return waiter;
    }

    private boolean stopping() {
        return closed || loop.failure() != null;
    }

    @Override
    public void close() throws IOException {
        if (!loop.alone() && loop.isLeader() && loop.failure() == null) {
            loop.requestHandOff();
            final long deadline = System.nanoTime() + 2 * electionTimeoutNanos;
            while (loop.isLeader() && System.nanoTime() - deadline < 0) {
                LockSupport.parkNanos(REPLAY_POLL_NANOS);
            }
        }
        closed = true;
        runner.close(); // the Raft loop ends its duty cycle; onClose fails what it can no longer answer
        try {
            applyLoop.close(); // applies and answers what was committed
            defragmenter.close(); // a defragmentation reads the file until it ends
        } catch (final InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            // Whatever was proposed and not applied will not be now.
            pending.close();
            pending.failAll(EtcdError.STOPPED);
            reads.failAll(EtcdError.STOPPED);
            try {
                peers.close();
            } finally {
                storage.close();
            }
        }
    }
}
