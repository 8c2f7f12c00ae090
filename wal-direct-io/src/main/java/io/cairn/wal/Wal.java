package io.cairn.wal;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.LongConsumer;

import io.cairn.posix.NativePosix;
import io.cairn.posix.NoSpaceLeftException;
import io.cairn.posix.Posix;
import io.cairn.posix.PosixException;

/**
 * A segmented write-ahead log with group commit.
 *
 * <p>Any number of threads call {@link #append}; each call is encoded into the batch being filled and
 * gets a future that completes once its records are durable. One flusher thread takes the whole
 * batch, writes it with one block-aligned {@code pwrite} and makes it durable with one
 * {@code fdatasync} (or an O_DSYNC write), then completes every future of that batch. While it
 * syncs, the next batch fills; appenders wait only when that batch has no room left
 * ({@link WalOptions#maxWriteBytes()} bounds it), which is the log's back pressure.
 *
 * <p>Futures complete on the flusher thread: callers should {@code join()} or continue asynchronously
 * on their own executor, not run long work in {@code thenRun}.
 *
 * <p>Every native call, and every segment file created, renamed or deleted, goes through one
 * {@link Posix}: libc, or a fault layer in tests.
 */
public final class Wal implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(Wal.class.getName());
    private static final int HEADER_BUFFER_BYTES = 2 * RecordFormat.BLOCK_BYTES; // header with a directory of up to PATH_MAX

    private final Path directory;
    private final String directoryName;
    private final Posix posix;
    private final WalOptions options;
    private final long walId;
    private final Recovered recovered;
    private final WalMetrics metrics = new WalMetrics();
    private final Arena arena = Arena.ofShared();
    private final DirectIoFallback fallback = new DirectIoFallback();
    private final SegmentPreparer preparer;

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition batchWaiting = lock.newCondition();
    private final Condition roomFreed = lock.newCondition();
    // Guarded by lock.
    private BatchBuffer filling;
    private long lastIndex;
    private long snapshotIndex;
    private boolean closing;
    private IOException failure;

    // Whoever writes a batch holds it: the flusher thread, or an appendAndSync caller. Lock order:
    // writeRole before lock.
    private final ReentrantLock writeRole = new ReentrantLock();
    /** The outcome {@link #appendAndSync} reuses, and whether a call holds it. */
    private final SyncOutcome syncOutcome = new SyncOutcome();
    private final AtomicBoolean syncOutcomeInUse = new AtomicBoolean();
    // Guarded by writeRole (and owned by open/close, before the flusher starts and after it ends).
    private final BatchBuffer headerBuffer;
    private BatchBuffer spare; // the batch not being filled; swapped with the filling one under both locks
    private SegmentWriter segment;
    private long durableLastIndex;
    /** The last durable hard state, as its three numbers (no object per write, issue #21). */
    private long durableTerm;
    private long durableVote;
    private long durableCommit;
    private volatile SnapshotMarker durableSnapshot = SnapshotMarker.NONE;

    // Guarded by itself: every segment on disk, oldest first; the flusher adds, release removes.
    private final List<SegmentName> segments;

    private final Thread flusher;
    private volatile LongConsumer syncObserver = syncNanos -> { };

    private Wal(Path directory, WalOptions options, Posix posix, long keepFromIndex) throws IOException {
        this.directory = directory.toAbsolutePath().normalize();
        this.posix = posix;
        posix.createDirectories(this.directory);
        this.directoryName = this.directory.toRealPath().toString();
        this.options = options;
        this.headerBuffer = new BatchBuffer(arena, HEADER_BUFFER_BYTES);
        this.filling = new BatchBuffer(arena, options.maxWriteBytes());
        this.spare = new BatchBuffer(arena, options.maxWriteBytes());
        WalRecovery.Result result;
        SegmentPreparer startedPreparer = null;
        try {
            result = WalRecovery.recover(this.directory, options, posix, keepFromIndex);
            startedPreparer = new SegmentPreparer(this.directory, options, posix);
            if (result == null) {
                walId = new SecureRandom().nextLong();
                recovered = new Recovered(HardState.EMPTY, SnapshotMarker.NONE, List.of());
                segments = new ArrayList<>(List.of(new SegmentName(0, 1)));
                segment = createSegment(takeSpare(startedPreparer, 0), segments.getFirst());
            } else {
                walId = result.walId();
                recovered = result.recovered();
                segments = new ArrayList<>(result.segments());
                segment = SegmentWriter.reopen(this.directory, segments.getLast(), result.writeOffset(), options,
                        posix, fallback);
            }
        } catch (IOException | RuntimeException e) {
            if (startedPreparer != null) {
                startedPreparer.close();
            }
            arena.close();
            throw e;
        }
        preparer = startedPreparer;
        lastIndex = recovered.lastIndex();
        snapshotIndex = recovered.snapshot().index();
        durableLastIndex = lastIndex;
        durableTerm = recovered.hardState().term();
        durableVote = recovered.hardState().vote();
        durableCommit = recovered.hardState().commit();
        durableSnapshot = recovered.snapshot();
        flusher = Thread.ofPlatform().name("wal-flusher-" + this.directory.getFileName()).daemon(true).unstarted(this::flushLoop);
        flusher.start();
    }

    /** The most one entry with a payload of {@code payloadBytes} takes of a write, framing included. */
    public static int entryBytesMax(int payloadBytes) {
        return RecordFormat.worstCaseBytes(RecordFormat.ENTRY_FIXED_BODY_BYTES + payloadBytes);
    }

    /** The most a hard state takes of a write. Entries and a hard state appended together share one write. */
    public static final int HARD_STATE_BYTES_MAX = RecordFormat.worstCaseBytes(RecordFormat.HARD_STATE_BODY_BYTES);

    /** Opens (recovering) or creates the log in {@code directory}. */
    public static Wal open(Path directory, WalOptions options) throws IOException {
        return new Wal(directory, options, NativePosix.INSTANCE, 1);
    }

    /**
     * Opens (recovering) or creates the log in {@code directory}, making every native call through
     * {@code posix}: {@link NativePosix#INSTANCE}, or a fault layer that cuts the power or injects
     * disk errors.
     */
    public static Wal open(Path directory, WalOptions options, Posix posix) throws IOException {
        return new Wal(directory, options, posix, 1);
    }

    /**
     * As above, with {@link #recovered()} leaving out the entries below {@code keepFromIndex}: the
     * caller holds their effects elsewhere (a member: committed entries its tree applied) and needs
     * only the later ones. Every record is still verified, and the log on disk is unchanged;
     * {@link Recovered#entriesAfter} says where the returned entries start. A restart then reads a
     * long log without keeping it.
     */
    public static Wal open(Path directory, WalOptions options, Posix posix, long keepFromIndex) throws IOException {
        return new Wal(directory, options, posix, keepFromIndex);
    }

    private SegmentWriter createSegment(Path spare, SegmentName name) throws IOException {
        headerBuffer.clear();
        headerBuffer.putSegmentHeader(new SegmentHeader(walId, name.sequence(), name.firstIndex(),
                durableSnapshot, new HardState(durableTerm, durableVote, durableCommit), directoryName));
        return SegmentWriter.create(directory, spare, name, headerBuffer, options, posix, fallback);
    }

    /** The prepared next segment; while the disk is full, waits up to {@link WalOptions#spareWaitNanos()} and then refuses. */
    private Path takeSpare(SegmentPreparer spares, long durableLast) throws IOException {
        Path spare = spares.take(options.spareWaitNanos());
        if (spare != null) {
            return spare;
        }
        NoSpaceLeftException noSpace = spares.noSpace();
        String why = noSpace != null ? noSpace.getMessage() + "; " + noSpace.whatToDo() : "its preparation was interrupted";
        throw new NoSpareSegmentException("the WAL in " + directory + " needs its next segment and none was ready within "
                + TimeUnit.NANOSECONDS.toMillis(options.spareWaitNanos()) + " ms: " + why + ". Nothing of this append or of"
                + " those queued after it was written; the log still ends at index " + durableLast
                + " and takes appends again once the segment is ready", noSpace);
    }

    /** The log's directory (for messages). */
    public Path directory() {
        return directory;
    }

    /** What the log held when it was opened. */
    public Recovered recovered() {
        return recovered;
    }

    public WalMetrics metrics() {
        return metrics;
    }

    /**
     * Tells {@code syncNanosObserver}, on the thread that wrote (the flusher, or an appendAndSync
     * caller), how long each group-commit write's
     * {@code fdatasync} (or O_DSYNC write) took, in nanoseconds, once it has returned; the host
     * decides what is slow and logs it (etcd warns above one second). It must be quick; what it
     * throws is ignored, never a write's failure. Replaces the previous observer.
     */
    public void observeSyncs(LongConsumer syncNanosObserver) {
        syncObserver = Objects.requireNonNull(syncNanosObserver, "syncNanosObserver");
    }

    private void tellSyncObserver(long syncNanos) {
        try {
            syncObserver.accept(syncNanos);
        } catch (RuntimeException e) {
            // Reporting a slow disk must never fail the write that was slow.
            LOG.log(System.Logger.Level.DEBUG, "the WAL's sync observer failed", e);
        }
    }

    /**
     * Appends {@code entries} (consecutive indexes) and then {@code hardState} (may be null). An entry
     * index at or below the last one replaces that entry and everything after it (Raft's conflicting
     * suffix); an index beyond last + 1 is refused. The future completes when all of it is durable and
     * fails, like every later append, if the log cannot be written.
     */
    public CompletableFuture<Void> append(List<Entry> entries, HardState hardState) {
        CompletableFuture<Void> durable = new CompletableFuture<>();
        Completion completion = new Completion.OfFuture(durable);
        if (hardState == null) {
            enqueue(EntrySource.of(entries), false, 0, 0, 0, completion, true);
        } else {
            enqueue(EntrySource.of(entries), true, hardState.term(), hardState.vote(), hardState.commit(), completion, true);
        }
        return durable;
    }

    /**
     * As {@link #append}, but written and synced on the calling thread, which returns once it is
     * durable. For a single appender that waits for durability before its next step anyway (the Raft
     * loop): handing the write to the flusher and back cost two thread wake-ups per write. If the
     * flusher is busy with earlier appends, the caller waits for it and then writes what is left.
     *
     * @throws IOException if the log cannot be written (this and every later append fail)
     */
    public void appendAndSync(List<Entry> entries, HardState hardState) throws IOException {
        appendAndSync(EntrySource.of(entries), hardState);
    }

    /** As {@link #appendAndSync(List, HardState)}, the entries read in place from {@code entries}. */
    public void appendAndSync(EntrySource entries, HardState hardState) throws IOException {
        if (hardState == null) {
            appendAndSync(entries, false, 0, 0, 0);
        } else {
            appendAndSync(entries, true, hardState.term(), hardState.vote(), hardState.commit());
        }
    }

    /**
     * As {@link #appendAndSync(EntrySource, HardState)}, the hard state given as its three numbers when
     * {@code withHardState}: a caller that writes one per append needs no object for it (issue #21).
     */
    public void appendAndSync(EntrySource entries, boolean withHardState, long term, long vote, long commit)
            throws IOException {
        // The single appender reuses one outcome: a future per append was garbage on the put path
        // (issue #21). A second thread appending at the same time gets one of its own.
        boolean reused = syncOutcomeInUse.compareAndSet(false, true);
        SyncOutcome outcome = reused ? syncOutcome : new SyncOutcome();
        try {
            outcome.reset();
            enqueue(entries, withHardState, term, vote, commit, outcome, false);
            // The caller always writes its own batch: if the flusher is writing earlier appends, the
            // caller waits for the write role and then finds its batch written, or writes it.
            writeRole.lock();
            try {
                BatchBuffer batch = takeBatch();
                if (batch != null) {
                    writeAndComplete(batch);
                }
            } finally {
                writeRole.unlock();
            }
            // Whoever wrote the batch told the outcome before giving up the write role, which this
            // thread has held since: it is known now.
            outcome.throwIfFailed();
        } finally {
            if (reused) {
                syncOutcomeInUse.set(false);
            }
        }
    }

    /** The outcome of an {@link #appendAndSync}, written and read under the write role or the lock. */
    private static final class SyncOutcome implements Completion {
        private boolean durable;
        private IOException failure;

        void reset() {
            durable = false;
            failure = null;
        }

        @Override
        public void durable() {
            durable = true;
        }

        @Override
        public void failed(IOException cause) {
            failure = cause;
        }

        void throwIfFailed() throws IOException {
            if (failure != null) {
                throw failure;
            }
            if (!durable) {
                throw new IllegalStateException("an append was neither written nor refused");
            }
        }
    }

    private void enqueue(EntrySource entries, boolean withHardState, long term, long vote, long commit,
            Completion completion, boolean wakeFlusher) {
        if (withHardState && (term < 0 || commit < 0)) {
            throw new IllegalArgumentException("hard state needs term >= 0 and commit >= 0, got term " + term
                    + " commit " + commit);
        }
        int worstCaseBytes = !withHardState ? 0 : RecordFormat.worstCaseBytes(RecordFormat.HARD_STATE_BODY_BYTES);
        int count = entries.count();
        for (int i = 0; i < count; i++) {
            if (entries.term(i) < 0 || entries.index(i) < 1) {
                throw new IllegalArgumentException("entry needs term >= 0 and index >= 1, got term " + entries.term(i)
                        + " index " + entries.index(i));
            }
            if (i > 0 && entries.index(i) != entries.index(i - 1) + 1) {
                throw new IllegalArgumentException("entries must have consecutive indexes: " + entries.index(i - 1)
                        + " is followed by " + entries.index(i));
            }
            worstCaseBytes += RecordFormat.worstCaseBytes(RecordFormat.ENTRY_FIXED_BODY_BYTES + entries.payloadBytes(i));
        }
        checkFitsOneWrite(worstCaseBytes);
        lock.lock();
        try {
            if (!awaitRoom(worstCaseBytes, completion)) {
                return;
            }
            if (count > 0) {
                long first = entries.index(0);
                if (first > lastIndex + 1) {
                    throw new IllegalArgumentException("entry " + first + " would leave a gap: the log ends at " + lastIndex);
                }
                if (first <= snapshotIndex) {
                    throw new IllegalArgumentException("entry " + first + " is covered by the snapshot at " + snapshotIndex
                            + " and cannot be replaced");
                }
                for (int i = 0; i < count; i++) {
                    filling.putEntry(entries, i);
                }
                lastIndex = entries.index(count - 1);
                filling.setLogLastIndex(lastIndex);
            }
            if (withHardState) {
                filling.putHardState(term, vote, commit);
            }
            filling.addCompletion(completion);
            if (wakeFlusher) {
                batchWaiting.signal();
            }
        } finally {
            lock.unlock();
        }
    }

    /**
     * Records that a snapshot up to {@code marker.index()} is durable elsewhere. After the future
     * completes, {@link #releaseBefore} may delete segments below it; a marker beyond the last entry
     * moves the log's end there (a follower that installed a leader's snapshot).
     */
    public CompletableFuture<Void> saveSnapshot(SnapshotMarker marker) {
        CompletableFuture<Void> durable = new CompletableFuture<>();
        Completion completion = new Completion.OfFuture(durable);
        lock.lock();
        try {
            if (!awaitRoom(RecordFormat.worstCaseBytes(RecordFormat.SNAPSHOT_BODY_BYTES), completion)) {
                return durable;
            }
            if (marker.index() < snapshotIndex) {
                throw new IllegalArgumentException("snapshot at " + marker.index() + " is older than the one at " + snapshotIndex);
            }
            filling.putSnapshot(marker);
            snapshotIndex = marker.index();
            if (marker.index() > lastIndex) {
                lastIndex = marker.index();
                filling.setLogLastIndex(lastIndex);
            }
            filling.addCompletion(completion);
            batchWaiting.signal();
        } finally {
            lock.unlock();
        }
        return durable;
    }

    /**
     * Deletes every segment whose entries all lie at or below {@code index}. The index must be covered
     * by a snapshot marker that is already durable, so recovery never needs what is deleted.
     */
    public void releaseBefore(long index) throws IOException {
        SnapshotMarker snapshot = durableSnapshot;
        if (index > snapshot.index()) {
            throw new IllegalArgumentException("cannot release up to " + index + ": the newest durable snapshot covers "
                    + snapshot.index());
        }
        synchronized (segments) {
            // Oldest first, each deletion durable before the next: without the directory sync between
            // them, a power cut may keep a later deletion and lose an earlier one, leaving a hole in
            // the sequence that recovery refuses (power-cut trials found one).
            while (segments.size() >= 2 && segments.get(1).firstIndex() <= index + 1) {
                posix.unlink(directory.resolve(segments.getFirst().fileName()));
                segments.removeFirst();
                posix.fsyncDirectory(directory);
            }
        }
    }

    /**
     * The highest index the oldest segment may hold: its successor's first index less one, or
     * {@link Long#MAX_VALUE} while there is one segment. {@link #releaseBefore} an index at or past
     * it deletes at least that segment; below it, nothing.
     */
    public long oldestSegmentLastIndex() {
        synchronized (segments) {
            return segments.size() < 2 ? Long.MAX_VALUE : segments.get(1).firstIndex() - 1;
        }
    }

    /** The segments on disk, oldest first. */
    public List<String> segmentFileNames() {
        synchronized (segments) {
            return segments.stream().map(SegmentName::fileName).toList();
        }
    }

    private void checkFitsOneWrite(int worstCaseBytes) {
        if (worstCaseBytes > options.maxWriteBytes()) {
            throw new IllegalArgumentException("an append of up to " + worstCaseBytes + " bytes exceeds maxWriteBytes ("
                    + options.maxWriteBytes() + "); split it or raise the option");
        }
    }

    /** Waits (holding the lock) for room in the filling batch; false if the log failed or closed instead. */
    private boolean awaitRoom(int worstCaseBytes, Completion completion) {
        // The flusher swaps batches after each write, so each wait ends within one write.
        while (failure == null && !closing && !filling.hasRoomFor(worstCaseBytes)) {
            roomFreed.awaitUninterruptibly();
        }
        if (failure != null) {
            completion.failed(new IOException("the WAL in " + directory + " failed earlier and takes no more"
                    + " appends: " + failure.getMessage(), failure));
            return false;
        }
        if (closing) {
            throw new IllegalStateException("the WAL in " + directory + " is closed");
        }
        return true;
    }

    /** See {@link #plantBugAcknowledgeBeforeFdatasync}; off. */
    private volatile boolean plantedBugSkipsFdatasync;

    private void flushLoop() {
        while (awaitAppends()) {
            writeRole.lock();
            try {
                BatchBuffer batch = takeBatch();
                if (batch != null && !writeAndComplete(batch)) {
                    return;
                }
            } finally {
                writeRole.unlock();
            }
        }
    }

    /** Waits for appends to write; false once closed with nothing left to write. */
    private boolean awaitAppends() {
        lock.lock();
        try {
            while (filling.isEmpty() && !closing) {
                batchWaiting.awaitUninterruptibly();
            }
            return !filling.isEmpty();
        } finally {
            lock.unlock();
        }
    }

    /**
     * Takes the filling batch (after up to the batching delay for more), or null if it is empty
     * because another writer took it. Called holding writeRole.
     */
    private BatchBuffer takeBatch() {
        lock.lock();
        try {
            if (filling.isEmpty()) {
                return null;
            }
            long waitNanos = options.maxBatchDelayNanos();
            while (waitNanos > 0 && !closing && filling.usedBytes() < options.maxWriteBytes() / 2) {
                try {
                    waitNanos = batchWaiting.awaitNanos(waitNanos);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
            BatchBuffer batch = filling;
            assert spare != null : "each writer returns the spare before the next batch is taken";
            filling = spare;
            spare = null;
            roomFreed.signalAll();
            return batch;
        } finally {
            lock.unlock();
        }
    }

    /** Writes and syncs the batch and completes its appends; false if the log failed instead. Holding writeRole. */
    private boolean writeAndComplete(BatchBuffer batch) {
        try {
            writeDurably(batch);
        } catch (NoSpareSegmentException e) {
            refuse(batch, e);
            return true;
        } catch (IOException | RuntimeException e) {
            fail(batch, e instanceof IOException io ? io : new IOException(e));
            return false;
        }
        List<Completion> completions = batch.completions();
        for (int i = 0; i < completions.size(); i++) { // no iterator per write (issue #21)
            completions.get(i).durable();
        }
        batch.clear();
        spare = batch;
        return true;
    }

    /**
     * TESTS ONLY, a planted bug: appends are acknowledged without their fdatasync (only a segment's
     * rotation syncs it), so a power cut loses acknowledged entries. The chaos harness shows it
     * catches this; nothing but a member started for tests turns it on.
     */
    public void plantBugAcknowledgeBeforeFdatasync() {
        plantedBugSkipsFdatasync = true;
    }

    private void writeDurably(BatchBuffer batch) throws IOException {
        // The last block of a segment stays free for the record that closes it.
        if (!segment.fits(batch.alignedBytes() + RecordFormat.BLOCK_BYTES)) {
            rotate();
        }
        long startNanos = System.nanoTime();
        segment.write(batch);
        long writtenNanos = System.nanoTime();
        if (!plantedBugSkipsFdatasync) {
            segment.sync();
        }
        long durableNanos = System.nanoTime();
        metrics.recordWrite(batch.alignedBytes(), batch.records(), durableNanos - startNanos);
        // With O_DSYNC the write is the sync.
        tellSyncObserver(options.syncMode() == SyncMode.FDATASYNC ? durableNanos - writtenNanos : durableNanos - startNanos);
        if (batch.logLastIndex() >= 0) {
            durableLastIndex = batch.logLastIndex();
        }
        if (batch.hasHardState()) {
            durableTerm = batch.hardStateTerm();
            durableVote = batch.hardStateVote();
            durableCommit = batch.hardStateCommit();
        }
        if (batch.lastSnapshot() != null) {
            durableSnapshot = batch.lastSnapshot();
        }
    }

    /**
     * New segment first (durably, with header), then the end record that points to it. Throws
     * {@link NoSpareSegmentException} before writing anything if no spare is ready.
     */
    private void rotate() throws IOException {
        Path spare = takeSpare(preparer, durableLastIndex);
        SegmentName next = new SegmentName(segment.name().sequence() + 1, durableLastIndex + 1);
        SegmentWriter created = createSegment(spare, next);
        synchronized (segments) {
            segments.add(next);
        }
        headerBuffer.clear();
        headerBuffer.putSegmentEnd(next.sequence());
        segment.write(headerBuffer);
        segment.sync();
        segment.close();
        segment = created;
    }

    /**
     * The log cannot be written any more: this batch and everything queued fail, and so does every
     * later append. Whether a write that failed, or was not synced, reached the disk is unknown, and
     * after a failed fdatasync the kernel may have dropped what it could not write (and report the
     * next fdatasync good), so going on could acknowledge what is not durable. A reopen recovers
     * every acknowledged entry.
     */
    private void fail(BatchBuffer batch, IOException cause) {
        String remedy = cause instanceof PosixException p && !p.whatToDo().isEmpty() ? p.whatToDo() + ", then " : "";
        IOException failed = new IOException("the WAL in " + directory + " cannot be written: " + cause.getMessage()
                + ". Nothing of this append or of any later one is durable; " + remedy
                + "restart the member: reopening the log recovers every acknowledged entry", cause);
        LOG.log(System.Logger.Level.ERROR, failed.getMessage());
        List<Completion> waiting = new ArrayList<>(batch.completions());
        lock.lock();
        try {
            failure = failed;
            waiting.addAll(filling.completions());
            filling.clear();
            roomFreed.signalAll();
        } finally {
            lock.unlock();
        }
        for (Completion completion : waiting) {
            completion.failed(failed);
        }
    }

    /**
     * Refuses this batch and everything queued after it, which continues from it, without having
     * written any of it: the log ends where the last durable write left it, in memory as on disk, and
     * takes appends again from there.
     */
    private void refuse(BatchBuffer batch, NoSpareSegmentException cause) {
        List<Completion> refused = new ArrayList<>(batch.completions());
        lock.lock();
        try {
            refused.addAll(filling.completions());
            filling.clear();
            lastIndex = durableLastIndex;
            snapshotIndex = durableSnapshot.index();
            roomFreed.signalAll();
        } finally {
            lock.unlock();
        }
        batch.clear();
        spare = batch;
        for (Completion completion : refused) {
            completion.failed(cause);
        }
    }

    /** Test hook: the descriptor of the segment being written. */
    int currentDescriptor() {
        return segment.descriptor();
    }

    /** Whether segments are written with O_DIRECT: asked for, and not refused by the filesystem. */
    public boolean writesDirect() {
        return options.directIo() && !fallback.refused();
    }

    /** Makes everything appended so far durable, stops the flusher and closes the files. */
    @Override
    public void close() throws IOException {
        lock.lock();
        try {
            if (closing) {
                return;
            }
            closing = true;
            batchWaiting.signalAll();
            roomFreed.signalAll();
        } finally {
            lock.unlock();
        }
        try {
            if (!flusher.join(Duration.ofMinutes(1))) {
                throw new IOException("the WAL flusher of " + directory + " did not stop within a minute");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while closing the WAL in " + directory, e);
        }
        writeRole.lock(); // an appendAndSync caller may still be writing
        try {
            segment.close();
            preparer.close();
        } finally {
            writeRole.unlock();
            arena.close();
        }
        if (failure != null) {
            throw new IOException("the WAL in " + directory + " failed", failure);
        }
    }
}
