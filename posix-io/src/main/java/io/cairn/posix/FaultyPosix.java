package io.cairn.posix;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Predicate;

/**
 * A {@link Posix} that stands between the code and the disk (another {@code Posix}, normally
 * {@link NativePosix}) to cut the power and to inject disk errors.
 *
 * <p><b>Power cuts.</b> Every call still reaches the real file, so reads and mmap see what the code
 * wrote, as the page cache would show it. Besides, the layer remembers, per file (an inode: followed
 * across renames and unlinks), each write and size change since that file's last fdatasync or fsync,
 * with the bytes it replaced, and, per directory, each entry created, renamed or unlinked since that
 * directory's last fsync. An unlink moves the file into the stash directory instead, so it can come
 * back. A write through an O_DSYNC descriptor is synced when it returns. {@link #cutPower()} (or the
 * call {@link #cutPowerAfter counted down to}) ends the machine's life: from then on every mutating
 * call fails with EIO, while reads, close and munmap still work so the code can shut down. Then
 * {@link #revertUnsynced(long)} puts the files in a state the cut could have left: each unsynced
 * operation kept, dropped, or (a write) torn at 512-byte sectors, chosen by a seed.
 *
 * <p>What the model covers and what it does not: see the module README. In short, a sync covers what
 * was written before it began; a failed fdatasync loses its pages for good (later syncs do not
 * cover them); directory operations on different entries persist independently, but never one
 * without an older operation it needs.
 *
 * <p><b>Disk errors.</b> {@link #failNext}, {@link #failAlways} and {@link #delay} add rules, checked
 * before a call reaches the disk (an injected error leaves the file untouched).
 *
 * <p>Thread safety: every method may be called from any thread, as {@link Posix} requires. Writes to
 * one file are serialized inside the layer (it reads the old bytes, writes, and records, as one
 * step). Calls in flight are ordered with the cut: it waits for them, and none starts after it.
 */
public final class FaultyPosix extends ForwardingPosix {
    private final Path stashDirectory;
    private final FaultRules rules = new FaultRules();
    /** Mutating calls hold it shared while they run; the cut and the revert hold it exclusively. */
    private final ReentrantReadWriteLock cutLock = new ReentrantReadWriteLock();
    private volatile boolean powerCut;
    private volatile boolean reverted;
    private final AtomicLong mutatingCalls = new AtomicLong();
    private volatile long cutAtCall = Long.MAX_VALUE;
    private final AtomicLong sequence = new AtomicLong();
    private final Map<Integer, TrackedFile> byDescriptor = new ConcurrentHashMap<>();
    private final Set<Long> liveMappings = ConcurrentHashMap.newKeySet();

    /** Guards names: the maps below and every directory operation, taken after the cut lock when both are held. */
    private final ReentrantLock namespace = new ReentrantLock();
    private final Map<Path, TrackedFile> byPath = new HashMap<>();
    private final List<TrackedFile> files = new ArrayList<>();
    private final List<DirectoryOp> unsyncedDirectoryOps = new ArrayList<>();
    private long nextStash;

    /**
     * @param disk           where calls go: {@link NativePosix#INSTANCE}, or another layer
     * @param stashDirectory where unlinked files wait; created if absent. It must be on the same
     *                       filesystem as the files the code uses (a rename moves them there) and
     *                       outside their directories, and it belongs to this layer.
     */
    public FaultyPosix(Posix disk, Path stashDirectory) throws IOException {
        super(disk);
        this.stashDirectory = stashDirectory.toAbsolutePath().normalize();
        Files.createDirectories(this.stashDirectory);
    }

    // ---- power cut

    /** Cuts the power once the calls in flight have returned: every later mutating call fails with EIO. */
    public void cutPower() {
        cutLock.writeLock().lock();
        try {
            powerCut = true;
        } finally {
            cutLock.writeLock().unlock();
        }
    }

    /**
     * Cuts the power during the {@code call}-th mutating call since this layer was made (counting
     * from 1): that call reaches the disk unsynced (an O_DSYNC write too, and a sync does nothing) but
     * fails with EIO, as a call the power cut in mid-flight; every later one fails. Lands cuts at
     * exact points (between a write and its sync, between a rename and the directory's sync) where a
     * timer would mostly miss them. If that call has already run (other threads were quicker), the
     * power goes out at the next one, which then fails without reaching the disk.
     */
    public void cutPowerAfter(long call) {
        if (call < 1) {
            throw new IllegalArgumentException("calls are counted from 1, got " + call);
        }
        cutAtCall = call;
    }

    /** Whether the power is out: cut, or the call {@link #cutPowerAfter} named has started. */
    public boolean isPowerCut() {
        return powerCut || mutatingCalls.get() >= cutAtCall;
    }

    /** Mutating calls that reached this layer so far (failed ones included). */
    public long mutatingCalls() {
        return mutatingCalls.get();
    }

    /**
     * Reverts what the power cut lost: for each file (in the order first seen), its unsynced writes and
     * size changes newest first, each kept whole, dropped (its old bytes written back) or torn (some of
     * its 512-byte sectors written back), then the size the kept ones add up to; then every unsynced
     * directory operation, newest first, kept or dropped (a dropped create removes the file, a dropped
     * unlink brings it back from the stash, a dropped rename renames it back). Choices come from
     * {@code seed}; the report says what was chosen.
     *
     * <p>Call it only once the code under test has closed or abandoned its files: every thread that
     * used them has stopped, and every mapping made through this layer is unmapped (a revert may
     * shrink a file, and a reader touching a mapped page past the new end gets SIGBUS, which kills the
     * JVM). It refuses while a mapping is live. After it, the layer stays cut; reopen the files
     * through a new layer or {@link NativePosix}.
     *
     * @throws IllegalStateException if the power was not cut, a mapping is live, or it already ran
     */
    public RevertReport revertUnsynced(long seed) throws IOException {
        return revert(new SeededRevertChoices(seed), seed);
    }

    RevertReport revert(RevertChoices choices, long seed) throws IOException {
        cutLock.writeLock().lock();
        namespace.lock();
        try {
            if (!powerCut) {
                throw new IllegalStateException("revertUnsynced before the power was cut: calls may still reach the disk");
            }
            if (reverted) {
                throw new IllegalStateException("revertUnsynced already ran on this layer");
            }
            if (!liveMappings.isEmpty()) {
                throw new IllegalStateException(liveMappings.size() + " mapping(s) made through this layer are still mapped:"
                        + " close what uses them first (a revert that shrinks a mapped file makes its readers SIGBUS)");
            }
            reverted = true;
            List<String> lines = new ArrayList<>();
            for (TrackedFile file : files) {
                if (!file.gone) {
                    file.revert(delegate, choices, lines);
                }
            }
            revertDirectoryOps(choices, lines);
            for (TrackedFile file : files) {
                closeReader(file);
            }
            return new RevertReport(seed, lines);
        } finally {
            namespace.unlock();
            cutLock.writeLock().unlock();
        }
    }

    private void revertDirectoryOps(RevertChoices choices, List<String> lines) throws IOException {
        List<DirectoryOp> kept = new ArrayList<>();
        for (int i = unsyncedDirectoryOps.size() - 1; i >= 0; i--) {
            DirectoryOp op = unsyncedDirectoryOps.get(i);
            boolean needed = kept.stream().anyMatch(k -> k.needs(op));
            boolean keep = needed || choices.keepDirectoryOp();
            lines.add(op.describe() + ": " + (keep ? needed ? "kept (a kept later operation needs it)" : "kept" : "dropped"));
            if (keep) {
                kept.add(op);
            } else {
                op.undo(delegate);
            }
        }
        for (DirectoryOp op : kept) {
            op.forget(delegate);
        }
        unsyncedDirectoryOps.clear();
    }

    // ---- injected errors and delays

    /** The next {@code times} calls of kind {@code call} on paths matching {@code paths} fail with {@code errno}. */
    public Fault failNext(Call call, Predicate<Path> paths, int errno, int times) {
        return rules.add(new Fault(call, paths, checkErrno(errno), 0, times));
    }

    /** Every call of kind {@code call} on paths matching {@code paths} fails with {@code errno} until the fault is cleared. */
    public Fault failAlways(Call call, Predicate<Path> paths, int errno) {
        return rules.add(new Fault(call, paths, checkErrno(errno), 0, Fault.UNTIL_CLEARED));
    }

    /** Every call of kind {@code call} on matching paths waits {@code delay} first (a slow fdatasync), until cleared. */
    public Fault delay(Call call, Predicate<Path> paths, Duration delay) {
        return rules.add(new Fault(call, paths, 0, delay.toNanos(), Fault.UNTIL_CLEARED));
    }

    /** Clears every fault rule. */
    public void clearFaults() {
        rules.clear();
    }

    private static int checkErrno(int errno) {
        if (errno <= 0) {
            throw new IllegalArgumentException("errno must be positive, got " + errno);
        }
        return errno;
    }

    // ---- the calls

    @FunctionalInterface
    private interface Body<T> {
        /** {@code cutDuringCall}: the power goes out while this call runs (see {@link #cutPowerAfter}). */
        T run(boolean cutDuringCall) throws IOException;
    }

    /** Runs a mutating call in order with the cut: refused once cut, failed by a rule, or run and recorded. */
    private <T> T mutating(Call call, Path path, Body<T> body) throws IOException {
        rules.delay(call, path);
        cutLock.readLock().lock();
        try {
            long number = mutatingCalls.incrementAndGet();
            if (powerCut || number > cutAtCall) {
                // Past the named call: if that call ran before cutPowerAfter named it (other threads
                // made calls meanwhile), this is the first one after the cut, and it ends the life.
                powerCut = true;
                throw cutFailure(call, path);
            }
            rules.fail(call, path);
            boolean cutDuringCall = number == cutAtCall;
            try {
                T result = body.run(cutDuringCall);
                if (cutDuringCall) {
                    throw cutFailure(call, path);
                }
                return result;
            } finally {
                if (cutDuringCall) {
                    powerCut = true;
                }
            }
        } finally {
            cutLock.readLock().unlock();
        }
    }

    private static PosixException cutFailure(Call call, Path path) {
        return PosixException.of(Errno.EIO, call.libcName(), path, "the power is cut");
    }

    private TrackedFile tracked(OpenFile file) {
        TrackedFile t = byDescriptor.get(file.descriptor());
        if (t == null) {
            throw new IllegalArgumentException(file + " was not opened through this layer, or is closed");
        }
        return t;
    }

    private static Path absolute(Path path) {
        return path.toAbsolutePath().normalize();
    }

    @Override
    public OpenFile open(Path path, int flags, int modeBits) throws IOException {
        Path p = absolute(path);
        if ((flags & O_TRUNC) != 0) {
            throw new UnsupportedOperationException("O_TRUNC is not modelled by the fault layer; truncate explicitly: " + p);
        }
        rules.delay(Call.OPEN, p);
        rules.fail(Call.OPEN, p);
        if ((flags & O_CREAT) != 0 && !Files.exists(p, LinkOption.NOFOLLOW_LINKS)) {
            OpenFile created = mutating(Call.CREATE, p, cutDuringCall -> openCreating(p, flags, modeBits, cutDuringCall));
            if (created != null) {
                return created;
            }
        }
        namespace.lock();
        try {
            OpenFile file = delegate.open(p, flags, modeBits);
            register(file, trackedAt(p));
            return file;
        } finally {
            namespace.unlock();
        }
    }

    /** Returns null if the file exists after all (another thread created it first). */
    private OpenFile openCreating(Path p, int flags, int modeBits, boolean cutDuringCall) throws IOException {
        namespace.lock();
        try {
            if (Files.exists(p, LinkOption.NOFOLLOW_LINKS)) {
                return null;
            }
            OpenFile file = delegate.open(p, flags, modeBits);
            TrackedFile created = track(p, 0);
            unsyncedDirectoryOps.add(DirectoryOp.create(sequence.incrementAndGet(), p, created));
            if (cutDuringCall) {
                delegate.close(file); // the caller sees EIO and gets no descriptor
                return file;
            }
            register(file, created);
            return file;
        } finally {
            namespace.unlock();
        }
    }

    /** The file at {@code p}, tracked from now on if it was not (it existed before the layer saw it). */
    private TrackedFile trackedAt(Path p) throws IOException {
        TrackedFile file = byPath.get(p);
        return file != null ? file : track(p, Files.size(p));
    }

    /** A file seen for the first time (or anew at a name whose old file is gone). Holds the namespace lock. */
    private TrackedFile track(Path p, long syncedSizeBytes) {
        TrackedFile file = new TrackedFile(files.size(), p, syncedSizeBytes);
        files.add(file);
        byPath.put(p, file);
        return file;
    }

    private void register(OpenFile file, TrackedFile tracked) throws IOException {
        if (tracked.reader == null) {
            tracked.reader = delegate.open(tracked.path, O_RDONLY | O_CLOEXEC, 0);
        }
        tracked.openHandles++;
        byDescriptor.put(file.descriptor(), tracked);
    }

    @Override
    public void close(OpenFile file) throws IOException {
        rules.delay(Call.CLOSE, file.path());
        rules.fail(Call.CLOSE, file.path());
        TrackedFile tracked = byDescriptor.remove(file.descriptor());
        try {
            delegate.close(file);
        } finally {
            if (tracked != null) {
                namespace.lock();
                try {
                    tracked.openHandles--;
                    if (tracked.openHandles == 0 && tracked.clean()) {
                        closeReader(tracked);
                    }
                } finally {
                    namespace.unlock();
                }
            }
        }
    }

    private void closeReader(TrackedFile tracked) throws IOException {
        if (tracked.reader != null) {
            OpenFile reader = tracked.reader;
            tracked.reader = null;
            delegate.close(reader);
        }
    }

    @Override
    public long pread(OpenFile file, MemorySegment buffer, long fileOffset) throws IOException {
        rules.delay(Call.PREAD, file.path());
        rules.fail(Call.PREAD, file.path());
        return delegate.pread(file, buffer, fileOffset);
    }

    @Override
    public long pwrite(OpenFile file, MemorySegment buffer, long fileOffset) throws IOException {
        TrackedFile t = tracked(file);
        return mutating(Call.PWRITE, t.path, cutDuringCall -> {
            synchronized (t) {
                byte[] before = t.read(delegate, fileOffset, buffer.byteSize());
                long written = delegate.pwrite(file, buffer, fileOffset);
                recordWrite(t, file, "pwrite", fileOffset, written, before, cutDuringCall);
                return written;
            }
        });
    }

    @Override
    public long pwritev(OpenFile file, MemorySegment iovecs, int count, long fileOffset) throws IOException {
        TrackedFile t = tracked(file);
        long total = 0;
        for (int i = 0; i < count; i++) {
            total += iovecs.get(ValueLayout.JAVA_LONG, 16L * i + 8);
        }
        long lengthBytes = total;
        return mutating(Call.PWRITEV, t.path, cutDuringCall -> {
            synchronized (t) {
                byte[] before = t.read(delegate, fileOffset, lengthBytes);
                long written = delegate.pwritev(file, iovecs, count, fileOffset);
                recordWrite(t, file, "pwritev", fileOffset, written, before, cutDuringCall);
                return written;
            }
        });
    }

    private void recordWrite(TrackedFile t, OpenFile file, String call, long fileOffset, long written, byte[] before,
                             boolean cutDuringCall) throws IOException {
        if (written == 0) {
            return;
        }
        byte[] kept = before == null || before.length == written ? before : Arrays.copyOf(before, (int) written);
        t.record(new ContentChange(sequence.incrementAndGet(), ContentChange.Kind.WRITE, call, fileOffset, written, kept,
                fileOffset + written, delegate.sizeBytes(t.reader)), file.syncsEachWrite() && !cutDuringCall);
    }

    @Override
    public void fdatasync(OpenFile file) throws IOException {
        sync(file, Call.FDATASYNC);
    }

    @Override
    public void fsync(OpenFile file) throws IOException {
        sync(file, Call.FSYNC);
    }

    private void sync(OpenFile file, Call call) throws IOException {
        TrackedFile t = tracked(file);
        // What was recorded before the sync began: a write still in flight may or may not be covered.
        List<ContentChange> covered = t.unsyncedSnapshot();
        try {
            mutating(call, t.path, cutDuringCall -> {
                if (!cutDuringCall) {
                    if (call == Call.FSYNC) {
                        delegate.fsync(file);
                    } else {
                        delegate.fdatasync(file);
                    }
                }
                return null;
            });
        } catch (IOException e) {
            t.orphan(covered);
            throw e;
        }
        t.synced(covered);
    }

    @Override
    public void allocate(OpenFile file, long fileOffset, long lengthBytes) throws IOException {
        TrackedFile t = tracked(file);
        mutating(Call.FALLOCATE, t.path, cutDuringCall -> {
            synchronized (t) {
                long sizeBefore = delegate.sizeBytes(t.reader);
                try {
                    delegate.allocate(file, fileOffset, lengthBytes);
                } finally {
                    long sizeAfter = delegate.sizeBytes(t.reader);
                    if (sizeAfter != sizeBefore) { // a reservation inside the file changes nothing a reader sees
                        t.record(new ContentChange(sequence.incrementAndGet(), ContentChange.Kind.ALLOCATE, "fallocate",
                                sizeBefore, 0, null, sizeAfter, sizeAfter), false);
                    }
                }
                return null;
            }
        });
    }

    @Override
    public void truncate(OpenFile file, long sizeBytes) throws IOException {
        TrackedFile t = tracked(file);
        mutating(Call.FTRUNCATE, t.path, cutDuringCall -> {
            synchronized (t) {
                long sizeBefore = delegate.sizeBytes(t.reader);
                long lostBytes = Math.max(0, sizeBefore - sizeBytes);
                byte[] lost = t.read(delegate, sizeBytes, lostBytes);
                delegate.truncate(file, sizeBytes);
                t.record(new ContentChange(sequence.incrementAndGet(), ContentChange.Kind.TRUNCATE, "ftruncate",
                        sizeBytes, lostBytes, lost, sizeBytes, sizeBytes), false);
                return null;
            }
        });
    }

    @Override
    public boolean punchHole(OpenFile file, long fileOffset, long lengthBytes) throws IOException {
        TrackedFile t = tracked(file);
        return mutating(Call.PUNCH_HOLE, t.path, cutDuringCall -> {
            synchronized (t) {
                long sizeBefore = delegate.sizeBytes(t.reader);
                long changed = Math.max(0, Math.min(fileOffset + lengthBytes, sizeBefore) - fileOffset);
                byte[] before = t.read(delegate, fileOffset, changed);
                boolean punched = delegate.punchHole(file, fileOffset, lengthBytes);
                if (punched && changed > 0) {
                    t.record(new ContentChange(sequence.incrementAndGet(), ContentChange.Kind.PUNCH_HOLE, "punch hole",
                            fileOffset, changed, before, fileOffset + changed, sizeBefore), false);
                }
                return punched;
            }
        });
    }

    @Override
    public MemorySegment mapReadOnly(OpenFile file, long lengthBytes) throws IOException {
        MemorySegment mapping = delegate.mapReadOnly(file, lengthBytes);
        liveMappings.add(mapping.address());
        return mapping;
    }

    @Override
    public void unmap(OpenFile file, MemorySegment mapping) throws IOException {
        delegate.unmap(file, mapping);
        liveMappings.remove(mapping.address());
    }

    @Override
    public boolean mkdir(Path directory) throws IOException {
        Path d = absolute(directory);
        return mutating(Call.MKDIR, d, cutDuringCall -> {
            namespace.lock();
            try {
                boolean created = delegate.mkdir(d);
                if (created) {
                    unsyncedDirectoryOps.add(DirectoryOp.mkdir(sequence.incrementAndGet(), d));
                }
                return created;
            } finally {
                namespace.unlock();
            }
        });
    }

    @Override
    public void rename(Path from, Path to) throws IOException {
        Path source = absolute(from);
        Path target = absolute(to);
        mutating(Call.RENAME, source, cutDuringCall -> {
            namespace.lock();
            try {
                if (Files.isDirectory(source, LinkOption.NOFOLLOW_LINKS)) {
                    throw new UnsupportedOperationException("renaming a directory is not modelled by the fault layer: " + source);
                }
                Path stash = null;
                TrackedFile replaced = null;
                if (Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
                    // A second name keeps the replaced file, so a dropped rename can bring it back.
                    replaced = trackedAt(target);
                    stash = nextStash(target);
                    Files.createLink(stash, target);
                }
                try {
                    delegate.rename(source, target);
                } catch (IOException | RuntimeException e) {
                    if (stash != null) {
                        Files.deleteIfExists(stash);
                    }
                    throw e;
                }
                TrackedFile moved = byPath.remove(source);
                if (moved == null) {
                    moved = track(target, Files.size(target));
                }
                moved.path = target;
                byPath.put(target, moved);
                if (replaced != null) {
                    replaced.path = stash;
                }
                unsyncedDirectoryOps.add(DirectoryOp.rename(sequence.incrementAndGet(), source, target, moved, stash, replaced));
                return null;
            } finally {
                namespace.unlock();
            }
        });
    }

    @Override
    public boolean unlink(Path path) throws IOException {
        Path p = absolute(path);
        return mutating(Call.UNLINK, p, cutDuringCall -> {
            namespace.lock();
            try {
                if (!Files.exists(p, LinkOption.NOFOLLOW_LINKS)) {
                    return false;
                }
                if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
                    return delegate.unlink(p); // fails with EISDIR, as libc would
                }
                TrackedFile file = trackedAt(p);
                byPath.remove(p);
                Path stash = nextStash(p);
                delegate.rename(p, stash);
                file.path = stash;
                unsyncedDirectoryOps.add(DirectoryOp.unlink(sequence.incrementAndGet(), p, file, stash));
                return true;
            } finally {
                namespace.unlock();
            }
        });
    }

    private Path nextStash(Path p) {
        return stashDirectory.resolve((nextStash++) + "-" + p.getFileName());
    }

    @Override
    public void fsyncDirectory(Path directory) throws IOException {
        Path d = absolute(directory);
        List<DirectoryOp> covered = new ArrayList<>();
        namespace.lock();
        try {
            for (DirectoryOp op : unsyncedDirectoryOps) {
                if (op.unsyncedDirectories.contains(d)) {
                    covered.add(op);
                }
            }
        } finally {
            namespace.unlock();
        }
        mutating(Call.FSYNC_DIRECTORY, d, cutDuringCall -> {
            if (!cutDuringCall) {
                delegate.fsyncDirectory(d);
            }
            return null;
        });
        namespace.lock();
        try {
            for (DirectoryOp op : covered) {
                op.unsyncedDirectories.remove(d);
                if (op.unsyncedDirectories.isEmpty() && unsyncedDirectoryOps.remove(op)) {
                    op.forget(delegate);
                }
            }
        } finally {
            namespace.unlock();
        }
    }

    /** Unsynced writes and size changes of the file at {@code path} (for tests of the layer and of its users). */
    public int unsyncedChanges(Path path) {
        namespace.lock();
        try {
            TrackedFile file = byPath.get(absolute(path));
            return file == null ? 0 : file.unsyncedCount();
        } finally {
            namespace.unlock();
        }
    }

    /** Directory operations not yet covered by an fsync of their directory. */
    public int unsyncedDirectoryOps() {
        namespace.lock();
        try {
            return unsyncedDirectoryOps.size();
        } finally {
            namespace.unlock();
        }
    }
}
