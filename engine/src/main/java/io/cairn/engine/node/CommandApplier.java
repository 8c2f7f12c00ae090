package io.cairn.engine.node;

import io.cairn.btree.Env;
import io.cairn.btree.ReadTxn;
import io.cairn.btree.WriteTxn;
import io.cairn.engine.api.EtcdException;
import io.cairn.engine.backend.Bucket;
import io.cairn.engine.backend.BtreeView;
import io.cairn.engine.command.Command;
import io.cairn.engine.command.CommandCodec;
import io.cairn.engine.lease.Lessor;
import io.cairn.engine.mvcc.KeyRange;
import io.cairn.engine.mvcc.LeaseAttachments;
import io.cairn.engine.mvcc.MvccStore;
import io.cairn.engine.mvcc.TxnOp;
import io.cairn.raft.Entry;
import io.cairn.raft.EntryType;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.function.LongConsumer;

/**
 * Applies committed log entries to the MVCC store in the B+tree: one write transaction per batch,
 * which also records the applied index, so the tree's state and its applied index never disagree.
 * Commits are not synced: the WAL is the durability source, and {@link #sync()} makes the tree
 * durable on the node's budget so the WAL before it can be released.
 */
final class CommandApplier {
    private static final byte[] META_APPLIED_INDEX = "appliedIndex".getBytes(StandardCharsets.US_ASCII);

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
    private final List<PhysicalCompaction> physicalCompactions = new ArrayList<>();
    private volatile long appliedIndex; // written by the apply thread, read by Status
    private volatile LongConsumer revisionCommitted = revision -> { };

    CommandApplier(final Env env, final long minLeaseTtlSeconds) {
        this.env = env;
        try (ReadTxn read = env.beginRead()) {
            final BtreeView view = new BtreeView(read);
            this.lessor = Lessor.load(view, minLeaseTtlSeconds, System::nanoTime);
            this.store = MvccStore.open(view, lessor);
            final byte[] applied = view.get(Bucket.META, META_APPLIED_INDEX);
            this.appliedIndex = applied == null ? 0 : ByteBuffer.wrap(applied).getLong();
        }
    }

    long appliedIndex() {
        return appliedIndex;
    }

    MvccStore store() {
        return store;
    }

    Lessor lessor() {
        return lessor;
    }

    /** {@code listener} hears the current revision after each commit that moved it (the watch hub). */
    void onRevisionCommitted(final LongConsumer listener) {
        revisionCommitted = listener;
    }

    /**
     * Applies {@code entries} in order; hands each command's result (or its EtcdException /
     * IllegalArgumentException refusal, which wrote nothing) to {@code outcome} after the commit.
     */
    void apply(final List<Entry> entries, final Outcome outcome) throws IOException {
        if (entries.isEmpty()) {
            return;
        }
        final long revisionBefore = store.currentRevision();
        final long[] requestIds = new long[entries.size()];
        final Object[] results = new Object[entries.size()];
        final WriteTxn txn = env.beginWrite();
        try {
            final BtreeView view = new BtreeView(txn);
            for (int i = 0; i < entries.size(); i++) {
                final Entry entry = entries.get(i);
                assert entry.index() > appliedIndex : "entry " + entry.index() + " applied twice";
                if (entry.type() != EntryType.NORMAL || entry.data().length == 0) {
                    continue; // a leader's empty entry; membership changes come with the cluster issue
                }
                final Command command = CommandCodec.decode(entry.data());
                requestIds[i] = command.requestId();
                try {
                    results[i] = switch (command) {
                        case Command.Compact compact -> {
                            final long header = store.compact(view, compact.revision());
                            if (compact.physical()) {
                                // Answered by compactStep once the slices pass its revision.
                                physicalCompactions.add(
                                    new PhysicalCompaction(command.requestId(), compact.revision(), header));
                                requestIds[i] = 0;
                            }
                            yield header;
                        }
                        case Command.LeaseGrant grant -> lessor.grant(view, grant.id(), grant.ttlSeconds());
                        case Command.LeaseRevoke revoke -> revokeLease(view, revoke.id());
                        case Command.LeaseCheckpoint checkpoint -> {
                            lessor.checkpoint(view, checkpoint.checkpoints());
                            yield store.currentRevision();
                        }
                        case Command.Write write -> switch (write.op()) {
                            case TxnOp.Put put -> store.put(view, put);
                            case TxnOp.DeleteRange delete -> store.deleteRange(view, delete);
                            case TxnOp.Txn t -> store.txn(view, t);
                            case TxnOp.Range range -> throw new IllegalArgumentException("a range is not a write");
                        };
                    };
                } catch (final EtcdException | IllegalArgumentException refused) {
                    results[i] = refused;
                }
            }
            final long last = entries.getLast().index();
            view.put(Bucket.META, META_APPLIED_INDEX, ByteBuffer.allocate(Long.BYTES).putLong(last).array());
            txn.commit();
            appliedIndex = last;
        } catch (final IOException | RuntimeException e) {
            txn.abort();
            throw e;
        }
        if (store.currentRevision() != revisionBefore) {
            revisionCommitted.accept(store.currentRevision());
        }
        for (int i = 0; i < entries.size(); i++) {
            if (requestIds[i] != 0) {
                outcome.accept(requestIds[i], results[i]);
            }
        }
        answerPhysicalCompactions(outcome);
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

    boolean compactionPending() {
        return store.compactionPending();
    }

    /** One slice of physical compaction in its own transaction, so writes interleave with it. */
    void compactStep(final Outcome outcome) throws IOException {
        final WriteTxn txn = env.beginWrite();
        try {
            store.compactStep(new BtreeView(txn), COMPACTION_SLICE_REVISIONS);
            txn.commit();
        } catch (final IOException | RuntimeException e) {
            txn.abort();
            throw e;
        }
        answerPhysicalCompactions(outcome);
    }

    private void answerPhysicalCompactions(final Outcome outcome) {
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
}
