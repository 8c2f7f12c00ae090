package io.cairn.engine.node;

import io.cairn.btree.Env;
import io.cairn.btree.ReadTxn;
import io.cairn.btree.WriteTxn;
import io.cairn.engine.api.EtcdError;
import io.cairn.engine.api.EtcdException;
import io.cairn.engine.auth.AuthApplier;
import io.cairn.engine.auth.AuthState;
import io.cairn.engine.auth.AuthTable;
import io.cairn.engine.auth.Permissions;
import io.cairn.engine.backend.Bucket;
import io.cairn.engine.backend.BtreeView;
import io.cairn.engine.cluster.Alarm;
import io.cairn.engine.cluster.AlarmTable;
import io.cairn.engine.cluster.Member;
import io.cairn.engine.cluster.MemberTable;
import io.cairn.engine.cluster.RemovedMemberTable;
import io.cairn.engine.command.Command;
import io.cairn.engine.command.CommandCodec;
import io.cairn.engine.command.EncodedPut;
import io.cairn.engine.lease.Lessor;
import io.cairn.engine.mvcc.KeyRange;
import io.cairn.engine.mvcc.LeaseAttachments;
import io.cairn.engine.mvcc.MvccStore;
import io.cairn.engine.mvcc.TxnOp;
import io.cairn.raft.ConfChange;
import io.cairn.raft.Entry;
import io.cairn.raft.EntryType;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.LongConsumer;

/**
 * Applies committed log entries to the MVCC store in the B+tree: one write transaction per batch,
 * which also records the applied index, so the tree's state and its applied index never disagree.
 * Commits are not synced: the WAL is the durability source, and {@link #sync()} makes the tree
 * durable on the node's budget so the WAL before it can be released.
 */
final class CommandApplier {
    private static final System.Logger LOG = System.getLogger(CommandApplier.class.getName());
    static final byte[] META_APPLIED_INDEX = "appliedIndex".getBytes(StandardCharsets.US_ASCII);
    /**
     * The term of the entry at the applied index. A snapshot from the leader is the leader's tree,
     * often applied past the snapshot's index; after a restart the log then starts at the tree's
     * applied entry, and Raft needs that entry's term to match the leader's log.
     */
    static final byte[] META_APPLIED_TERM = "appliedTerm".getBytes(StandardCharsets.US_ASCII);

    /** The index of the last entry {@code tree} applied; 0 for a tree that applied nothing. */
    static long appliedIndex(final io.cairn.engine.backend.BackendReader tree) {
        return metaLong(tree, META_APPLIED_INDEX);
    }

    /** That entry's term; 0 for a tree that applied nothing. */
    static long appliedTerm(final io.cairn.engine.backend.BackendReader tree) {
        return metaLong(tree, META_APPLIED_TERM);
    }

    private static long metaLong(final io.cairn.engine.backend.BackendReader tree, final byte[] key) {
        final byte[] value = tree.get(Bucket.META, key);
        return value == null ? 0 : ByteBuffer.wrap(value).getLong();
    }

    /** What applying one entry gave the member that proposed it: a value, or a refusal. */
    @FunctionalInterface
    interface Outcome {
        void accept(long requestId, Object result);
    }

    /** Revisions of history one slice of physical compaction walks: bounds how long a write waits. */
    static final int COMPACTION_SLICE_REVISIONS = 1_000;

    /** A physical Compact whose answer waits for the slices to pass its revision. */
    private record PhysicalCompaction(long requestId, long revision, Object result) {
    }

    private final Env env;
    private final MvccStore store;
    private final Lessor lessor;
    private final AuthApplier auth;
    private final List<PhysicalCompaction> physicalCompactions = new ArrayList<>();
    private volatile long appliedIndex; // written by the apply thread, read by Status
    /** The revision of the last commit: what readers may call current (the store's runs ahead mid-batch). */
    private volatile long committedRevision;
    private volatile LongConsumer revisionCommitted = revision -> { };
    /** The raised alarms as of the last commit (every write checks NOSPACE: no tree read for that). */
    private volatile List<Alarm> raisedAlarms;
    /** The alarms after the batch being applied changed them, else null; published at its commit. */
    private List<Alarm> alarmsInBatch;
    private volatile LongConsumer appliedTo = index -> { };
    /** Membership changes of the batch being applied; published to the Raft loop at its commit. */
    private final List<MembershipApplier.Applied> membershipInBatch = new ArrayList<>();
    private final java.util.concurrent.ConcurrentLinkedQueue<MembershipApplier.Applied> membershipApplied =
        new java.util.concurrent.ConcurrentLinkedQueue<>();

    CommandApplier(final Env env, final long minLeaseTtlSeconds) {
        this.env = env;
        try (ReadTxn read = env.beginRead()) {
            final BtreeView view = new BtreeView(read);
            this.lessor = Lessor.load(view, minLeaseTtlSeconds, System::nanoTime);
            this.store = MvccStore.open(view, lessor);
            this.raisedAlarms = List.copyOf(AlarmTable.all(view));
            this.auth = new AuthApplier(AuthTable.load(view));
            this.appliedIndex = appliedIndex(view);
        }
        this.committedRevision = store.currentRevision();
    }

    long appliedIndex() {
        return appliedIndex;
    }

    /** The current revision as of the last commit. */
    long committedRevision() {
        return committedRevision;
    }

    MvccStore store() {
        return store;
    }

    List<Alarm> raisedAlarms() {
        return raisedAlarms;
    }

    Lessor lessor() {
        return lessor;
    }

    AuthApplier auth() {
        return auth;
    }

    /** {@code listener} hears the applied index after each batch's commit (the linearizable reads). */
    void onApplied(final LongConsumer listener) {
        appliedTo = listener;
    }

    /** {@code listener} hears the current revision after each commit that moved it (the watch hub). */
    void onRevisionCommitted(final LongConsumer listener) {
        revisionCommitted = listener;
    }

    /**
     * Applies {@code entries} in order; hands each command's result (or its EtcdException /
     * IllegalArgumentException refusal, which left no trace) to {@code outcome} after the commit.
     *
     * <p>A refused command must leave nothing behind. The checks before a command writes catch every
     * refusal they can know of; should a command still be refused after some of its writes (the
     * backend refusing a record, say), the whole transaction is rolled back, in memory too, and the
     * batch applied again with that command refused up front. Applying is deterministic, so the
     * rest of the batch gives the same results the second time. If the transaction cannot commit
     * (a disk error), memory is rolled back to the last commit and the exception is thrown: nothing
     * of the batch was applied.
     */
    void apply(final List<Entry> entries, final Outcome outcome) throws IOException {
        if (entries.isEmpty()) {
            return;
        }
        final long revisionBefore = store.currentRevision();
        final long[] requestIds = requestIdsFor(entries.size());
        final Object[] results = resultsFor(entries.size());
        final Map<Integer, RuntimeException> refusedAfterWriting = batchRefusedAfterWriting;
        refusedAfterWriting.clear();
        while (!applyOnce(entries, requestIds, results, refusedAfterWriting)) {
            LOG.log(System.Logger.Level.WARNING, "a command was refused after it had written; its batch of "
                + entries.size() + " entries is applied again without it: " + refusedAfterWriting);
        }
        committedRevision = store.currentRevision();
        if (committedRevision != revisionBefore) {
            revisionCommitted.accept(committedRevision);
        }
        auth.commitBatch(); // tokens learn of the batch before its callers hear back
        appliedTo.accept(appliedIndex);
        for (int i = 0; i < entries.size(); i++) {
            if (requestIds[i] != 0) {
                outcome.accept(requestIds[i], results[i]);
            }
        }
        java.util.Arrays.fill(results, 0, entries.size(), null); // the callers own their results now
        answerPhysicalCompactions(outcome);
    }

    /**
     * The batch's request ids and results, reused from batch to batch (issue #21): only the applying
     * thread touches them (ApplyLoop's lock). Request ids start at 0 for each batch (an entry
     * applyOnce skips answers nobody); results are dropped once handed over.
     */
    private long[] batchRequestIds = new long[64];
    /** The view over each batch's write transaction, reused (the applying thread's, like the arrays above). */
    private BtreeView batchView;
    /** Commands refused after writing, by position in the batch: filled only by a retry (rare). */
    private final Map<Integer, RuntimeException> batchRefusedAfterWriting = new HashMap<>();
    private Object[] batchResults = new Object[64];

    private long[] requestIdsFor(final int entries) {
        if (batchRequestIds.length < entries) {
            batchRequestIds = new long[Math.max(entries, 2 * batchRequestIds.length)];
        }
        java.util.Arrays.fill(batchRequestIds, 0, entries, 0);
        return batchRequestIds;
    }

    private Object[] resultsFor(final int entries) {
        if (batchResults.length < entries) {
            batchResults = new Object[Math.max(entries, 2 * batchResults.length)];
        }
        return batchResults;
    }

    /** The applied index and term as the meta bucket stores them; copied into the page by the put. */
    private final byte[] appliedIndexBytes = new byte[Long.BYTES];
    private final byte[] appliedTermBytes = new byte[Long.BYTES];

    private static byte[] bigEndian(final byte[] into, final long value) {
        LONG_BIG_ENDIAN.set(into, 0, value);
        return into;
    }

    private static final java.lang.invoke.VarHandle LONG_BIG_ENDIAN =
        java.lang.invoke.MethodHandles.byteArrayViewVarHandle(long[].class, java.nio.ByteOrder.BIG_ENDIAN);

    /**
     * One attempt at the batch in one write transaction; false (everything rolled back) if a command
     * was refused after writing, which is then added to {@code refusedAfterWriting}.
     */
    private boolean applyOnce(final List<Entry> entries, final long[] requestIds, final Object[] results,
        final Map<Integer, RuntimeException> refusedAfterWriting) throws IOException {
        final int physicalCompactionsBefore = physicalCompactions.size();
        alarmsInBatch = null;
        membershipInBatch.clear();
        lessor.beginBatch();
        boolean committed = false;
        final WriteTxn txn = env.beginWrite();
        try {
            final BtreeView view = batchView == null ? (batchView = new BtreeView(txn)) : batchView.over(txn);
            long previous = appliedIndex;
            for (int i = 0; i < entries.size(); i++) {
                final Entry entry = entries.get(i);
                if (entry.index() <= appliedIndex) {
                    continue; // in the tree already: it came with a snapshot from the leader
                }
                if (entry.index() != previous + 1) {
                    // Entries between were never applied: going on would lose them for good (etcd panics too).
                    throw new IllegalStateException("committed entry " + entry.index() + " follows " + previous
                        + ": entries " + (previous + 1) + " to " + (entry.index() - 1) + " were never applied; the"
                        + " member stops instead of losing them (a bug: restart it, it replays its log)");
                }
                previous = entry.index();
                if (entry.isEmpty()) {
                    continue; // a leader's empty entry
                }
                if (entry.type() == EntryType.CONF_CHANGE) {
                    applyConfChange(view, entry, i, requestIds, results);
                    continue;
                }
                // A plain Put while no alarm is raised and auth is off, when neither would refuse it,
                // is applied in place from its entry (issue #21); anything else is decoded whole.
                final EncodedPut put = inPlacePutsAllowed()
                    ? CommandCodec.plainPut(entry.buffer(), entry.offset(), entry.length()) : null;
                final Command command = put == null
                    ? CommandCodec.decode(entry.buffer(), entry.offset(), entry.length()) : null;
                requestIds[i] = put != null ? put.requestId() : command.requestId();
                final RuntimeException refusedBefore = refusedAfterWriting.get(i);
                if (refusedBefore != null) {
                    results[i] = refusedBefore;
                    continue;
                }
                final long writesBefore = view.writes();
                try {
                    results[i] = put != null ? store.put(view, put) : applyCommand(view, command, entry.index());
                    if (results[i] == ANSWERED_LATER) {
                        results[i] = PendingRequests.STILL_RUNNING; // the caller waits on, as long as its client does
                    }
                } catch (final EtcdException | IllegalArgumentException refused) {
                    if (view.writes() != writesBefore) {
                        refusedAfterWriting.put(i, refused);
                        return false;
                    }
                    results[i] = refused;
                }
            }
            final Entry lastEntry = entries.getLast();
            if (lastEntry.index() > appliedIndex) {
                view.put(Bucket.META, META_APPLIED_INDEX, bigEndian(appliedIndexBytes, lastEntry.index()));
                view.put(Bucket.META, META_APPLIED_TERM, bigEndian(appliedTermBytes, lastEntry.term()));
            }
            final long last = Math.max(appliedIndex, lastEntry.index());
            txn.commit();
            committed = true;
            appliedIndex = last;
            if (alarmsInBatch != null) {
                raisedAlarms = alarmsInBatch;
            }
            if (!membershipInBatch.isEmpty()) { // addAll makes an iterator even when empty (issue #21)
                membershipApplied.addAll(membershipInBatch);
            }
            lessor.commitBatch();
            return true;
        } finally {
            if (!committed) {
                txn.abort();
                rollBack(physicalCompactionsBefore);
            }
        }
    }

    /**
     * A Raft membership change: the member command in its context, checked and applied to the
     * members buckets (a refusal writes nothing and is the caller's answer), then handed to the
     * Raft loop, which changes Raft's configuration and the transport's peers. Raft's own entries
     * (leaving a joint configuration) carry no command and go to the Raft loop alone.
     */
    private void applyConfChange(final BtreeView view, final Entry entry, final int i, final long[] requestIds,
        final Object[] results) {
        final ConfChange change = ConfChange.decode(entry.data());
        final Command command = MembershipApplier.commandOf(change);
        if (command == null) {
            membershipInBatch.add(new MembershipApplier.Applied(entry.index(), change, MemberTable.all(view),
                RemovedMemberTable.all(view)));
            return;
        }
        requestIds[i] = command.requestId();
        try {
            final MembershipApplier.Applied applied = MembershipApplier.apply(view, command, entry.index(), change);
            results[i] = applied.members();
            membershipInBatch.add(applied);
        } catch (final EtcdException refused) {
            results[i] = refused;
            LOG.log(System.Logger.Level.WARNING, "refused a membership change: " + refused.getMessage(),
                io.cairn.engine.log.LogField.of("index", entry.index()), io.cairn.engine.log.LogField.of("change",
                    command.toString()));
        }
    }

    /** The ids removed from the cluster, as of the last commit. */
    java.util.Set<Long> removedMemberIds() {
        try (ReadTxn read = env.beginRead()) {
            return RemovedMemberTable.all(new BtreeView(read));
        }
    }

    /** The members as of the last commit. */
    List<Member> members() {
        try (ReadTxn read = env.beginRead()) {
            return MemberTable.all(new BtreeView(read));
        }
    }

    /** Membership changes applied (committed) and not yet taken by the Raft loop, oldest first. */
    MembershipApplier.Applied nextMembershipApplied() {
        return membershipApplied.poll();
    }

    /** Memory goes back to the last commit: revisions from the tree, leases and compactions undone. */
    private void rollBack(final int physicalCompactionsBefore) {
        lessor.rollbackBatch();
        auth.rollbackBatch();
        physicalCompactions.subList(physicalCompactionsBefore, physicalCompactions.size()).clear();
        try (ReadTxn read = env.beginRead()) {
            store.reload(new BtreeView(read));
        }
    }

    /**
     * Whether a plain Put may skip {@link #applyCommand}: its alarm and permission checks refuse
     * nothing while no alarm is raised (as of this batch) and auth is off.
     */
    private boolean inPlacePutsAllowed() {
        return (alarmsInBatch != null ? alarmsInBatch : raisedAlarms).isEmpty() && !auth.current().enabled();
    }

    /** Stands for the result of a physical Compact, which is answered once the slices pass it. */
    private static final Object ANSWERED_LATER = new Object();

    /** One command's change to the store; its result, or {@link #ANSWERED_LATER}. */
    private Object applyCommand(final BtreeView view, final Command command, final long index) {
        AlarmRefusals.check(alarmsInBatch != null ? alarmsInBatch : raisedAlarms, command);
        return switch (command) {
            case Command.AuthChange change -> {
                auth.apply(view, change.caller(), change.op());
                yield store.currentRevision();
            }
            case Command.Authenticate authenticate ->
                auth.authenticate(authenticate.name(), authenticate.simpleTokenPrefix(), index);
            case Command.Compact compact -> {
                final long header = store.compact(view, compact.revision());
                if (!compact.physical()) {
                    yield header;
                }
                physicalCompactions.add(new PhysicalCompaction(command.requestId(), compact.revision(), header));
                yield ANSWERED_LATER;
            }
            case Command.LeaseGrant grant -> lessor.grant(view, grant.id(), grant.ttlSeconds());
            case Command.LeaseRevoke revoke -> revokeLease(view, revoke.id());
            case Command.LeaseCheckpoint checkpoint -> {
                lessor.checkpoint(view, checkpoint.checkpoints());
                yield store.currentRevision();
            }
            case Command.LeaseRenew renew -> {
                final long ttl = lessor.renewApplied(renew.id());
                if (ttl < 0) {
                    throw new EtcdException(EtcdError.LEASE_NOT_FOUND);
                }
                yield ttl;
            }
            case Command.AddMember add -> {
                // A new cluster's first entries. Its members start with them in Raft's configuration; a
                // member that joined later replays them (from the leader's log) into an empty one, so
                // the Raft loop adds each (for the others, adding a member present changes nothing).
                if (MemberTable.get(view, add.memberId()) == null) {
                    MemberTable.put(view, new Member(add.memberId(), add.name(), add.peerUrls(), List.of(), add.learner()));
                }
                // The transport has every first member from the start (or from the member joined): the
                // members so far would only drop the ones further on for a moment.
                membershipInBatch.add(new MembershipApplier.Applied(index, MembershipApplier.confChangeFor(add), null,
                    java.util.Set.of()));
                yield store.currentRevision();
            }
            case Command.AlarmChange change -> {
                final boolean changed;
                if (change.activate()) {
                    AlarmTable.put(view, change.alarm());
                    changed = true;
                } else {
                    changed = AlarmTable.remove(view, change.alarm());
                }
                alarmsInBatch = List.copyOf(AlarmTable.all(view));
                // etcd answers the alarm raised, or the one disarmed (none if it was not raised).
                yield changed ? Optional.of(change.alarm()) : Optional.empty();
            }
            case Command.UpdateMember update -> {
                final MembershipApplier.Applied applied = MembershipApplier.apply(view, update, index, null);
                membershipInBatch.add(applied);
                yield applied.members();
            }
            case Command.RemoveMember remove ->
                throw new IllegalArgumentException("a member is removed only by a Raft conf change entry");
            case Command.PromoteMember promote ->
                throw new IllegalArgumentException("a learner is promoted only by a Raft conf change entry");
            case Command.PublishMember publish -> {
                final Member member = MemberTable.get(view, publish.memberId());
                if (member == null) {
                    throw new EtcdException(EtcdError.MEMBER_NOT_FOUND);
                }
                MemberTable.put(view, member.withAttributes(publish.name(), publish.clientUrls()));
                yield store.currentRevision();
            }
            case Command.Write write -> {
                checkPermissions(view, write);
                yield applyWrite(view, write);
            }
        };
    }

    /** Whether the writer may, checked against the auth store as of this entry (etcd's authApplierV3). */
    private void checkPermissions(final BtreeView view, final Command.Write write) {
        final AuthState state = auth.current();
        if (!state.enabled()) {
            return;
        }
        switch (write.op()) {
            case TxnOp.Put put -> Permissions.checkPut(state, write.caller(), put,
                put.lease() == 0 ? List.of() : LeaseAttachments.keys(view, put.lease(), Integer.MAX_VALUE));
            case TxnOp.DeleteRange delete -> Permissions.checkDeleteRange(state, write.caller(), delete);
            case TxnOp.Txn txn -> Permissions.checkTxn(state, write.caller(), txn);
            case TxnOp.Range range -> Permissions.checkRange(state, write.caller(), range.query().range().key(),
                range.query().range().rangeEnd());
        }
    }

    private Object applyWrite(final BtreeView view, final Command.Write write) {
        return switch (write.op()) {
                case TxnOp.Put put -> store.put(view, put);
                case TxnOp.DeleteRange delete -> store.deleteRange(view, delete);
                case TxnOp.Txn t -> store.txn(view, t);
                case TxnOp.Range range -> throw new IllegalArgumentException("a range is not a write");
        };
    }

    /**
     * Deletes the lease's keys in one revision (none if it holds no keys), then the lease, as etcd
     * does; returns the revision for the response header.
     */
    private long revokeLease(final BtreeView view, final long id) {
        lessor.revoke(view, id); // refuses an unknown lease before anything is deleted
        final List<TxnOp> deletes = new ArrayList<>();
        for (final byte[] key : LeaseAttachments.keys(view, id, Integer.MAX_VALUE)) {
            deletes.add(new TxnOp.DeleteRange(KeyRange.of(key, new byte[0]), false));
        }
        if (!deletes.isEmpty()) {
            store.txn(view, new TxnOp.Txn(List.of(), deletes, List.of()));
        }
        return store.currentRevision();
    }

    /**
     * Replaces the store's contents with the tree file a leader sent ({@code file}), keeping this
     * member's identity, makes it durable, and reloads what memory holds of the store:
     * revisions, leases, the applied index. The caller holds the apply lock (nothing else applies).
     */
    void installSnapshot(final Path file) throws IOException {
        final long revisionBefore = store.currentRevision();
        physicalCompactions.clear(); // their revisions are the old history's; the snapshot has its own compaction
        MemberStorage.replaceTreeContents(env, file);
        try (ReadTxn read = env.beginRead()) {
            final BtreeView view = new BtreeView(read);
            lessor.reload(view);
            store.reload(view);
            raisedAlarms = List.copyOf(AlarmTable.all(view));
            auth.reload(AuthTable.load(view));
            appliedIndex = appliedIndex(view);
        }
        committedRevision = store.currentRevision();
        if (committedRevision != revisionBefore) {
            revisionCommitted.accept(committedRevision);
        }
        appliedTo.accept(appliedIndex);
    }

    boolean compactionPending() {
        return store.compactionPending();
    }

    /** One slice of physical compaction in its own transaction, so writes interleave with it. */
    void compactStep(final Outcome outcome) throws IOException {
        boolean committed = false;
        final WriteTxn txn = env.beginWrite();
        try {
            store.compactStep(new BtreeView(txn), COMPACTION_SLICE_REVISIONS);
            txn.commit();
            committed = true;
        } finally {
            if (!committed) {
                txn.abort();
                try (ReadTxn read = env.beginRead()) {
                    store.reload(new BtreeView(read)); // how far compaction got is the tree's again
                }
            }
        }
        answerPhysicalCompactions(outcome);
    }

    private void answerPhysicalCompactions(final Outcome outcome) {
        if (physicalCompactions.isEmpty()) {
            return; // the usual batch: no lambda to make (issue #21)
        }
        final long through = store.compactedThrough();
        physicalCompactions.removeIf(c -> {
            if (c.revision() > through) {
                return false;
            }
            outcome.accept(c.requestId(), c.result());
            return true;
        });
    }

    /** Makes every applied batch durable in the tree file. */
    void sync() throws IOException {
        env.sync();
    }

    /** Unmaps the tree's pages from the process (see {@link Env#unmapPages}). */
    void unmapTreePages() throws IOException {
        env.unmapPages();
    }
}
