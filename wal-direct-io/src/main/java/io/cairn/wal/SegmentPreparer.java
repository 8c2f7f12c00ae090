package io.cairn.wal;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

import io.cairn.posix.NoSpaceLeftException;
import io.cairn.posix.OpenFile;
import io.cairn.posix.Posix;

/**
 * Keeps one spare segment ready on its own thread: allocated, zero-filled and synced under a
 * temporary name, so rotation costs a header write and a rename instead of 64 MiB of I/O in the
 * flusher (etcd keeps a spare the same way).
 *
 * <p>Why zero-fill and not only fallocate: fallocate leaves unwritten extents, and the first write
 * into one changes file metadata, so every fdatasync also commits a journal transaction. Writes
 * into blocks that were already written need only the data and a cache flush; on the machine in the
 * README that halves the write+sync time of a 2300-byte record.
 *
 * <p>A full disk (ENOSPC) is waited out: the partial spare is deleted (it would hold the space an
 * operator frees) and the preparation retried with a backoff, and at once when a rotation starts
 * waiting for it, logged once per episode. Any other error is the log's end: {@link #take} reports it.
 */
final class SegmentPreparer {
    private static final System.Logger LOG = System.getLogger(SegmentPreparer.class.getName());
    private static final int ZERO_CHUNK_BYTES = 1 << 20;
    private static final long RETRY_FIRST_NANOS = TimeUnit.MILLISECONDS.toNanos(10);
    private static final long RETRY_MAX_NANOS = TimeUnit.SECONDS.toNanos(1);

    private final Path directory;
    private final WalOptions options;
    private final Posix posix;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private final Thread thread;
    // Guarded by lock.
    private Path ready;
    private boolean wanted = true;
    private boolean closing;
    private IOException failure;
    /** The last ENOSPC of the episode going on, or null when the disk had room at the last attempt. */
    private NoSpaceLeftException noSpace;
    /** A rotation is waiting: retry now instead of at the end of the backoff (space may be back). */
    private boolean retryNow;
    private long prepared;

    SegmentPreparer(Path directory, WalOptions options, Posix posix) {
        this.directory = directory;
        this.options = options;
        this.posix = posix;
        this.thread = Thread.ofPlatform().name("wal-preparer-" + directory.getFileName()).daemon(true)
                .unstarted(this::prepareLoop);
        thread.start();
    }

    /**
     * Waits for the spare and hands it over (the caller renames it, and the next spare is started).
     * While the disk is full, waits at most {@code noSpaceTimeoutNanos} (counted from the call) and
     * returns null if the spare is still not ready; a preparer that is merely slower than the
     * appenders is waited for, as the flusher would wait for its own writes.
     *
     * @throws IOException if preparing failed for another reason than a full disk: the log cannot rotate
     */
    Path take(long noSpaceTimeoutNanos) throws IOException {
        lock.lock();
        try {
            long start = System.nanoTime();
            boolean asked = false;
            // Each wait ends when the preparer finishes, fails or meets a full disk, or at the deadline.
            while (ready == null && failure == null && !closing) {
                if (noSpace == null) {
                    changed.awaitUninterruptibly();
                    continue;
                }
                if (!asked) {
                    retryNow = true;
                    asked = true;
                    changed.signalAll();
                }
                long leftNanos = noSpaceTimeoutNanos - (System.nanoTime() - start);
                if (leftNanos <= 0) {
                    break;
                }
                try {
                    changed.awaitNanos(leftNanos);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
            if (failure != null) {
                throw new IOException("preparing the next WAL segment in " + directory + " failed: " + failure.getMessage(),
                        failure);
            }
            if (closing) {
                throw new IllegalStateException("the WAL segment preparer of " + directory + " is closed");
            }
            Path spare = ready;
            if (spare != null) {
                ready = null;
                wanted = true;
                changed.signalAll();
            }
            return spare;
        } finally {
            lock.unlock();
        }
    }

    /** Why no spare is ready, if the disk is full: the ENOSPC the last attempt met; null otherwise. */
    NoSpaceLeftException noSpace() {
        lock.lock();
        try {
            return noSpace;
        } finally {
            lock.unlock();
        }
    }

    private void prepareLoop() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment zeros = arena.allocate(ZERO_CHUNK_BYTES, RecordFormat.BLOCK_BYTES);
            while (true) {
                long number;
                lock.lock();
                try {
                    while (!wanted && !closing) {
                        changed.awaitUninterruptibly();
                    }
                    if (closing) {
                        return;
                    }
                    wanted = false;
                    number = prepared++;
                } finally {
                    lock.unlock();
                }
                Path spare = prepareRetryingWhileFull(directory.resolve("spare-" + number + ".wal.tmp"), zeros);
                if (spare == null) {
                    return;
                }
                lock.lock();
                try {
                    ready = spare;
                    changed.signalAll();
                } finally {
                    lock.unlock();
                }
            }
        }
    }

    /** The prepared spare; null if the preparer is closing or failed for good (then {@link #failure} says why). */
    private Path prepareRetryingWhileFull(Path spare, MemorySegment zeros) {
        long backoffNanos = RETRY_FIRST_NANOS;
        int attempts = 0;
        while (true) {
            attempts++;
            try {
                zeroFill(spare, zeros);
                endEpisode(attempts);
                return spare;
            } catch (NoSpaceLeftException e) {
                discard(spare, e);
                if (!waitToRetry(e, backoffNanos)) {
                    return null;
                }
                backoffNanos = Math.min(2 * backoffNanos, RETRY_MAX_NANOS);
            } catch (IOException | RuntimeException e) {
                discard(spare, e);
                lock.lock();
                try {
                    failure = e instanceof IOException io ? io : new IOException(e);
                    changed.signalAll();
                } finally {
                    lock.unlock();
                }
                LOG.log(System.Logger.Level.ERROR, "WAL {0}: cannot prepare the next segment ({1}); the log will fail"
                        + " when the current segment is full", directory, e.getMessage());
                return null;
            }
        }
    }

    /** Records the ENOSPC (logged when an episode starts) and sleeps the backoff; false if closing. */
    private boolean waitToRetry(NoSpaceLeftException e, long backoffNanos) {
        lock.lock();
        try {
            if (noSpace == null) {
                LOG.log(System.Logger.Level.WARNING, "WAL {0}: cannot prepare the next segment: {1}; {2}. Appends go on"
                        + " until the current segment is full, then wait up to {3} ms for the next one and are refused"
                        + " after that; retrying every {4} ms or less", directory, e.getMessage(), e.whatToDo(),
                        TimeUnit.NANOSECONDS.toMillis(options.spareWaitNanos()), TimeUnit.NANOSECONDS.toMillis(RETRY_MAX_NANOS));
            }
            noSpace = e;
            changed.signalAll(); // a rotation waiting in take() may want to say why
            long leftNanos = backoffNanos;
            while (!closing && !retryNow && leftNanos > 0) {
                try {
                    leftNanos = changed.awaitNanos(leftNanos);
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                    return false;
                }
            }
            retryNow = false;
            return !closing;
        } finally {
            lock.unlock();
        }
    }

    private void endEpisode(int attempts) {
        lock.lock();
        try {
            if (noSpace != null) {
                LOG.log(System.Logger.Level.INFO, "WAL {0}: the next segment is ready after {1} attempts: the disk has"
                        + " room again", directory, attempts);
                noSpace = null;
            }
        } finally {
            lock.unlock();
        }
    }

    /** Deletes a partial spare, which would keep the space it took; a failure here is noted and otherwise ignored. */
    private void discard(Path spare, Exception cause) {
        try {
            posix.unlink(spare);
        } catch (IOException | RuntimeException e) {
            cause.addSuppressed(e);
        }
    }

    private void zeroFill(Path spare, MemorySegment zeros) throws IOException {
        posix.unlink(spare); // left by an earlier life of this log, if any
        OpenFile file = posix.open(spare, Posix.O_WRONLY | Posix.O_CREAT | Posix.O_CLOEXEC, 0644);
        try {
            posix.allocate(file, 0, options.segmentBytes());
            for (long at = 0; at < options.segmentBytes(); at += ZERO_CHUNK_BYTES) {
                posix.pwriteFully(file, zeros.asSlice(0, Math.min(ZERO_CHUNK_BYTES, options.segmentBytes() - at)), at);
            }
            posix.fdatasync(file);
        } finally {
            posix.close(file);
        }
    }

    /**
     * Stops the thread and deletes the spare if one is ready. A spare it cannot delete (the disk
     * failed) is left for the next open, whose recovery deletes it.
     */
    void close() throws IOException {
        lock.lock();
        try {
            closing = true;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
        try {
            thread.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while stopping the WAL segment preparer of " + directory, e);
        }
        lock.lock();
        try {
            if (ready != null) {
                posix.unlink(ready);
            }
        } catch (IOException e) {
            LOG.log(System.Logger.Level.DEBUG, "WAL {0}: the spare {1} stays for the next open to delete: {2}",
                    directory, ready, e.getMessage());
        } finally {
            lock.unlock();
        }
    }
}
