package io.cairn.engine.mvcc;

import io.cairn.engine.api.EtcdError;
import io.cairn.engine.api.EtcdException;
import io.cairn.engine.backend.BackendCursor;
import io.cairn.engine.backend.BackendReader;
import io.cairn.engine.backend.BackendWriter;
import io.cairn.engine.backend.ReadOnlyBackend;
import io.cairn.engine.backend.Bucket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * etcd's multi-version key-value semantics over the backend: revisions (the store starts at 1;
 * every write Txn that changes something takes the next one), per-key create/mod revision and
 * version, tombstones, Range at a past revision, Txn, and compaction.
 *
 * <p>Single writer: the apply loop calls the write methods one at a time, each inside one backend
 * write transaction that it commits afterwards. Reads may run concurrently on their own backend
 * read transactions; they only need {@link #currentRevision()} and {@link #compactRevision()},
 * which are published as volatiles after each write.
 */
public final class MvccStore {
    static final byte[] META_REVISION = "revision".getBytes(StandardCharsets.US_ASCII);
    static final byte[] META_COMPACT_REVISION = "compactRevision".getBytes(StandardCharsets.US_ASCII);
    /** How far the history walk of physical compaction has got (etcd's finished compact revision). */
    static final byte[] META_COMPACTED_THROUGH = "compactedThrough".getBytes(StandardCharsets.US_ASCII);
    private static final long FIRST_REVISION = 1;

    private final LeaseLookup leases;
    private volatile long currentRevision;
    private volatile long compactRevision;
    private long compactedThrough; // only the writer reads and moves it
    /** The writer's buffer for the revision it records (the backend copies it). */
    private final byte[] revisionScratch = new byte[Long.BYTES];
    /** See {@link #putReader}; only the writer (the apply thread) uses it. */
    private VersionReader putReader;

    private MvccStore(final LeaseLookup leases, final long currentRevision, final long compactRevision,
        final long compactedThrough) {
        this.leases = leases;
        this.currentRevision = currentRevision;
        this.compactRevision = compactRevision;
        this.compactedThrough = compactedThrough;
    }

    /** Reads the revisions recorded in the backend (a new backend starts at revision 1). */
    public static MvccStore open(final BackendReader backend, final LeaseLookup leases) {
        final MvccStore store = new MvccStore(leases, FIRST_REVISION, 0, 0);
        store.reload(backend);
        return store;
    }

    /**
     * Forgets what writes since the last commit did to the revisions: reads them again from
     * {@code committed} (a read of the backend after the writer's transaction was aborted).
     */
    public void reload(final BackendReader committed) {
        final long compacted = readLong(committed, META_COMPACT_REVISION, 0);
        currentRevision = readLong(committed, META_REVISION, FIRST_REVISION);
        compactRevision = compacted;
        compactedThrough = readLong(committed, META_COMPACTED_THROUGH, compacted);
    }

    /**
     * The largest record a put of a value of up to {@code valueBytesMax} bytes stores in the backend:
     * the backend must accept this much so that every value the request checks let through fits.
     */
    public static long storedValueBytesMax(final long valueBytesMax) {
        return valueBytesMax + StoredVersion.OVERHEAD_BYTES;
    }

    public long currentRevision() {
        return currentRevision;
    }

    public long compactRevision() {
        return compactRevision;
    }

    /**
     * A Range outside any Txn, served from a backend read transaction. The revisions come from that
     * transaction's snapshot, not from this object, so a read that races a commit is consistent.
     */
    public RangeResult range(final BackendReader backend, final RangeQuery query) {
        final long current = readLong(backend, META_REVISION, FIRST_REVISION);
        final long compacted = readLong(backend, META_COMPACT_REVISION, 0);
        return rangeAt(new VersionReader(backend), query, resolve(query.revision(), current, compacted), current);
    }

    /** The current revision recorded in {@code backend}'s snapshot (watch reads history against it). */
    public static long currentRevision(final BackendReader backend) {
        return readLong(backend, META_REVISION, FIRST_REVISION);
    }

    /** The compaction revision recorded in {@code backend}'s snapshot. */
    static long compactRevision(final BackendReader backend) {
        return readLong(backend, META_COMPACT_REVISION, 0);
    }

    private static long readLong(final BackendReader backend, final byte[] key, final long absent) {
        final byte[] value = backend.get(Bucket.META, key);
        return value == null ? absent : ByteBuffer.wrap(value).getLong();
    }

    /** A plain Put: etcd's applier checks its lease before its key (a Txn's put checks the key first). */
    public OpResult.Put put(final BackendWriter backend, final PutFields put) {
        // What txn() does for a Txn of this one put, without its plan, lists and nested result
        // (issue #21): no compares (it succeeds), no ranges to check, no earlier operation that
        // could delete the key, and a put always changes something.
        final long base = currentRevision;
        final VersionReader reader = putReader(backend);
        checkPut(put, reader, base, true);
        final OpResult.Put result = RevisionWriter.putAlone(backend, reader, base, put);
        final long revision = base + 1;
        LONG_BIG_ENDIAN.set(revisionScratch, 0, revision);
        backend.put(Bucket.META, META_REVISION, revisionScratch); // copied into the page at once
        currentRevision = revision;
        return result;
    }

    /** The writer's reader of {@code backend}, kept while the writer's view is the same (no reader per put). */
    private VersionReader putReader(final BackendWriter backend) {
        if (putReader == null || !putReader.reads(backend)) {
            putReader = new VersionReader(backend);
        }
        return putReader;
    }

    public OpResult.DeleteRange deleteRange(final BackendWriter backend, final TxnOp.DeleteRange delete) {
        final OpResult.Txn result = txn(backend, new TxnOp.Txn(List.of(), List.of(delete), List.of()));
        return (OpResult.DeleteRange)result.responses().get(0);
    }

    /**
     * Runs a Txn the way etcd does: every compare (nested ones too) is evaluated against the state
     * before the Txn; the chosen operations are checked against that state too (missing key for
     * ignore_value/ignore_lease, unknown lease, bad Range revision), so a Txn either fails with an
     * error and writes nothing, or runs entirely. Operations then run in order, each seeing the
     * writes of those before it. The Txn takes one new revision if anything changed.
     */
    public OpResult.Txn txn(final BackendWriter backend, final TxnOp.Txn txn) {
        return txn(backend, txn, false);
    }

    private OpResult.Txn txn(final BackendWriter backend, final TxnOp.Txn txn, final boolean leaseFirst) {
        final long base = currentRevision;
        final VersionReader before = new VersionReader(backend);
        final TxnPlan plan = TxnPlan.of(txn, before, base);
        checkPuts(txn, plan, before, base, leaseFirst, new ArrayList<>());
        checkRanges(txn, plan, base, compactRevision);

        final RevisionWriter writer = new RevisionWriter(backend, base);
        final List<OpResult> responses = execute(writer, txn, plan);
        final long revision = writer.changed() ? base + 1 : base;
        if (writer.changed()) {
            backend.put(Bucket.META, META_REVISION, longBytes(revision));
            currentRevision = revision;
        }
        return new OpResult.Txn(plan.succeeded(), responses, revision);
    }

    /**
     * Compacts away history at and below {@code revision}: from now on a Range below it fails with
     * "compacted". Physically each key keeps only its newest version at or below it (none if that is a
     * tombstone); that work is done by {@link #compactStep} in bounded slices, so writes never wait
     * for a whole compaction (etcd batches it the same way). Reads cannot tell the difference: a read
     * at or above the compaction revision sees the same versions before and after the slices run.
     * Returns the response header's revision (the current one).
     */
    public long compact(final BackendWriter backend, final long revision) {
        if (revision <= compactRevision) {
            throw new EtcdException(EtcdError.COMPACTED);
        }
        if (revision > currentRevision) {
            throw new EtcdException(EtcdError.FUTURE_REVISION);
        }
        backend.put(Bucket.META, META_COMPACT_REVISION, longBytes(revision));
        compactRevision = revision;
        return currentRevision;
    }

    /** Whether physical compaction has history left to walk. */
    public boolean compactionPending() {
        return compactedThrough < compactRevision;
    }

    /** The revision through which physical compaction is done. */
    public long compactedThrough() {
        return compactedThrough;
    }

    /**
     * One slice of physical compaction: walks at most {@code maxRevisions} revisions of history after
     * the last slice and drops the versions they make obsolete. Only keys written since the previous
     * compaction can have versions to drop: a key untouched since then has one version at most, already
     * kept. Returns whether work remains.
     */
    public boolean compactStep(final BackendWriter backend, final int maxRevisions) {
        final long target = compactRevision;
        if (compactedThrough >= target) {
            return false;
        }
        final Set<ByteBuffer> seen = new HashSet<>();
        final List<byte[]> doomedVersions = new ArrayList<>();
        final BackendCursor history = backend.cursor(Bucket.REV);
        long through = target;
        long lastMain = -1;
        int walked = 0;
        for (boolean valid = history.seek(revisionBytes(compactedThrough + 1, 0)); valid; valid = history.next()) {
            final long main = ByteBuffer.wrap(history.key()).getLong();
            if (main > target) {
                break;
            }
            // A slice ends between revisions, never inside one (a Txn's changes share a revision),
            // so the next slice starts at a whole revision and every slice makes progress.
            if (walked >= maxRevisions && main != lastMain) {
                through = lastMain;
                break;
            }
            walked++;
            lastMain = main;
            final byte[] userKey = history.value();
            if (seen.add(ByteBuffer.wrap(userKey))) {
                collectVersionsToDrop(backend, userKey, target, doomedVersions);
            }
        }
        for (final byte[] version : doomedVersions) {
            backend.delete(Bucket.KV, version);
            backend.delete(Bucket.REV,
                revisionBytes(RevisionKey.mainRevision(version), RevisionKey.subRevision(version)));
        }
        compactedThrough = Math.max(through, compactedThrough);
        backend.put(Bucket.META, META_COMPACTED_THROUGH, longBytes(compactedThrough));
        return compactedThrough < compactRevision;
    }

    /** Every version of {@code userKey} at or below {@code revision} but its newest live one. */
    private static void collectVersionsToDrop(final BackendReader backend, final byte[] userKey, final long revision,
        final List<byte[]> doomed) {
        final BackendCursor versions = backend.cursor(Bucket.KV);
        final byte[] prefix = RevisionKey.userKeyPrefix(userKey);
        boolean newest = true;
        for (boolean valid = versions.seek(RevisionKey.encode(userKey, revision, Long.MAX_VALUE));
            valid && startsWith(versions.key(), prefix); valid = versions.next()) {
            if (newest) {
                newest = false;
                if (!StoredVersion.decode(versions.value()).tombstone()) {
                    continue;
                }
            }
            doomed.add(versions.key().clone());
        }
    }

    private static RangeResult rangeAt(final VersionReader reader, final RangeQuery query, final long atRevision,
        final long headerRevision) {
        // etcd fetches everything when it must sort or filter, and one extra key to know "more".
        long fetch = query.sortOrder() != RangeQuery.SortOrder.NONE || query.hasFilters() ? 0 : query.limit();
        if (fetch > 0) {
            fetch++;
        }
        final VersionReader.Scan scan = reader.scan(query.range(), atRevision, query.countOnly() ? 1 : fetch);
        List<KeyValue> kvs = query.countOnly() ? List.of() : scan.kvs();
        if (query.hasFilters()) {
            kvs = kvs.stream().filter(kv -> passesFilters(query, kv)).toList();
        }
        RangeQuery.SortOrder order = query.sortOrder();
        if (query.sortTarget() != RangeQuery.SortTarget.KEY && order == RangeQuery.SortOrder.NONE) {
            order = RangeQuery.SortOrder.ASCEND; // etcd's default for a non-key target
        }
        if (order == RangeQuery.SortOrder.ASCEND || order == RangeQuery.SortOrder.DESCEND) {
            Comparator<KeyValue> comparator = comparator(query.sortTarget());
            if (order == RangeQuery.SortOrder.DESCEND) {
                comparator = comparator.reversed();
            }
            kvs = kvs.stream().sorted(comparator).toList();
        }
        boolean more = false;
        if (query.limit() > 0 && kvs.size() > query.limit()) {
            kvs = kvs.subList(0, (int)query.limit());
            more = true;
        }
        if (query.keysOnly()) {
            kvs = kvs.stream().map(KeyValue::withoutValue).toList();
        }
        return new RangeResult(List.copyOf(kvs), scan.count(), more, headerRevision);
    }

    private static boolean passesFilters(final RangeQuery query, final KeyValue kv) {
        return (query.maxModRevision() == 0 || kv.modRevision() <= query.maxModRevision())
            && (query.minModRevision() == 0 || kv.modRevision() >= query.minModRevision())
            && (query.maxCreateRevision() == 0 || kv.createRevision() <= query.maxCreateRevision())
            && (query.minCreateRevision() == 0 || kv.createRevision() >= query.minCreateRevision());
    }

    private static Comparator<KeyValue> comparator(final RangeQuery.SortTarget target) {
        return switch (target) {
            case KEY -> (a, b) -> Arrays.compareUnsigned(a.key(), b.key());
            case VERSION -> Comparator.comparingLong(KeyValue::version);
            case CREATE -> Comparator.comparingLong(KeyValue::createRevision);
            case MOD -> Comparator.comparingLong(KeyValue::modRevision);
            case VALUE -> (a, b) -> Arrays.compareUnsigned(a.value(), b.value());
        };
    }

    /** The revision a Range reads at: 0 or less means the current one. */
    private static long resolve(final long requested, final long current, final long compacted) {
        if (requested <= 0) {
            return current;
        }
        if (requested > current) {
            throw new EtcdException(EtcdError.FUTURE_REVISION);
        }
        if (requested < compacted) {
            throw new EtcdException(EtcdError.COMPACTED);
        }
        return requested;
    }

    /** Which branch each Txn takes, decided before any operation runs (etcd's "txn path"). */
    private record TxnPlan(boolean succeeded, List<TxnPlan> nested) {
        static TxnPlan of(final TxnOp.Txn txn, final VersionReader before, final long revision) {
            boolean succeeded = true;
            for (final Compare compare : txn.compares()) {
                if (!holds(compare, before, revision)) {
                    succeeded = false;
                    break;
                }
            }
            final List<TxnPlan> nested = new ArrayList<>();
            for (final TxnOp op : succeeded ? txn.success() : txn.failure()) {
                if (op instanceof TxnOp.Txn inner) {
                    nested.add(of(inner, before, revision));
                }
            }
            return new TxnPlan(succeeded, nested);
        }

        private static boolean holds(final Compare compare, final VersionReader before, final long revision) {
            final List<KeyValue> kvs = before.scan(compare.range(), revision, 0).kvs();
            if (kvs.isEmpty()) {
                return compare.target() != Compare.Target.VALUE
                    && compare.holdsFor(new KeyValue(compare.range().key(), 0, 0, 0, 0, new byte[0]));
            }
            for (final KeyValue kv : kvs) {
                if (!compare.holdsFor(kv)) {
                    return false;
                }
            }
            return true;
        }

        List<TxnOp> chosen(final TxnOp.Txn txn) {
            return succeeded ? txn.success() : txn.failure();
        }
    }

    /**
     * {@code earlier} holds the writes of the chosen path so far, in order. etcd's duplicate-key check
     * lets a from-key delete and a later ignore_value/ignore_lease put of a key in it through, and
     * etcd 3.4 then panics while applying; Cairn refuses that Txn with "key not found" instead,
     * before anything is written.
     */
    private void checkPuts(final TxnOp.Txn txn, final TxnPlan plan, final VersionReader before, final long base,
        final boolean leaseFirst, final List<TxnOp> earlier) {
        int nested = 0;
        for (final TxnOp op : plan.chosen(txn)) {
            if (op instanceof TxnOp.Put put) {
                checkPut(put, before, base, leaseFirst);
                if ((put.ignoreValue() || put.ignoreLease()) && !existsAfter(put.key(), earlier)) {
                    throw new EtcdException(EtcdError.KEY_NOT_FOUND);
                }
                earlier.add(put);
            } else if (op instanceof TxnOp.DeleteRange delete) {
                earlier.add(delete);
            } else if (op instanceof TxnOp.Txn inner) {
                checkPuts(inner, plan.nested().get(nested++), before, base, leaseFirst, earlier);
            }
        }
    }

    /** Whether a key that existed before the Txn (checkPut saw to that) still exists after {@code earlier}. */
    private static boolean existsAfter(final byte[] key, final List<TxnOp> earlier) {
        boolean exists = true;
        for (final TxnOp op : earlier) {
            if (op instanceof TxnOp.DeleteRange delete && delete.range().contains(key)) {
                exists = false;
            } else if (op instanceof TxnOp.Put put && Arrays.equals(put.key(), key)) {
                exists = true;
            }
        }
        return exists;
    }

    private void checkRanges(final TxnOp.Txn txn, final TxnPlan plan, final long base, final long compacted) {
        int nested = 0;
        for (final TxnOp op : plan.chosen(txn)) {
            if (op instanceof TxnOp.Range range) {
                resolve(range.query().revision(), base, compacted);
            } else if (op instanceof TxnOp.Txn inner) {
                checkRanges(inner, plan.nested().get(nested++), base, compacted);
            }
        }
    }

    /**
     * A Txn whose branches hold only Ranges, evaluated on a read snapshot without the log (etcd's
     * read-only Txn path): its compares and ranges see {@code backend}'s revision, and nothing is
     * written. The caller makes it linearizable first when etcd would.
     */
    public OpResult.Txn readOnlyTxn(final BackendReader backend, final TxnOp.Txn txn) {
        final long base = currentRevision(backend);
        final VersionReader before = new VersionReader(backend);
        final TxnPlan plan = TxnPlan.of(txn, before, base);
        checkRanges(txn, plan, base, compactRevision(backend));
        final List<OpResult> responses = execute(new RevisionWriter(new ReadOnlyBackend(backend), base), txn, plan);
        return new OpResult.Txn(plan.succeeded(), responses, base);
    }

    /**
     * etcd's checks of one put: a key the backend can hold, then an unknown lease and a missing key
     * for ignore_value/ignore_lease, in etcd's order: a Txn's put checks the key first, a plain
     * Put the lease first (etcd's applier has two code paths).
     */
    private void checkPut(final PutFields put, final VersionReader before, final long base, final boolean leaseFirst) {
        if (!RevisionKey.fits(put.key())) {
            throw new IllegalArgumentException("cairn: key of " + put.key().length
                + " bytes is longer than the backend allows (about 1,000 bytes)");
        }
        if (leaseFirst) {
            checkLease(put);
        }
        if ((put.ignoreValue() || put.ignoreLease()) && before.latest(put.key(), base) == null) {
            throw new EtcdException(EtcdError.KEY_NOT_FOUND);
        }
        checkLease(put);
    }

    private void checkLease(final PutFields put) {
        if (put.lease() != 0 && !put.ignoreLease() && !leases.exists(put.lease())) {
            throw new EtcdException(EtcdError.LEASE_NOT_FOUND);
        }
    }

    private List<OpResult> execute(final RevisionWriter writer, final TxnOp.Txn txn, final TxnPlan plan) {
        final List<OpResult> responses = new ArrayList<>();
        int nested = 0;
        for (final TxnOp op : plan.chosen(txn)) {
            responses.add(switch (op) {
                case TxnOp.Range range -> new OpResult.Range(rangeAt(writer.reader(), range.query(),
                    range.query().revision() > 0 ? range.query().revision() : writer.readRevision(),
                    writer.readRevision()));
                case TxnOp.Put put -> writer.put(put);
                case TxnOp.DeleteRange delete -> writer.deleteRange(delete);
                case TxnOp.Txn inner -> {
                    final TxnPlan innerPlan = plan.nested().get(nested++);
                    yield new OpResult.Txn(innerPlan.succeeded(), execute(writer, inner, innerPlan), 0);
                }
            });
        }
        return responses;
    }

    // Big-endian into a plain array: a ByteBuffer around it was a second object per call (issue #21).
    static byte[] revisionBytes(final long main, final long sub) {
        return revisionBytesInto(new byte[2 * Long.BYTES], main, sub);
    }

    /** As {@link #revisionBytes}, into an array of this thread's that its next call overwrites. */
    static byte[] revisionBytesIntoScratch(final long main, final long sub) {
        return revisionBytesInto(REVISION_SCRATCH.get(), main, sub);
    }

    private static byte[] revisionBytesInto(final byte[] out, final long main, final long sub) {
        LONG_BIG_ENDIAN.set(out, 0, main);
        LONG_BIG_ENDIAN.set(out, Long.BYTES, sub);
        return out;
    }

    private static final ThreadLocal<byte[]> REVISION_SCRATCH = ThreadLocal.withInitial(() -> new byte[2 * Long.BYTES]);

    static byte[] longBytes(final long value) {
        final byte[] out = new byte[Long.BYTES];
        LONG_BIG_ENDIAN.set(out, 0, value);
        return out;
    }

    private static final java.lang.invoke.VarHandle LONG_BIG_ENDIAN =
        java.lang.invoke.MethodHandles.byteArrayViewVarHandle(long[].class, java.nio.ByteOrder.BIG_ENDIAN);

    private static boolean startsWith(final byte[] bytes, final byte[] prefix) {
        return bytes.length >= prefix.length && Arrays.equals(bytes, 0, prefix.length, prefix, 0, prefix.length);
    }
}
