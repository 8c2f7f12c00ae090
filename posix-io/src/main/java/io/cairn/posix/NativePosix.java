package io.cairn.posix;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;
import java.lang.ref.Reference;
import java.nio.file.Path;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * Linux's file calls, through FFM with errno captured: the project's one door to native storage calls.
 * Each is a system call made through glibc's {@code syscall(2)} ({@link Syscall} says why), except
 * {@code strerror} for messages.
 *
 * <p>Thread safety: stateless apart from errno, which each call captures into a buffer of the calling
 * thread ({@link ThreadLocal}), reads at once and puts into the exception. So the one
 * {@link #INSTANCE} serves every thread, and a read, write, pwritev or sync allocates nothing once a
 * thread has made its first call. Calls taking a path allocate its C string.
 */
@SuppressWarnings("restricted") // this class is the project's one door to native storage calls
public final class NativePosix implements Posix {
    public static final NativePosix INSTANCE = new NativePosix();

    private static final int PROT_READ = 1;
    private static final int PROT_WRITE = 2;
    private static final int MAP_SHARED = 1;
    private static final int MAP_PRIVATE = 2;
    private static final int MAP_ANONYMOUS = 0x20;
    private static final int LOCK_EX = 2;
    private static final int LOCK_NB = 4;
    private static final int SEEK_END = 2;
    private static final int MADV_RANDOM = 1;
    private static final int MADV_WILLNEED = 3;
    private static final int MADV_DONTNEED = 4;
    private static final int FALLOC_FL_KEEP_SIZE = 1;
    private static final int FALLOC_FL_PUNCH_HOLE = 2;
    private static final int DIRECTORY_MODE_BITS = 0755;

    private static final Linker LINKER = Linker.nativeLinker();
    private static final SymbolLookup LIBC = LINKER.defaultLookup();
    private static final StructLayout CAPTURE_LAYOUT = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO = CAPTURE_LAYOUT.varHandle(MemoryLayout.PathElement.groupElement("errno"));
    private static final Linker.Option CAPTURE_ERRNO = Linker.Option.captureCallState("errno");
    static final ThreadLocal<MemorySegment> CAPTURE_STATE =
            ThreadLocal.withInitial(() -> Arena.ofAuto().allocate(CAPTURE_LAYOUT));

    /**
     * glibc's {@code long syscall(long number, ...)}, called with six more longs: every call here
     * has this one shape, so the JVM makes one downcall stub, not one per libc function ({@link Syscall}).
     */
    private static final MethodHandle SYSCALL = LINKER.downcallHandle(LIBC.find("syscall").orElseThrow(),
            FunctionDescriptor.of(JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG),
            CAPTURE_ERRNO, Linker.Option.firstVariadicArg(1));

    private NativePosix() {
    }

    /**
     * One system call with errno captured into {@code state}: its result, or -1 with errno set (glibc's
     * {@code syscall} turns the kernel's -4095..-1 into that). Unused arguments are 0. A pointer
     * argument is a native segment's {@link #address}; the caller keeps the segment reachable until
     * this returns ({@link Reference#reachabilityFence}), which FFM does by itself only for
     * {@code ADDRESS} arguments.
     */
    static long syscall(MemorySegment state, Syscall call, long a1, long a2, long a3, long a4, long a5, long a6) {
        try {
            return (long) SYSCALL.invokeExact(state, call.number(), a1, a2, a3, a4, a5, a6);
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    /** A native segment's address, for a pointer argument; a heap segment has none the kernel could use. */
    static long address(MemorySegment segment) {
        if (!segment.isNative()) {
            throw new IllegalArgumentException("a system call needs native memory, not a heap segment: " + segment);
        }
        return segment.address();
    }

    /** libc's text for {@code errno} (glibc returns constant strings for every known errno). */
    static String strerror(int errno) {
        try {
            MemorySegment text = (MemorySegment) Strerror.HANDLE.invokeExact(errno);
            return text.reinterpret(256).getString(0);
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    /** strerror's handle, made at the first failure described, not at every start. */
    private static final class Strerror {
        static final MethodHandle HANDLE = LINKER.downcallHandle(LIBC.find("strerror").orElseThrow(),
                FunctionDescriptor.of(ADDRESS, JAVA_INT));
    }

    static int errno(MemorySegment state) {
        return (int) ERRNO.get(state, 0L);
    }

    private static PosixException failure(MemorySegment state, String call, Path path) {
        return PosixException.of(errno(state), call, path);
    }

    /** A call on a descriptor alone (close, fsync, fdatasync): 0 or -1. */
    private static int onDescriptor(MemorySegment state, Syscall call, OpenFile file) {
        return (int) syscall(state, call, file.descriptor(), 0, 0, 0, 0, 0);
    }

    @Override
    public OpenFile open(Path path, int flags, int modeBits) throws IOException {
        MemorySegment state = CAPTURE_STATE.get();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment cPath = arena.allocateFrom(path.toString());
            while (true) {
                int fd = (int) syscall(state, Syscall.OPENAT, Syscall.AT_FDCWD, address(cPath), flags, modeBits, 0, 0);
                if (fd >= 0) {
                    return new OpenFile(fd, path, flags);
                }
                if (errno(state) != Errno.EINTR) {
                    throw failure(state, (flags & O_DIRECT) != 0 ? "open(O_DIRECT)" : "open", path);
                }
            }
        }
    }

    @Override
    public void close(OpenFile file) throws IOException {
        MemorySegment state = CAPTURE_STATE.get();
        // Linux frees the descriptor even when close fails; retrying (say on EINTR) could close another file's.
        if (onDescriptor(state, Syscall.CLOSE, file) != 0) {
            throw failure(state, "close", file.path());
        }
    }

    @Override
    public long pread(OpenFile file, MemorySegment buffer, long fileOffset) throws IOException {
        return transfer(Syscall.PREAD64, "pread", file, buffer, buffer.byteSize(), fileOffset, 0);
    }

    @Override
    public long pwrite(OpenFile file, MemorySegment buffer, long fileOffset) throws IOException {
        return transfer(Syscall.PWRITE64, "pwrite", file, buffer, buffer.byteSize(), fileOffset, 0);
    }

    @Override
    public long pwritev(OpenFile file, MemorySegment iovecs, int count, long fileOffset) throws IOException {
        // The kernel takes pwritev's offset as two halves (low, high), as glibc's wrapper passes it; a
        // 64-bit kernel reads the whole offset from the low one.
        return transfer(Syscall.PWRITEV, "pwritev", file, iovecs, count, fileOffset, fileOffset >>> 32);
    }

    /**
     * The batch's writes in one {@code io_submit} (and one {@code io_getevents} for their results),
     * where the kernel gives the batch an AIO context; else, or for what io_submit refuses, one
     * pwritev each (the default). The context is made at the batch's first write and freed by its close.
     */
    @Override
    public void pwriteBatch(OpenFile file, WriteBatch batch) throws IOException {
        if (batch.aio == null && !batch.aioUnavailable) {
            batch.aio = NativeAio.setUp(batch.capacity());
            batch.aioUnavailable = batch.aio == null;
            if (batch.aioUnavailable) {
                System.getLogger(NativePosix.class.getName()).log(System.Logger.Level.WARNING, "io_setup for the writes"
                    + " to " + file.path() + " failed: " + Errno.describe(errno(CAPTURE_STATE.get())) + "; they go one"
                    + " pwritev each, slower (fs.aio-max-nr may be reached: see /proc/sys/fs/aio-nr)");
            }
        }
        if (batch.aio == null) {
            Posix.super.pwriteBatch(file, batch);
            return;
        }
        try {
            batch.aio.write(file, batch, this);
        } finally {
            batch.clear();
        }
    }

    /**
     * A positional read or write of {@code memory} (a buffer, or pwritev's iovecs), retried on EINTR:
     * the bytes moved. {@code fileOffsetHigh} is pwritev's; pread64 and pwrite64 take none and get 0.
     */
    private static long transfer(Syscall call, String name, OpenFile file, MemorySegment memory, long count,
            long fileOffset, long fileOffsetHigh) throws IOException {
        MemorySegment state = CAPTURE_STATE.get();
        long memoryAddress = address(memory);
        try {
            while (true) {
                long n = syscall(state, call, file.descriptor(), memoryAddress, count, fileOffset, fileOffsetHigh, 0);
                if (n >= 0) {
                    return n;
                }
                if (errno(state) != Errno.EINTR) {
                    throw failure(state, name, file.path());
                }
            }
        } finally {
            Reference.reachabilityFence(memory);
        }
    }

    @Override
    public void fdatasync(OpenFile file) throws IOException {
        MemorySegment state = CAPTURE_STATE.get();
        // Never retried: after a failed sync the kernel may have dropped the pages it could not write.
        if (onDescriptor(state, Syscall.FDATASYNC, file) != 0) {
            throw failure(state, "fdatasync", file.path());
        }
    }

    @Override
    public void fsync(OpenFile file) throws IOException {
        MemorySegment state = CAPTURE_STATE.get();
        if (onDescriptor(state, Syscall.FSYNC, file) != 0) {
            throw failure(state, "fsync", file.path());
        }
    }

    @Override
    public void allocate(OpenFile file, long fileOffset, long lengthBytes) throws IOException {
        MemorySegment state = CAPTURE_STATE.get();
        int rc = (int) syscall(state, Syscall.FALLOCATE, file.descriptor(), 0, fileOffset, lengthBytes, 0, 0);
        if (rc != 0 && errno(state) == Errno.EOPNOTSUPP) {
            long size = sizeBytes(file);
            if (fileOffset + lengthBytes <= size) {
                return; // nothing to extend, and this filesystem cannot reserve
            }
            truncate(file, fileOffset + lengthBytes);
            return;
        }
        if (rc != 0) {
            throw failure(state, "fallocate", file.path());
        }
    }

    @Override
    public void truncate(OpenFile file, long sizeBytes) throws IOException {
        MemorySegment state = CAPTURE_STATE.get();
        if ((int) syscall(state, Syscall.FTRUNCATE, file.descriptor(), sizeBytes, 0, 0, 0, 0) != 0) {
            throw failure(state, "ftruncate", file.path());
        }
    }

    @Override
    public boolean punchHole(OpenFile file, long fileOffset, long lengthBytes) throws IOException {
        MemorySegment state = CAPTURE_STATE.get();
        int rc = (int) syscall(state, Syscall.FALLOCATE, file.descriptor(), FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE,
                fileOffset, lengthBytes, 0, 0);
        if (rc == 0) {
            return true;
        }
        if (errno(state) == Errno.EOPNOTSUPP) {
            return false;
        }
        throw failure(state, "fallocate(PUNCH_HOLE)", file.path());
    }

    @Override
    public long sizeBytes(OpenFile file) throws IOException {
        MemorySegment state = CAPTURE_STATE.get();
        // The descriptor's offset moves, which nothing here uses: every read and write is positional.
        long size = syscall(state, Syscall.LSEEK, file.descriptor(), 0, SEEK_END, 0, 0, 0);
        if (size < 0) {
            throw failure(state, "lseek", file.path());
        }
        return size;
    }

    @Override
    public boolean tryLockExclusive(OpenFile file) throws IOException {
        MemorySegment state = CAPTURE_STATE.get();
        int rc = (int) syscall(state, Syscall.FLOCK, file.descriptor(), LOCK_EX | LOCK_NB, 0, 0, 0, 0);
        if (rc == 0) {
            return true;
        }
        if (errno(state) == Errno.EWOULDBLOCK) {
            return false;
        }
        throw failure(state, "flock", file.path());
    }

    @Override
    public MemorySegment mapReadOnly(OpenFile file, long lengthBytes) throws IOException {
        MemorySegment state = CAPTURE_STATE.get();
        long address = syscall(state, Syscall.MMAP, 0, lengthBytes, PROT_READ, MAP_SHARED, file.descriptor(), 0);
        if (address == -1L) {
            throw failure(state, "mmap of " + lengthBytes + " bytes", file.path());
        }
        return MemorySegment.ofAddress(address).reinterpret(lengthBytes);
    }

    /**
     * {@code bytes} of zeroed memory straight from the kernel (a private anonymous mapping),
     * unmapped when {@code arena} closes. {@link Arena#allocate} writes zeros over every byte, so
     * all of it is resident from the start; here a page becomes resident when it is first written,
     * and a buffer sized for the largest write costs the memory the writes use.
     */
    public MemorySegment mapAnonymous(long bytes, Arena arena) throws IOException {
        MemorySegment state = CAPTURE_STATE.get();
        long address = syscall(state, Syscall.MMAP, 0, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (address == -1L) {
            throw PosixException.of(errno(state), "mmap of " + bytes + " anonymous bytes", null);
        }
        // The arena's close unmaps it; a failure there has nowhere to go (it cannot happen for a
        // whole mapping this call made).
        return MemorySegment.ofAddress(address).reinterpret(bytes, arena,
                mapping -> syscall(CAPTURE_STATE.get(), Syscall.MUNMAP, mapping.address(), bytes, 0, 0, 0, 0));
    }

    @Override
    public void adviseRandom(OpenFile file, MemorySegment mapping) throws IOException {
        madvise(file, mapping, MADV_RANDOM);
    }

    @Override
    public void adviseWillNeed(OpenFile file, MemorySegment range) throws IOException {
        madvise(file, range, MADV_WILLNEED);
    }

    @Override
    public void adviseDontNeed(OpenFile file, MemorySegment range) throws IOException {
        madvise(file, range, MADV_DONTNEED);
    }

    private void madvise(OpenFile file, MemorySegment range, int advice) throws IOException {
        MemorySegment state = CAPTURE_STATE.get();
        if ((int) syscall(state, Syscall.MADVISE, address(range), range.byteSize(), advice, 0, 0, 0) != 0) {
            throw failure(state, "madvise", file.path());
        }
    }

    @Override
    public void unmap(OpenFile file, MemorySegment mapping) throws IOException {
        MemorySegment state = CAPTURE_STATE.get();
        if ((int) syscall(state, Syscall.MUNMAP, address(mapping), mapping.byteSize(), 0, 0, 0, 0) != 0) {
            throw failure(state, "munmap", file.path());
        }
    }

    @Override
    public boolean mkdir(Path directory) throws IOException {
        MemorySegment state = CAPTURE_STATE.get();
        int rc;
        try (Arena arena = Arena.ofConfined()) {
            rc = (int) syscall(state, Syscall.MKDIRAT, Syscall.AT_FDCWD, address(arena.allocateFrom(directory.toString())),
                    DIRECTORY_MODE_BITS, 0, 0, 0);
        }
        if (rc == 0) {
            return true;
        }
        if (errno(state) == Errno.EEXIST) {
            return false;
        }
        throw failure(state, "mkdir", directory);
    }

    @Override
    public void rename(Path from, Path to) throws IOException {
        MemorySegment state = CAPTURE_STATE.get();
        int rc;
        try (Arena arena = Arena.ofConfined()) {
            // renameat2 without flags is rename(2); aarch64 has no plain rename
            rc = (int) syscall(state, Syscall.RENAMEAT2, Syscall.AT_FDCWD, address(arena.allocateFrom(from.toString())),
                    Syscall.AT_FDCWD, address(arena.allocateFrom(to.toString())), 0, 0);
        }
        if (rc != 0) {
            throw failure(state, "rename to " + to, from);
        }
    }

    @Override
    public boolean unlink(Path path) throws IOException {
        MemorySegment state = CAPTURE_STATE.get();
        int rc;
        try (Arena arena = Arena.ofConfined()) {
            rc = (int) syscall(state, Syscall.UNLINKAT, Syscall.AT_FDCWD, address(arena.allocateFrom(path.toString())),
                    0, 0, 0, 0);
        }
        if (rc == 0) {
            return true;
        }
        if (errno(state) == Errno.ENOENT) {
            return false;
        }
        throw failure(state, "unlink", path);
    }

    @Override
    public void fsyncDirectory(Path directory) throws IOException {
        OpenFile handle = open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC, 0);
        try {
            fsync(handle);
        } finally {
            close(handle);
        }
    }
}
