package io.cairn.engine.node;

import io.cairn.btree.NoSpaceException;
import io.cairn.engine.api.EtcdError;
import io.cairn.raft.Entry;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The apply thread: takes committed entries from the Raft loop in order, applies everything queued
 * in one B+tree transaction, answers the waiting calls, and runs physical compaction in slices
 * between batches. Running it apart from the Raft loop lets one batch's apply overlap the next
 * batch's WAL write; when it is idle, the Raft loop applies a batch itself ({@link #applyIfIdle})
 * rather than wake it. A third thread syncs the tree on its budget: its fdatasyncs do not hold
 * the tree's writer lock, so applying goes on meanwhile (it used to stall every 100 ms).
 */
final class ApplyLoop {
    private static final System.Logger LOG = System.getLogger(ApplyLoop.class.getName());
    private static final int QUEUED_BATCHES_MAX = 256;
    private static final long AWAIT_POLL_NANOS = TimeUnit.MICROSECONDS.toNanos(100);
    private static final int ENTRIES_PER_TRANSACTION_MAX = 8_192;
    // Frequent enough that the tree's freelist stays small: pages freed after the last sync cannot be
    // reused (unless they were written after it), and at a 1 s cadence under load the file ballooned
    // (see engine/README.md; still 26% larger with those pages reused, "Young pages reused").
    static final long SYNC_EVERY_ENTRIES = 1_000;
    static final long SYNC_EVERY_NANOS = TimeUnit.MILLISECONDS.toNanos(100);
    /** How long the apply thread waits for work while a compaction slice waits for the last one's sync. */
    private static final long SLICE_SYNC_POLL_NANOS = TimeUnit.MILLISECONDS.toNanos(1);
    private static final long RETRY_PAUSE_MIN_NANOS = TimeUnit.MILLISECONDS.toNanos(10);
    private static final long RETRY_PAUSE_MAX_NANOS = TimeUnit.SECONDS.toNanos(1);
    /** After a failure that leaves the tree untrusted, the member stops taking writes; this is the way out. */
    static final String WHAT_TO_DO = "The member takes no more writes; reads go on. Every acknowledged write is in"
        + " the WAL: fix the disk, then restart the member, which replays the WAL into the tree.";
    private static final long SYNC_SPACE_WARNING_EVERY_NANOS = TimeUnit.MINUTES.toNanos(1);
    private final CommandApplier applier;
    private final CommandApplier.Outcome outcome;
    private final ArrayBlockingQueue<List<Entry>> queue = new ArrayBlockingQueue<>(QUEUED_BATCHES_MAX);
    /**
     * A snapshot install's place among the queued batches (compared by identity); its work waits in
     * {@link #installs}. Batches need no wrapper this way: the put path allocates nothing more.
     */
    private static final List<Entry> INSTALL_MARK = Collections.unmodifiableList(new ArrayList<>());
    private final ConcurrentLinkedQueue<Install> installs = new ConcurrentLinkedQueue<>();
    /** Held while applying or compacting, by this thread or by a caller of applyIfIdle. */
    private final ReentrantLock applying = new ReentrantLock();
    /** Batches submitted and not yet applied: raised by submit, lowered once applied. */
    private final AtomicLong pendingBatches = new AtomicLong();
    private final Thread thread;
    private final Thread syncThread;
    private volatile boolean closing;
    private volatile Throwable failure;
    private final NodeMetrics metrics;
    private volatile long syncedIndex;
    /**
     * Compaction slices committed (raised by the apply thread), and how many of them the last sync
     * made durable (sync thread). A slice frees pages without applying an entry, and a freed page is
     * reused only once a durable meta no longer needs it: without syncs between slices, a long
     * compaction would grow the file by every page it rewrote. So a slice starts only once the one
     * before it is durable ({@link #lastSliceSynced}): the file grows by one slice's pages at most.
     */
    private volatile long compactionSlices;
    private volatile long syncedCompactionSlices; // written by the sync thread, then by close
    private final TreeSync treeSync;
    /** The tree refused a batch for want of disk space; it is retried until it fits (writes are refused meanwhile). */
    private volatile boolean outOfSpace;
    private long lastSyncNanos = System.nanoTime(); // owned by the sync thread, then by close
    private final TreeUnmap treeUnmap;
    private final TreeUnmapSchedule unmapSchedule; // sync thread
    private boolean unmapFailed; // sync thread
    private long lastSyncSpaceWarningNanos = System.nanoTime() - SYNC_SPACE_WARNING_EVERY_NANOS; // sync thread

    /** Makes the applied batches durable in the tree file (the applier's sync; a test's may take longer). */
    @FunctionalInterface
    interface TreeSync {
        void sync() throws IOException;
    }

    /** Unmaps the tree's pages from the process (the applier's; a test's may count the calls). */
    @FunctionalInterface
    interface TreeUnmap {
        void unmapPages() throws IOException;
    }

    ApplyLoop(final CommandApplier applier, final CommandApplier.Outcome outcome, final NodeMetrics metrics) {
        this(applier, outcome, metrics, applier::sync, applier::unmapTreePages, TreeUnmapSchedule.EVERY_NANOS);
    }

    ApplyLoop(final CommandApplier applier, final CommandApplier.Outcome outcome, final NodeMetrics metrics,
        final TreeSync treeSync, final TreeUnmap treeUnmap, final long unmapTreeEveryNanos) {
        this.applier = applier;
        this.treeSync = treeSync;
        this.treeUnmap = treeUnmap;
        this.unmapSchedule = new TreeUnmapSchedule(unmapTreeEveryNanos, System.nanoTime(), treeWrites());
        this.outcome = outcome;
        this.metrics = metrics;
        this.syncedIndex = applier.appliedIndex();
        this.thread = Thread.ofPlatform().name("cairn-apply").daemon().unstarted(this::run);
        this.syncThread = Thread.ofPlatform().name("cairn-tree-sync").daemon().unstarted(this::runSyncs);
    }

    void start() {
        thread.start();
        syncThread.start();
    }

    boolean isApplyThread(final Thread candidate) {
        return candidate == thread;
    }

    /**
     * Applies the entries on the calling thread if nothing is queued or being applied; returns false
     * (and does nothing) otherwise. At low load this saves waking the apply thread for each batch,
     * one thread wake-up per write; under load batches queue and the apply thread overlaps them
     * with the next WAL write as before.
     */
    boolean applyIfIdle(final List<Entry> entries) throws IOException {
        if (pendingBatches.get() != 0 || !applying.tryLock()) {
            return false;
        }
        try {
            // Only the caller raises the count, so zero under the lock means nothing is in flight.
            if (pendingBatches.get() != 0 || applier.compactionPending() || outOfSpace) {
                return false;
            }
            try {
                applier.apply(entries, outcome);
            } catch (final NoSpaceException full) {
                noteOutOfSpace(full);
                return false; // nothing was applied: the caller queues it, and this thread retries it
            }
            wakeSyncIfDue();
            return true;
        } finally {
            applying.unlock();
        }
    }

    /** A snapshot install waiting for its turn on the apply thread, and what learns of its end. */
    private record Install(TreeWork work, CompletableFuture<Void> done) {
    }

    /**
     * Queues a leader's snapshot to be installed on the apply thread after every batch submitted
     * before it and before every batch submitted after it. The caller (the Raft loop) goes on
     * meanwhile: installing gigabytes takes seconds, and a loop that waited for it answered no
     * heartbeats, so a leader whose quorum needed this member stepped down (issue #21). The future
     * completes once the tree holds the snapshot durably, or with the install's failure (which
     * also stops the apply thread, as a failed batch does).
     */
    CompletableFuture<Void> submitInstall(final TreeWork install) throws InterruptedException {
        final CompletableFuture<Void> done = new CompletableFuture<>();
        installs.add(new Install(install, done));
        enqueue(INSTALL_MARK); // as it is: the apply thread knows the mark by identity
        return done;
    }

    /** Waits until every batch submitted so far is applied (a membership change's outcome is needed). */
    void awaitApplied() {
        while (pendingBatches.get() != 0) {
            checkHealthy();
            LockSupport.parkNanos(this, AWAIT_POLL_NANOS);
        }
    }

    /** Queues committed entries, waiting while the queue is full; fails if the apply thread has failed. */
    void submit(final List<Entry> entries) throws InterruptedException {
        enqueue(List.copyOf(entries)); // a copy: the Raft node refills the list it handed out at its next Ready (issue #21)
    }

    private void enqueue(final List<Entry> batch) throws InterruptedException {
        pendingBatches.incrementAndGet();
        while (!queue.offer(batch, SYNC_EVERY_NANOS, TimeUnit.NANOSECONDS)) {
            checkHealthy();
        }
        checkHealthy();
    }

    void checkHealthy() {
        if (failure != null) {
            throw new IllegalStateException("the apply thread failed", failure);
        }
    }

    /** The highest applied index that is durable in the tree file. */
    long syncedIndex() {
        return syncedIndex;
    }

    private void run() {
        final List<List<Entry>> drained = new ArrayList<>(QUEUED_BATCHES_MAX);
        final List<Entry> entries = new ArrayList<>();
        try {
            while (!closing || !queue.isEmpty()) {
                // With a compaction slice to run now, only look at the queue; with one waiting for
                // the sync of the one before, wait for work a little; otherwise wait for work.
                final boolean compacting = applier.compactionPending();
                final List<Entry> first = compacting && lastSliceSynced() ? queue.poll()
                    : queue.poll(compacting ? SLICE_SYNC_POLL_NANOS : SYNC_EVERY_NANOS, TimeUnit.NANOSECONDS);
                applying.lock();
                try {
                    if (first != null) {
                        // Whatever else is queued joins the same transaction, up to a bound; an
                        // install ends the transaction before it.
                        drained.add(first);
                        queue.drainTo(drained, QUEUED_BATCHES_MAX);
                        for (final List<Entry> batch : drained) {
                            if (batch == INSTALL_MARK) {
                                applyUntilItFits(entries);
                                entries.clear();
                                install(installs.remove());
                                continue;
                            }
                            entries.addAll(batch);
                            if (entries.size() >= ENTRIES_PER_TRANSACTION_MAX) {
                                applyUntilItFits(entries);
                                entries.clear();
                            }
                        }
                        applyUntilItFits(entries);
                        entries.clear();
                        pendingBatches.addAndGet(-drained.size());
                        drained.clear();
                        wakeSyncIfDue();
                    }
                    if (applier.compactionPending() && lastSliceSynced()) {
                        compactStepUntilItFits();
                    }
                } finally {
                    applying.unlock();
                }
            }
        } catch (final InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (final IOException | RuntimeException | Error e) {
            failure = e;
            LOG.log(System.Logger.Level.ERROR, "the apply thread stopped: " + e + ". " + WHAT_TO_DO, e);
        }
    }

    boolean outOfSpace() {
        return outOfSpace;
    }

    /**
     * Applies the batch, and while the tree refuses it for want of disk space, tries again after a
     * growing pause: the entries are committed (durable in the WAL) and must be applied in order, so
     * they cannot be skipped, and a failed attempt left nothing behind (CommandApplier rolls back).
     * Their callers time out meanwhile; once space is freed the batch goes through and the member
     * goes on without a restart. Gives up only when the member closes (a restart replays the WAL).
     */
    private void applyUntilItFits(final List<Entry> entries) throws IOException {
        if (!entries.isEmpty()) {
            untilItFits(() -> applier.apply(entries, outcome));
        }
    }

    private void install(final Install install) throws IOException {
        try {
            install.work().run();
        } catch (final IOException | RuntimeException | Error e) {
            install.done().completeExceptionally(e);
            throw e;
        }
        syncedIndex = applier.appliedIndex(); // the install synced the tree
        install.done().complete(null);
    }

    /**
     * Whether the pages the last compaction slice freed can be reused: the sync after it is done.
     * Slices ran back to back while the sync thread synced, and since every page a slice rewrites
     * waits for a sync to be reused, the file grew by all the pages rewritten during each sync: a
     * compaction after 200,000 updates grew the tree from 274 to 347-556 MB (engine/README.md, "A
     * compaction slice waits for the sync before it").
     */
    private boolean lastSliceSynced() {
        return syncedCompactionSlices == compactionSlices;
    }

    private void compactStepUntilItFits() throws IOException {
        untilItFits(() -> applier.compactStep(outcome));
        compactionSlices++; // only this thread writes it
        LockSupport.unpark(syncThread); // each slice's freed pages come back once a sync follows it
    }

    /** A tree transaction that leaves nothing behind when it fails. */
    @FunctionalInterface
    interface TreeWork {
        void run() throws IOException;
    }

    private void untilItFits(final TreeWork work) throws IOException {
        for (long pauseNanos = RETRY_PAUSE_MIN_NANOS; ; pauseNanos = Math.min(2 * pauseNanos, RETRY_PAUSE_MAX_NANOS)) {
            try {
                work.run();
                spaceIsBack();
                return;
            } catch (final NoSpaceException full) {
                noteOutOfSpace(full);
                pauseBeforeRetry(full, pauseNanos);
            }
        }
    }

    private void pauseBeforeRetry(final NoSpaceException full, final long pauseNanos) {
        if (closing) {
            throw full; // the WAL keeps the entries; a restart applies them
        }
        LockSupport.parkNanos(this, pauseNanos);
    }

    private void noteOutOfSpace(final NoSpaceException full) {
        if (!outOfSpace) {
            outOfSpace = true;
            LOG.log(System.Logger.Level.ERROR, "the backend cannot take committed entries: " + full.getMessage()
                + ". Writes are refused with '" + EtcdError.NO_SPACE.message() + "' until space is freed; they"
                + " are retried meanwhile, reads go on, and nothing acknowledged is lost.");
        }
    }

    private void spaceIsBack() {
        if (outOfSpace) {
            outOfSpace = false;
            LOG.log(System.Logger.Level.INFO, "the backend takes entries again: writes resume");
        }
    }

    /** The entry budget is spent: the sync thread need not wait out its time budget. */
    private void wakeSyncIfDue() {
        if (applier.appliedIndex() - syncedIndex >= SYNC_EVERY_ENTRIES) {
            LockSupport.unpark(syncThread);
        }
    }

    private void runSyncs() {
        try {
            while (!closing) {
                // Woken early by wakeSyncIfDue; an idle member wakes this thread ten times a second.
                LockSupport.parkNanos(SYNC_EVERY_NANOS);
                unmapTreeOnBudget();
                try {
                    syncOnBudget(false);
                } catch (final NoSpaceException full) {
                    // Writing the freelist needs a page the disk cannot give: try again next round.
                    // Writes may go on (the WAL keeps everything the tree has not made durable), but
                    // the WAL is not released meanwhile, so say so now and then.
                    if (System.nanoTime() - lastSyncSpaceWarningNanos >= SYNC_SPACE_WARNING_EVERY_NANOS) {
                        lastSyncSpaceWarningNanos = System.nanoTime();
                        LOG.log(System.Logger.Level.WARNING, "the backend cannot be made durable: " + full.getMessage()
                            + ". The WAL keeps every entry since the last durable sync until space is freed.");
                    }
                }
            }
        } catch (final IOException | RuntimeException | Error e) {
            failure = e;
            LOG.log(System.Logger.Level.ERROR, "the tree sync thread stopped: " + e + ". " + WHAT_TO_DO, e);
        }
    }

    /**
     * Unmaps the tree's pages when {@link TreeUnmapSchedule} says so: the resident set then holds
     * the pages read lately, not every page ever read. A failure costs only memory: it is reported
     * once and unmapping stops.
     */
    private void unmapTreeOnBudget() {
        final long writes = treeWrites();
        if (unmapFailed || !unmapSchedule.due(System.nanoTime(), writes)) {
            return;
        }
        try {
            treeUnmap.unmapPages();
            unmapSchedule.unmapped(System.nanoTime(), writes);
        } catch (final IOException | RuntimeException e) {
            unmapFailed = true;
            LOG.log(System.Logger.Level.WARNING, "the tree's pages could not be unmapped (" + e + "): they stay in"
                + " the member's resident set until the kernel reclaims them; nothing else changes", e);
        }
    }

    /** What has written to the tree so far: applied entries and compaction slices (both only grow). */
    private long treeWrites() {
        return applier.appliedIndex() + compactionSlices;
    }

    private void syncOnBudget(final boolean now) throws IOException {
        // Read before the sync: the meta it makes durable is at least this new.
        final long applied = applier.appliedIndex();
        final long slices = compactionSlices;
        final boolean compacted = slices != syncedCompactionSlices; // a slice is always worth a sync
        if (!compacted && (applied == syncedIndex || !now && applied - syncedIndex < SYNC_EVERY_ENTRIES
            && System.nanoTime() - lastSyncNanos < SYNC_EVERY_NANOS)) {
            return;
        }
        final long startNanos = System.nanoTime();
        treeSync.sync();
        syncedIndex = applied;
        syncedCompactionSlices = slices;
        lastSyncNanos = System.nanoTime();
        metrics.backendSynced(lastSyncNanos - startNanos);
    }

    /** Applies what is queued, syncs the tree and stops. */
    void close() throws InterruptedException, IOException {
        closing = true;
        thread.join();
        LockSupport.unpark(syncThread);
        syncThread.join();
        if (failure == null) {
            syncOnBudget(true);
        }
    }
}
