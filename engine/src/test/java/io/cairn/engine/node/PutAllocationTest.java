package io.cairn.engine.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cairn.engine.mvcc.OpResult;
import io.cairn.engine.mvcc.TxnOp;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue #21's allocation target: the steady-state put path after gRPC decode allocates at most
 * {@link #BYTES_PER_PUT_MAX} bytes per put. One member in-process (alone in its cluster, as
 * {@link RaftKeyValueStoreStepTest} opens it), one put in flight at a time (the strictest case: every
 * Raft Ready, WAL write and fdatasync, tree commit and completion is paid by a single put),
 * 100,000 warm-up puts, then 100,000 measured ones.
 *
 * <p>What is counted: the heap bytes allocated by every thread of the JVM, dead ones included
 * ({@code com.sun.management.ThreadMXBean#getTotalThreadAllocatedBytes}), over the measured puts:
 * {@link KeyValueStore#put} on the calling thread (command encode, proposal, the future), the
 * Raft loop (proposal, Ready, WAL append and fdatasync), the apply thread (decode, MVCC, B+tree
 * commit, revision publication to watchers, completion), the tree-sync and deadline threads, and
 * whatever else starts in the JVM meanwhile. Not counted: gRPC decode and the encode of a response
 * (the test calls the store directly), and the threads that ran before the member opened (in a full
 * build, other tests' threads that linger: once 220 bytes per put of their own). The driver's own
 * share is zero by construction: requests are built before the measurement and reused, and it waits
 * for each answer by polling {@link CompletableFuture#isDone} (spin, then park), which allocates
 * nothing; a dry run of the same loop against an already-completed future measures that and is
 * reported.
 */
class PutAllocationTest {
    /** Issue #21's target. */
    static final long TARGET_BYTES_PER_PUT = 200;
    /**
     * The limit this test holds the put path to: issue #21's target. 154-165 bytes per put since
     * 2026-12-06's ninth round (compact object headers, the JVM option bin/cairn and the tests share,
     * and a leaf's header cleared without a slice), so the limit leaves room for one object of 40
     * bytes that escape analysis removes in some runs and not in others, and fails a put path whose
     * encoded entry is on the heap again (365.7 then). Before the work on issue #21 a put allocated
     * ~9,100 bytes; ~1,900 after the first round, ~950 after the second (2026-12-03: B+tree handles,
     * lookup cursor and scratch keys reused, no arena in the apply's write transaction, Raft entries
     * made once), ~565 after the third (a put applied in place from its entry, no lambda, command,
     * proposal or replaced key value per put, one Ready refilled), ~480 after the fourth (2026-12-04:
     * Raft's hard state handed over as numbers, its entry lists refilled), ~455 after the fifth (no
     * future per WAL append), ~417 after the sixth (the in-place put's key), 178-182 in most runs
     * after the seventh (2026-12-05: the leader's entries in reused log arena chunks, one write
     * transaction object) but 218 or 258 in 2-3 runs of ten: the JDK's errno capture makes a segment
     * per system call that the JIT removes only when {@code NativePosix.syscall} is not inlined into
     * the Raft loop's whole duty cycle, which the eighth round's JVM option prevents; after it 177-191
     * in 47 of 48 runs, 209.8 and 218.7 in two (the Raft loop's thread 40 bytes more: in one run
     * profiled with async-profiler, 195 bytes per put, the slice {@code Page.clearHeader} made was kept
     * for about half the puts).
     * What remains (engine/README.md, "Allocation per put"): the Raft entry, the meta a commit
     * publishes, the waiting call (which is its future), the put's result.
     */
    static final long BYTES_PER_PUT_MAX = TARGET_BYTES_PER_PUT;
    private static final long MEMBER_ID = 0x21L;
    private static final int WARM_UP_PUTS = 100_000;
    private static final int MEASURED_PUTS = 100_000;
    /** Distinct keys the puts cycle over: the tree's shape settles (updates, not ever-new keys). */
    private static final int KEYS = 1_000;
    private static final int VALUE_BYTES = 100;
    private static final int SPINS_BEFORE_PARK = 2_000;
    private static final long PARK_NANOS = TimeUnit.MICROSECONDS.toNanos(20);
    private static final long ANSWER_TIMEOUT_NANOS = TimeUnit.SECONDS.toNanos(30);

    /** Where the member's files go when the machine has it: memory, so 200,000 fdatasyncs take seconds, not minutes. */
    private static final Path MEMORY_FILESYSTEM = Path.of("/dev/shm");
    private static final long IDLE_MILLIS = 500;

    @TempDir
    Path tempDir;

    @Test
    void steadyStatePutAllocatesAtMostTheTarget() throws Exception {
        // On tmpfs the WAL falls back from O_DIRECT to buffered writes + fdatasync: the same Java
        // path (only the open flags differ), and the test stays well under a minute.
        final boolean inMemory = Files.isDirectory(MEMORY_FILESYSTEM) && Files.isWritable(MEMORY_FILESYSTEM);
        final Path dir = inMemory ? Files.createTempDirectory(MEMORY_FILESYSTEM, "cairn-put-allocation-") : tempDir;
        try {
            measure(dir, inMemory);
        } finally {
            if (inMemory) {
                deleteTree(dir);
            }
        }
    }

    private static void deleteTree(final Path dir) throws java.io.IOException {
        try (java.util.stream.Stream<Path> paths = Files.walk(dir)) {
            for (final Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    private void measure(final Path dir, final boolean inMemory) throws Exception {
        final com.sun.management.ThreadMXBean threads =
            (com.sun.management.ThreadMXBean)ManagementFactory.getThreadMXBean();
        assertTrue(threads.isThreadAllocatedMemorySupported() && threads.isThreadAllocatedMemoryEnabled(),
            "this JVM cannot count allocated bytes per thread");
        final TxnOp.Put[] puts = puts();

        final CompletableFuture<OpResult.Put> done = CompletableFuture.completedFuture(new OpResult.Put(null, 1));
        run(put -> done, puts, MEASURED_PUTS); // the dry loop warms up too
        final long dryBefore = threads.getCurrentThreadAllocatedBytes();
        run(put -> done, puts, MEASURED_PUTS);
        final long driverAloneBytes = threads.getCurrentThreadAllocatedBytes() - dryBefore;

        // Threads that run before the member opens (other tests' lingering ones in a full run) are
        // not the put path: what they allocate in the window is taken off the total.
        final long[] otherThreads = java.util.Arrays.stream(threads.getAllThreadIds())
            .filter(id -> id != Thread.currentThread().threadId()).toArray();
        try (RaftKeyValueStore store =
                 RaftKeyValueStore.open(dir, dir.resolve("wal"), MemberOptions.defaults(MEMBER_ID))) {
            final Function<TxnOp.Put, CompletableFuture<OpResult.Put>> putter = store::put;
            run(putter, puts, WARM_UP_PUTS);

            // What the member allocates idle (ticks, deadline sweeps, tree-sync wake-ups): reported
            // only, as a rate; at the measured put rate its share of each put is small.
            final long idleBefore = threads.getTotalThreadAllocatedBytes();
            Thread.sleep(IDLE_MILLIS);
            final long idleBytesPerSecond = (threads.getTotalThreadAllocatedBytes() - idleBefore) * 1000 / IDLE_MILLIS;

            final Map<Long, Long> byThreadBefore = allocatedByThread(threads);
            final long callerBefore = threads.getCurrentThreadAllocatedBytes();
            final long totalBefore = threads.getTotalThreadAllocatedBytes();
            final long startNanos = System.nanoTime();
            run(putter, puts, MEASURED_PUTS);
            final long elapsedNanos = System.nanoTime() - startNanos;
            final long allThreadsBytes = threads.getTotalThreadAllocatedBytes() - totalBefore;
            final long callerBytes = threads.getCurrentThreadAllocatedBytes() - callerBefore;
            final Map<Long, Long> byThreadAfter = allocatedByThread(threads);
            final long otherThreadsBytes = windowBytes(otherThreads, byThreadBefore, byThreadAfter);
            final long totalBytes = allThreadsBytes - otherThreadsBytes;

            assertEquals(1L + WARM_UP_PUTS + MEASURED_PUTS, store.currentRevision(), "every put took a revision");
            final double perPut = (double)totalBytes / MEASURED_PUTS;
            System.out.printf("PutAllocationTest: %,d puts, one in flight, files on %s, %.1f us/put: %.1f bytes/put"
                    + " over the caller and every thread since the member opened (limit %d, issue #21's target %d);"
                    + " of which the calling thread (KeyValueStore.put: encode, proposal, future) %.1f, the member's"
                    + " threads %.1f; the driver loop alone %.1f bytes/put (not subtracted); the idle member %,d"
                    + " bytes/s; threads older than the member %.1f bytes/put (subtracted); by thread: %s%n",
                MEASURED_PUTS, inMemory ? MEMORY_FILESYSTEM : "the temp dir", elapsedNanos / 1e3 / MEASURED_PUTS,
                perPut, BYTES_PER_PUT_MAX, TARGET_BYTES_PER_PUT, (double)callerBytes / MEASURED_PUTS,
                (double)(totalBytes - callerBytes) / MEASURED_PUTS, (double)driverAloneBytes / MEASURED_PUTS,
                idleBytesPerSecond, (double)otherThreadsBytes / MEASURED_PUTS,
                busiestThreads(threads, byThreadBefore, byThreadAfter));
            assertTrue(perPut <= BYTES_PER_PUT_MAX, "the put path allocates " + perPut + " bytes per put, above "
                + BYTES_PER_PUT_MAX);
        }
    }

    /** Bytes allocated so far by each live thread, by id. */
    private static Map<Long, Long> allocatedByThread(final com.sun.management.ThreadMXBean threads) {
        final long[] ids = threads.getAllThreadIds();
        final long[] bytes = threads.getThreadAllocatedBytes(ids);
        final Map<Long, Long> out = new HashMap<>();
        for (int i = 0; i < ids.length; i++) {
            if (bytes[i] >= 0) {
                out.put(ids[i], bytes[i]);
            }
        }
        return out;
    }

    /** What the threads {@code ids} allocated between the two readings (a thread that ended meanwhile: nothing). */
    private static long windowBytes(final long[] ids, final Map<Long, Long> before, final Map<Long, Long> after) {
        long sum = 0;
        for (final long id : ids) {
            if (before.containsKey(id) && after.containsKey(id)) {
                sum += after.get(id) - before.get(id);
            }
        }
        return sum;
    }

    /** The threads that allocated at least a byte per put in the window, most first: where to look when it fails. */
    private static String busiestThreads(final com.sun.management.ThreadMXBean threads, final Map<Long, Long> before,
        final Map<Long, Long> after) {
        final StringBuilder out = new StringBuilder();
        after.entrySet().stream()
            .map(e -> Map.entry(e.getKey(), e.getValue() - before.getOrDefault(e.getKey(), 0L)))
            .filter(e -> e.getValue() >= MEASURED_PUTS)
            .sorted(Map.Entry.<Long, Long>comparingByValue().reversed())
            .forEach(e -> {
                final java.lang.management.ThreadInfo info = threads.getThreadInfo(e.getKey());
                out.append(out.isEmpty() ? "" : ", ").append(info == null ? "#" + e.getKey() : info.getThreadName())
                    .append(String.format(" %.1f", (double)e.getValue() / MEASURED_PUTS));
            });
        return out.toString();
    }

    /** {@code count} puts over the prepared ones, one in flight; allocates nothing of its own. */
    private static void run(final Function<TxnOp.Put, CompletableFuture<OpResult.Put>> putter, final TxnOp.Put[] puts,
        final int count) {
        for (int i = 0; i < count; i++) {
            final CompletableFuture<OpResult.Put> answer = putter.apply(puts[i % puts.length]);
            awaitDone(answer);
            if (answer.isCompletedExceptionally()) {
                answer.join(); // throws the refusal
            }
        }
    }

    private static void awaitDone(final CompletableFuture<?> answer) {
        final long deadline = System.nanoTime() + ANSWER_TIMEOUT_NANOS;
        for (int spins = 0; !answer.isDone(); spins++) {
            if (spins < SPINS_BEFORE_PARK) {
                Thread.onSpinWait();
            } else {
                LockSupport.parkNanos(PARK_NANOS);
                if (System.nanoTime() - deadline > 0) {
                    throw new AssertionError("a put was not answered in time");
                }
            }
        }
    }

    private static TxnOp.Put[] puts() {
        final TxnOp.Put[] puts = new TxnOp.Put[KEYS];
        final byte[] value = new byte[VALUE_BYTES];
        java.util.Arrays.fill(value, (byte)'v');
        for (int i = 0; i < KEYS; i++) {
            final byte[] key = String.format("alloc/key/%04d", i).getBytes(StandardCharsets.US_ASCII);
            puts[i] = new TxnOp.Put(key, value, 0, false, false, false);
        }
        return puts;
    }
}
