package io.cairn.engine.node;

import io.cairn.btree.Env;
import io.cairn.btree.EnvOptions;
import io.cairn.btree.ReadTxn;
import io.cairn.btree.WriteTxn;
import io.cairn.engine.backend.BtreeView;
import io.cairn.engine.backend.ContentReplacement;
import io.cairn.engine.backend.Bucket;
import io.cairn.engine.cluster.InitialMembers;
import io.cairn.engine.cluster.Member;
import io.cairn.engine.cluster.MemberTable;
import io.cairn.engine.command.Command;
import io.cairn.engine.command.CommandCodec;
import io.cairn.engine.log.LogField;
import io.cairn.engine.mvcc.MvccStore;
import io.cairn.posix.Posix;
import io.cairn.raft.ConfState;
import io.cairn.raft.Entry;
import io.cairn.raft.EntryType;
import io.cairn.raft.HardState;
import io.cairn.raft.MemoryLogStorage;
import io.cairn.raft.Ready;
import io.cairn.transport.FileSnapshotStore;
import io.cairn.wal.NoSpareSegmentException;
import io.cairn.wal.Recovered;
import io.cairn.wal.SnapshotMarker;
import io.cairn.wal.Wal;
import io.cairn.wal.WalOptions;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * A member's durable state: the backend (the B+tree at {@code <data-dir>/member/snap/db}), the WAL,
 * and the Raft log as Raft reads it. Owned by the Raft loop once the member runs.
 *
 * <p>A new member writes its cluster's first entries itself, as etcd does: entries 1..n at term 1,
 * one {@link Command.AddMember} per member of --initial-cluster in id order, committed. Every member
 * started with the same flags writes the same entries, so their logs agree from the start, and
 * membership reaches the members bucket through the log. The member's own id and the cluster id go
 * into the backend's meta bucket at once: a restart takes them from there, not from the flags.
 */
final class MemberStorage implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(MemberStorage.class.getName());
    static final byte[] META_MEMBER_ID = "memberId".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    static final byte[] META_CLUSTER_ID = "clusterId".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    private static final long WAL_WRITE_SLACK_BYTES = 64L << 10;

    /** Who this member is, as the data dir records it. */
    record Identity(long memberId, long clusterId) {
    }

    final Env env;
    final Wal wal;
    final MemoryLogStorage log;
    final Identity identity;
    private final int walWriteBytesMax;
    /** {@link MemberOptions#restartCatchUpEntries()}: what the WAL keeps below the tree's synced entry. */
    private final long restartCatchUpEntries;
    /** The view through which persist hands Raft's entries to the WAL (Raft loop thread only). */
    private final WalEntries.InPlace walEntries = new WalEntries.InPlace();
    /** The term and vote last written to the WAL (the commit index alone is not written: see {@link #persist}). */
    private long persistedTerm;
    private long persistedVote;
    private long releasedIndex;

    private MemberStorage(final Env env, final Wal wal, final Identity identity, final MemoryLogStorage log,
        final int walWriteBytesMax, final long restartCatchUpEntries, final long releasedIndex) {
        this.env = env;
        this.wal = wal;
        this.identity = identity;
        this.log = log;
        this.walWriteBytesMax = walWriteBytesMax;
        this.restartCatchUpEntries = restartCatchUpEntries;
        this.releasedIndex = releasedIndex;
    }

    /**
     * Opens (or, for a new member, creates and bootstraps) the member's storage.
     *
     * @param selfName --name, checked against the data dir's owner
     */
    static MemberStorage open(final Path dataDir, final Path walDir, final MemberOptions options,
        final InitialMembers initial, final String selfName, final Posix posix) throws IOException {
        final long openStartNanos = System.nanoTime();
        final Path snapDir = dataDir.resolve("member").resolve("snap");
        posix.createDirectories(snapDir);
        // Every value a client write can carry must fit the tree's records, or a write the checks
        // accepted would be refused halfway through applying.
        final Env env = Env.open(snapDir.resolve("db"), EnvOptions.defaults()
            .withMapSizeBytes(options.mapSizeBytes())
            .withMaxValueBytes(Math.toIntExact(MvccStore.storedValueBytesMax(options.maxRequestBytes())))
            .withSyncOnCommit(false), posix);
        final long backendOpenedNanos = System.nanoTime();
        Wal wal = null;
        try {
            final long walSegmentBytes = walSegmentBytes(options.maxRequestBytes(), options.walSegmentBytes());
            final int walWriteBytesMax = walWriteBytesMax(options.maxRequestBytes(), walSegmentBytes);
            wal = openWal(walDir, WalOptions.defaults().withMaxWriteBytes(walWriteBytesMax)
                .withSegmentBytes(walSegmentBytes), posix, env, options.restartCatchUpEntries());
            final long walReadNanos = System.nanoTime();
            wal.observeSyncs(new SlowFdatasyncWarning());
            final Identity identity = identity(env, wal, initial, selfName, dataDir);
            installPendingSnapshot(env, wal, snapDir);
            final SnapshotMarker treeStart = startAtTreeIfAhead(env, wal);
            final MemberStorage storage = new MemberStorage(env, wal, identity, restoreLog(env, wal, treeStart),
                walWriteBytesMax, options.restartCatchUpEntries(),
                (treeStart != null ? treeStart : wal.recovered().snapshot()).index());
            // A tree ahead of an empty WAL (a restored snapshot) brings its own members: no bootstrap;
            // nor does a member joining a running cluster, whose leader sends it the log.
            if (wal.recovered().lastIndex() == 0 && treeStart == null && storage.log.lastIndex() == 0
                && !initial.joining()) {
                storage.bootstrap(initial);
            } else if (storage.log.lastIndex() > 0) {
                // etcd's line ("restarting member ... at commit index"), with where a restart's time
                // went. The indexes are the tree's applied one and the log's last: the saved commit
                // index lags (a Ready that only moves it writes nothing), so it would say less.
                LOG.log(System.Logger.Level.INFO, "restarting member", LogField.memberId("local-member-id",
                    identity.memberId()), LogField.memberId("cluster-id", identity.clusterId()),
                    LogField.of("applied-index", treeApplied(env).index()),
                    LogField.of("last-index", storage.log.lastIndex()),
                    LogField.of("backend-open-took", Duration.ofNanos(backendOpenedNanos - openStartNanos)),
                    LogField.of("wal-read-took", Duration.ofNanos(walReadNanos - backendOpenedNanos)));
            }
            return storage;
        } catch (final IOException | RuntimeException e) {
            if (wal != null) {
                wal.close();
            }
            env.close();
            throw e;
        }
    }

    /**
     * Opens the WAL keeping in memory only the entries a restarted member needs: the tree holds
     * the effects of every entry it applied, so the Raft log needs those after its applied one, and
     * {@code catchUpEntries} before it for a follower a little behind (etcd's
     * SnapshotCatchUpEntries); a follower further behind gets the tree. The WAL keeps them all until
     * the next release; a restart only skips copying them. Keeping 130,000 entries was 0.5 s of a
     * restart (issue #21).
     */
    private static Wal openWal(final Path walDir, final WalOptions options, final Posix posix, final Env env,
        final long catchUpEntries) throws IOException {
        final SnapshotMarker tree = treeApplied(env);
        final long keepFrom = Math.max(1, tree.index() - catchUpEntries + 1);
        final Wal wal = Wal.open(walDir, options, posix, keepFrom);
        if (keepFrom == 1 || holds(wal.recovered(), tree)) {
            return wal;
        }
        // The log does not hold the tree's applied entry as the tree saw it (the tree came from a
        // leader's snapshot the log has not caught up with): its older entries are not known to be
        // the committed ones, so it is kept whole, as before.
        wal.close();
        return Wal.open(walDir, options, posix);
    }

    /** The tree's last applied entry: its term and index (0 and 0 for a new tree). */
    private static SnapshotMarker treeApplied(final Env env) {
        try (ReadTxn read = env.beginRead()) {
            final BtreeView view = new BtreeView(read);
            return new SnapshotMarker(CommandApplier.appliedTerm(view), CommandApplier.appliedIndex(view));
        }
    }

    /** True when the log holds the {@code entry} at its term: by Raft's log matching, it then agrees up to there. */
    private static boolean holds(final Recovered recovered, final SnapshotMarker entry) {
        final long position = entry.index() - recovered.entriesAfter().index() - 1;
        return entry.term() > 0 && position >= 0 && position < recovered.entries().size()
            && recovered.entries().get((int) position).term() == entry.term();
    }

    /**
     * The data dir's owner. A fresh one takes the flags' identity; one that exists keeps its own and
     * refuses to start as another member (etcd's meaning: a data dir belongs to one member of one
     * cluster).
     */
    private static Identity identity(final Env env, final Wal wal, final InitialMembers initial,
        final String selfName, final Path dataDir) throws IOException {
        final long flagsId = initial.idOf(selfName);
        try (ReadTxn read = env.beginRead()) {
            final BtreeView view = new BtreeView(read);
            final byte[] member = view.get(Bucket.META, META_MEMBER_ID);
            final byte[] cluster = view.get(Bucket.META, META_CLUSTER_ID);
            if (member != null && cluster != null) {
                final Identity stored = new Identity(ByteBuffer.wrap(member).getLong(),
                    ByteBuffer.wrap(cluster).getLong());
                final Member named = MemberTable.all(view).stream().filter(m -> m.name().equals(selfName))
                    .findFirst().orElse(null);
                if (named != null && named.id() != stored.memberId()) {
                    throw new IllegalStateException("the data dir " + dataDir + " belongs to member "
                        + Long.toHexString(stored.memberId()) + " of cluster " + Long.toHexString(stored.clusterId())
                        + ", but --name " + selfName + " is member " + Long.toHexString(named.id())
                        + " there: give each member its own --data-dir");
                }
                return stored;
            }
        }
        if (wal.recovered().lastIndex() > 0) {
            throw new IllegalStateException("the WAL in " + wal.directory() + " holds entries but the backend in "
                + dataDir + " does not say which member it belongs to: the data and WAL directories do not belong together");
        }
        final Identity fresh = new Identity(flagsId, initial.clusterId());
        final WriteTxn txn = env.beginWrite();
        try {
            final BtreeView view = new BtreeView(txn);
            view.put(Bucket.META, META_MEMBER_ID, ByteBuffer.allocate(Long.BYTES).putLong(fresh.memberId()).array());
            view.put(Bucket.META, META_CLUSTER_ID, ByteBuffer.allocate(Long.BYTES).putLong(fresh.clusterId()).array());
            txn.commit();
        } finally {
            txn.abort();
        }
        env.sync();
        return fresh;
    }

    /**
     * A snapshot from the leader is the leader's tree as it was when sent, often applied past the
     * snapshot's index; if this member stopped before its log reached the tree's applied index, the
     * log restarts there: a snapshot marker at the tree's applied entry (its term is in the tree).
     */
    private static SnapshotMarker startAtTreeIfAhead(final Env env, final Wal wal) throws IOException {
        final SnapshotMarker start = treeApplied(env);
        final long applied = start.index();
        if (applied <= wal.recovered().lastIndex() || start.term() == 0) {
            return null;
        }
        wal.saveSnapshot(start).join();
        LOG.log(System.Logger.Level.INFO, "the tree (a leader's snapshot) is applied to index " + applied
            + ", past the log's last entry " + wal.recovered().lastIndex() + ": the log starts there");
        return start;
    }

    /**
     * Raft's view of the WAL: the entries it kept (from {@link #openWal}, or after the last
     * snapshot marker, or after the tree's applied entry: {@link #startAtTreeIfAhead}), and the saved
     * term and vote.
     */
    private static MemoryLogStorage restoreLog(final Env env, final Wal wal, final SnapshotMarker treeStart) {
        final Recovered recovered = wal.recovered();
        final List<Entry> entries = WalEntries.fromWal(recovered.entries());
        final SnapshotMarker start = treeStart != null ? treeStart : recovered.entriesAfter();
        final MemoryLogStorage log = MemoryLogStorage.bootstrap(start.index(), start.term(), membership(env, entries));
        if (treeStart == null) {
            log.append(entries); // with a tree start, every entry the WAL holds is below it
        }
        if (recovered.hardState().term() > 0) {
            // The saved commit index lags (a Ready that only moves it writes nothing); the entries
            // the log starts after were applied by the tree, so they are committed.
            final io.cairn.wal.HardState saved = recovered.hardState();
            log.setHardState(new HardState(saved.term(), saved.vote(), Math.max(saved.commit(), start.index())));
        }
        return log;
    }

    /**
     * The voters: the members bucket, plus members added by entries the backend has not applied yet
     * (a new member's bootstrap entries before their first apply). Membership changes after the
     * bootstrap come with the membership issue; until then this is the whole membership.
     */
    private static ConfState membership(final Env env, final List<Entry> unapplied) {
        return confStateOf(members(env, unapplied));
    }

    /** Raft's membership from the members bucket: voters and learners, no joint configuration (etcd makes none). */
    static ConfState confStateOf(final List<Member> members) {
        final List<Long> voters = members.stream().filter(m -> !m.learner()).map(Member::id)
            .sorted(Long::compareUnsigned).toList();
        final List<Long> learners = members.stream().filter(Member::learner).map(Member::id)
            .sorted(Long::compareUnsigned).toList();
        return new ConfState(voters, List.of(), learners, List.of(), false);
    }

    /**
     * The members bucket, plus members added by the first entries of a new cluster among
     * {@code entries} that the tree has not applied yet (applied ones are in the bucket, or were
     * removed since: they must not come back).
     */
    private static List<Member> members(final Env env, final List<Entry> entries) {
        final List<Member> members = new ArrayList<>();
        final long applied;
        try (ReadTxn read = env.beginRead()) {
            final BtreeView view = new BtreeView(read);
            members.addAll(MemberTable.all(view));
            applied = CommandApplier.appliedIndex(view);
        }
        for (final Entry entry : entries) {
            if (entry.index() > applied && entry.type() == EntryType.NORMAL && !entry.isEmpty()
                && CommandCodec.decode(entry.buffer(), entry.offset(), entry.length()) instanceof Command.AddMember add
                && members.stream().noneMatch(m -> m.id() == add.memberId())) {
                members.add(new Member(add.memberId(), add.name(), add.peerUrls(), List.of(), add.learner()));
            }
        }
        return members;
    }

    /** The meta keys a snapshot from the leader must not overwrite: this member's identity. */
    private static List<byte[]> identityKeys() {
        return List.of(META_MEMBER_ID, META_CLUSTER_ID);
    }

    /** Where snapshots from the leader arrive (the transport's file store), beside the tree. */
    Path snapshotDir() {
        return env.path().getParent();
    }

    /**
     * A snapshot from the leader, step one: the WAL records that the log now starts after it, so a
     * restart neither replays the old log over the new tree nor forgets the snapshot (the received
     * file stays until the tree holds it; see {@link #installPendingSnapshot}). Then Raft's log.
     */
    void recordSnapshot(final io.cairn.raft.Snapshot snapshot) throws IOException {
        wal.saveSnapshot(new SnapshotMarker(snapshot.term(), snapshot.index())).join();
        log.applySnapshot(new io.cairn.raft.Snapshot(snapshot.index(), snapshot.term(), snapshot.confState(),
            new byte[0]));
        releasedIndex = snapshot.index();
    }

    /**
     * The tree takes the contents of the tree file {@code received} (a leader's snapshot, beside the
     * tree), keeping this member's identity, and is synced: the received file becomes the tree's file
     * ({@link ContentReplacement#swap}), or, when the file cannot be swapped now, its contents are
     * copied in ({@link ContentReplacement#replace}; readers see either switch in one step). Either way
     * {@code received} may be gone afterwards.
     */
    static void replaceTreeContents(final Env env, final Path received) throws IOException {
        if (ContentReplacement.swap(env, received, identityKeys())) {
            return;
        }
        LOG.log(System.Logger.Level.INFO, "copying the received snapshot into the tree: its file cannot be swapped now"
            + " (a defragmentation runs, or the file one replaced is still read)", LogField.of("path", received));
        readThrough(received);
        try (Env source = Env.open(received, env.options().withSyncOnCommit(false));
             ReadTxn from = source.beginRead()) {
            ContentReplacement.replace(env, from, identityKeys(), ContentReplacement.SLICE_BYTES);
        }
        env.sync();
    }

    /**
     * Reads {@code file} front to back once, so its pages are in the page cache before the copy
     * visits them in key order through a map without readahead (MADV_RANDOM). A received snapshot
     * is usually still cached (0.3 s for 1.5 GB); one installed after a restart is not, and the copy
     * then faulted it in a 4 KiB page at a time: 57 s for 1.5 GB, 8.4 s with this read (2.1 s of it).
     */
    private static void readThrough(final Path file) throws IOException {
        try (java.nio.channels.FileChannel channel = java.nio.channels.FileChannel.open(file)) {
            final java.nio.ByteBuffer buffer = java.nio.ByteBuffer.allocateDirect(1 << 20);
            while (channel.read(buffer) > 0) {
                buffer.clear();
            }
        }
    }

    /**
     * After a crash between recording a snapshot in the WAL and installing it in the tree, the tree
     * is behind the WAL's start: the received file is still beside it and is installed now.
     */
    private static void installPendingSnapshot(final Env env, final Wal wal, final Path snapDir) throws IOException {
        final long walStart = wal.recovered().snapshot().index();
        final long applied;
        try (ReadTxn read = env.beginRead()) {
            applied = CommandApplier.appliedIndex(new BtreeView(read));
        }
        if (applied >= walStart) {
            deleteInstalledSnapshots(snapDir, applied);
            return;
        }
        final Path received;
        try (java.util.stream.Stream<Path> files = java.nio.file.Files.list(snapDir)) {
            received = files.filter(f -> FileSnapshotStore.receivedIndex(f) == walStart).findFirst().orElse(null);
        }
        if (received == null) {
            return; // the open check names the mismatch
        }
        replaceTreeContents(env, received);
        java.nio.file.Files.deleteIfExists(received); // a swap moved it into the tree's place
        LOG.log(System.Logger.Level.INFO, "installed the snapshot at index " + walStart + " received before a restart");
    }

    /**
     * Deletes received snapshot files the tree already holds (index at most {@code applied}): a
     * member stopped between an install and the deletion of its file (the Raft loop deletes it once
     * it sees the apply thread's install done) would otherwise keep a copy of the tree for ever.
     */
    private static void deleteInstalledSnapshots(final Path snapDir, final long applied) throws IOException {
        final List<Path> installed;
        try (java.util.stream.Stream<Path> files = java.nio.file.Files.list(snapDir)) {
            installed = files.filter(f -> FileSnapshotStore.receivedIndex(f) <= applied).toList();
        }
        for (final Path file : installed) {
            java.nio.file.Files.delete(file);
            LOG.log(System.Logger.Level.INFO, "deleted " + file + ": the tree holds that snapshot");
        }
    }

    /**
     * Every member this one knows of, with its peer URLs: the members bucket, plus members added by
     * entries in the log that the backend has not applied yet.
     */
    List<Member> knownMembers() {
        return members(env, log.entries(log.firstIndex(), log.lastIndex() + 1, Long.MAX_VALUE));
    }

    /** A new member's first entries: the cluster's members, committed at term 1 (etcd's bootstrap). */
    private void bootstrap(final InitialMembers initial) throws IOException {
        final List<Entry> entries = new ArrayList<>();
        long index = 0;
        for (final Member member : initial.members()) {
            entries.add(new Entry(1, ++index, EntryType.NORMAL, CommandCodec.encode(
                new Command.AddMember(0, member.id(), member.name(), member.peerUrls(), member.learner()))));
        }
        final HardState hardState = new HardState(1, 0, index);
        wal.appendAndSync(WalEntries.toWal(entries), WalEntries.toWal(hardState));
        final List<Long> voters = initial.members().stream().map(Member::id).toList();
        log.applySnapshot(new io.cairn.raft.Snapshot(0, 0, new ConfState(voters, List.of(), List.of(), List.of(), false),
            new byte[0]));
        log.append(entries);
        log.setHardState(hardState);
        persistedTerm = hardState.term();
        persistedVote = hardState.vote();
        LOG.log(System.Logger.Level.INFO, "bootstrapped a new cluster", LogField.memberId("local-member-id", identity.memberId()),
            LogField.memberId("cluster-id", identity.clusterId()), LogField.of("members", initial.members().size()));
    }

    /**
     * Makes the Ready's entries, term and vote durable, from its {@code fromWrite}-th WAL write on.
     *
     * @throws NoSpareSegmentException when the WAL has no segment to write into (disk full); the
     *         writes before {@link PartialWrite#writesDone} went through
     */
    void persist(final Ready ready, final int fromWrite) throws IOException, PartialWrite {
        // The commit index is volatile state in Raft (learned again after a restart, and the tree's
        // applied index caps what replay needs), so a Ready that only moves it writes nothing.
        final boolean termOrVote = ready.hasHardState() && (ready.hardStateTerm() != persistedTerm
            || ready.hardStateVote() != persistedVote);
        if (ready.entries().isEmpty() && !termOrVote) {
            return;
        }
        // The usual Ready fits one write and gets no list of runs (issue #21).
        final List<List<Entry>> writes = WalEntries.fitsOneWrite(ready.entries(), walWriteBytesMax) ? null
            : WalEntries.inWrites(ready.entries(), walWriteBytesMax);
        final int writeCount = writes == null ? 1 : writes.size();
        for (int i = fromWrite; i < writeCount; i++) {
            final boolean last = i == writeCount - 1;
            try {
                wal.appendAndSync(walEntries.over(writes == null ? ready.entries() : writes.get(i)),
                    last && ready.hasHardState(), ready.hardStateTerm(), ready.hardStateVote(), ready.hardStateCommit());
            } catch (final NoSpareSegmentException full) {
                throw new PartialWrite(i, full);
            }
        }
        log.append(ready.entries());
        if (ready.hasHardState()) {
            persistedTerm = ready.hardStateTerm();
            persistedVote = ready.hardStateVote();
        }
    }

    /** The WAL refused a Ready's write number {@link #writesDone} for want of a segment; earlier ones are durable. */
    static final class PartialWrite extends Exception {
        private static final long serialVersionUID = 1L;
        final int writesDone;

        PartialWrite(final int writesDone, final NoSpareSegmentException cause) {
            super(cause.getMessage(), cause);
            this.writesDone = writesDone;
        }
    }

    /** The index up to which the log and the WAL were released (or a snapshot installed). */
    long releasedIndex() {
        return releasedIndex;
    }

    /**
     * Once the tree is durable {@code releaseEveryEntries} past the last release, a snapshot marker
     * lets the WAL drop what the tree now holds, and the in-memory log drops the same prefix. A
     * follower that needs entries from before it gets the tree itself (a snapshot). {@code membership}
     * is asked only for a release: the Raft loop checks the budget every duty cycle, and building
     * Raft's ConfState each time cost ~300 bytes per put (issue #21).
     *
     * @throws NoSpareSegmentException when the marker needed a new WAL segment and none was ready
     *         (disk full); nothing changed, and the release can be tried again
     */
    void releaseOnBudget(final long syncedIndex, final long releaseEveryEntries,
        final java.util.function.Supplier<ConfState> membership) throws IOException {
        if (syncedIndex - releasedIndex < releaseEveryEntries || syncedIndex > log.lastIndex()) {
            return;
        }
        saveMarker(syncedIndex);
        wal.releaseBefore(syncedIndex);
        log.createSnapshot(syncedIndex, membership.get(), new byte[0]);
        log.compact(syncedIndex);
        releasedIndex = syncedIndex;
    }

    /**
     * Deletes the WAL's oldest segments as soon as the tree holds everything in them but the last
     * {@link #restartCatchUpEntries}, without waiting for the next release: a restart keeps only
     * the entries from the tree's applied index less that many ({@link #openWal}), so the WAL needs
     * nothing older, yet recovery reads and checks every record it holds (from the release point on
     * it was 100,000-200,000 records, about 0.2 s of a restart while the JIT is cold, issue #21). A
     * snapshot marker there, made durable first, tells recovery where the log now starts. The
     * in-memory log keeps its {@code --snapshot-count} cadence ({@link #releaseOnBudget}): a follower
     * a little behind still catches up from memory. A marker is written only when it frees a segment.
     *
     * @throws NoSpareSegmentException as {@link #releaseOnBudget}: nothing changed, try again later
     */
    void releaseWalBehindTree(final long syncedIndex) throws IOException {
        final long markerIndex = syncedIndex - restartCatchUpEntries;
        // Never below the WAL's newest marker: a release, a snapshot or the log's start at a restart
        // moved the log's start there, and an earlier drop left no segment wholly below its own.
        if (markerIndex < log.firstIndex() - 1 || markerIndex > log.lastIndex()
            || markerIndex < wal.oldestSegmentLastIndex()) {
            return; // nothing to free, or the marker's term is no longer in the log
        }
        saveMarker(markerIndex);
        wal.releaseBefore(markerIndex);
    }

    /** A snapshot marker at the log's entry {@code index}, durable when this returns (a release may then delete below it). */
    private void saveMarker(final long index) throws IOException {
        try {
            wal.saveSnapshot(new SnapshotMarker(log.term(index), index)).join();
        } catch (final java.util.concurrent.CompletionException e) {
            if (e.getCause() instanceof NoSpareSegmentException full) {
                throw full; // the marker needed a new segment and the disk is full: nothing was written
            }
            throw e;
        }
    }

    /**
     * The WAL's segment size: {@code configuredBytes}, or more, in whole blocks, when the largest entry a
     * client request can make would not fit a fresh segment (a --max-request-bytes over about 8 MiB
     * with the 16 MiB default).
     */
    static long walSegmentBytes(final long maxRequestBytes, final long configuredBytes) {
        final long neededBytes = 2 * maxRequestBytes + WAL_WRITE_SLACK_BYTES + 2 * WalOptions.BLOCK_BYTES;
        return Math.max(configuredBytes, Math.ceilDiv(neededBytes, WalOptions.BLOCK_BYTES) * WalOptions.BLOCK_BYTES);
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

    @Override
    public void close() throws IOException {
        try {
            wal.close();
        } finally {
            env.close();
        }
    }
}
