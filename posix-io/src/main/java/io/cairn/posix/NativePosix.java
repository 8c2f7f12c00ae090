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
import java.nio.file.Path;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * libc, through FFM downcalls with errno captured: the project's one door to native storage calls.
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
    private static final int MAP_SHARED = 1;
    private static final int LOCK_EX = 2;
    private static final int LOCK_NB = 4;
    private static final int SEEK_END = 2;
    private static final int MADV_RANDOM = 1;
    private static final int MADV_WILLNEED = 3;
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

    private static final MethodHandle OPEN = downcall("open",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT), Linker.Option.firstVariadicArg(2));
    private static final MethodHandle CLOSE = downcall("close", FunctionDescriptor.of(JAVA_INT, JAVA_INT));
    private static final MethodHandle PREAD = downcall("pread",
            FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG, JAVA_LONG));
    private static final MethodHandle PWRITE = downcall("pwrite",
            FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG, JAVA_LONG));
    private static final MethodHandle PWRITEV = downcall("pwritev",
            FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_INT, JAVA_LONG));
    private static final MethodHandle FDATASYNC = downcall("fdatasync", FunctionDescriptor.of(JAVA_INT, JAVA_INT));
    private static final MethodHandle FSYNC = downcall("fsync", FunctionDescriptor.of(JAVA_INT, JAVA_INT));
    private static final MethodHandle FALLOCATE = downcall("fallocate",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_LONG, JAVA_LONG));
    private static final MethodHandle FTRUNCATE = downcall("ftruncate", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG));
    private static final MethodHandle LSEEK = downcall("lseek", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, JAVA_LONG, JAVA_INT));
    private static final MethodHandle FLOCK = downcall("flock", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT));
    private static final MethodHandle MMAP = downcall("mmap",
            FunctionDescriptor.of(ADDRESS, ADDRESS, JAVA_LONG, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_LONG));
    private static final MethodHandle MUNMAP = downcall("munmap", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG));
    private static final MethodHandle MADVISE = downcall("madvise", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT));
    private static final MethodHandle MKDIR = downcall("mkdir", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT));
    private static final MethodHandle RENAME = downcall("rename", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS));
    private static final MethodHandle UNLINK = downcall("unlink", FunctionDescriptor.of(JAVA_INT, ADDRESS));
    private static final MethodHandle STRERROR = LINKER.downcallHandle(
            LIBC.find("strerror").orElseThrow(), FunctionDescriptor.of(ADDRESS, JAVA_INT));

    private NativePosix() {
    }

    /** A libc function that captures errno (the call's first argument is then {@link #CAPTURE_STATE}'s segment). */
    static MethodHandle downcall(String name, FunctionDescriptor descriptor, Linker.Option... extra) {
        Linker.Option[] options = new Linker.Option[extra.length + 1];
        options[0] = CAPTURE_ERRNO;
        System.arraycopy(extra, 0, options, 1, extra.length);
        MemorySegment symbol = LIBC.find(name).orElseThrow(() -> new UnsatisfiedLinkError("libc has no " + name));
        return LINKER.downcallHandle(symbol, descriptor, options);
    }

    /** libc's text for {@code errno} (glibc returns constant strings for every known errno). */
    static String strerror(int errno) {
        try {
            MemorySegment text = (MemorySegment) STRERROR.invokeExact(errno);
            return text.reinterpret(256).getString(0);
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    static int errno(MemorySegment state) {
        return (int) ERRNO.get(state, 0L);
    }

    private static PosixException failure(MemorySegment state, String call, Path path) {
        return PosixException.of(errno(state), call, path);
    }

    @Override
    public OpenFile open(Path path, int flags, int modeBits) throws IOException {
        MemorySegment state = CAPTURE_STATE.get();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment cPath = arena.allocateFrom(path.toString());
            while (true) {
                int fd = (int) OPEN.invokeExact(state, cPath, flags, modeBits);
                if (fd >= 0) {
                    return new OpenFile(fd, path, flags);
                }
                if (errno(state) != Errno.EINTR) {
                    throw failure(state, (flags & O_DIRECT) != 0 ? "open(O_DIRECT)" : "open", path);
                }
            }
        } catch (IOException | RuntimeException e) {
            throw e;
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    @Override
    public void close(OpenFile file) throws IOException {
        MemorySegment state = CAPTURE_STATE.get();
        int rc;
        try {
            rc = (int) CLOSE.invokeExact(state, file.descriptor());
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
        // Linux frees the descriptor even when close fails; retrying (say on EINTR) could close another file's.
        if (rc != 0) {
            throw failure(state, "close", file.path());
        }
    }

    @Override
    public long pread(OpenFile file, MemorySegment buffer, long fileOffset) throws IOException {
        MemorySegment state = CAPTURE_STATE.get();
        while (true) {
            long n;
            try {
                n = (long) PREAD.invokeExact(state, file.descriptor(), buffer, buffer.byteSize(), fileOffset);
            } catch (Throwable t) {
                throw new AssertionError(t);
            }
            if (n >= 0) {
                return n;
            }
            if (errno(state) != Errno.EINTR) {
                throw failure(state, "pread", file.path());
            }
        }
    }

    @Override
    public long pwrite(OpenFile file, MemorySegment buffer, long fileOffset) throws IOException {
        MemorySegment state = CAPTURE_STATE.get();
        while (true) {
            long n;
            try {
                n = (long) PWRITE.invokeExact(state, file.descriptor(), buffer, buffer.byteSize(), fileOffset);
            } catch (Throwable t) {
                throw new AssertionError(t);
            }
            if (n >= 0) {
                return n;
            }
            if (errno(state) != Errno.EINTR) {
                throw failure(state, "pwrite", file.path());
            }
        }
    }

    @Override
    public long pwritev(OpenFile file, MemorySegment iovecs, int count, long fileOffset) throws IOException {
        MemorySegment state = CAPTURE_STATE.get();
        while (true) {
            long n;
            try {
                n = (long) PWRITEV.invokeExact(state, file.descriptor(), iovecs, count, fileOffset);
            } catch (Throwable t) {
                throw new AssertionError(t);
            }
            if (n >= 0) {
                return n;
            }
            if (errno(state) != Errno.EINTR) {
                throw failure(state, "pwritev", file.path());
            }
        }
    }

    @Override
    public void fdatasync(OpenFile file) throws IOException {
        MemorySegment state = CAPTURE_STATE.get();
        int rc;
        try {
            rc = (int) FDATASYNC.invokeExact(state, file.descriptor());
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
        // Never retried: after a failed sync the kernel may have dropped the pages it could not write.
        if (rc != 0) {
            throw failure(state, "fdatasync", file.path());
        }
    }

    @Override
    public void fsync(OpenFile file) throws IOException {
        MemorySegment state = CAPTURE_STATE.get();
        int rc;
        try {
            rc = (int) FSYNC.invokeExact(state, file.descriptor());
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
        if (rc != 0) {
            throw failure(state, "fsync", file.path());
        }
    }

    @Override
    public void allocate(OpenFile file, long fileOffset, long lengthBytes) throws IOException {
        MemorySegment state = CAPTURE_STATE.get();
        int rc;
        try {
            rc = (int) FALLOCATE.invokeExact(state, file.descriptor(), 0, fileOffset, lengthBytes);
            if (rc != 0 && errno(state) == Errno.EOPNOTSUPP) {
                long size = sizeBytes(file);
                if (fileOffset + lengthBytes <= size) {
                    return; // nothing to extend, and this filesystem cannot reserve
                }
                rc = (int) FTRUNCATE.invokeExact(state, file.descriptor(), fileOffset + lengthBytes);
                if (rc != 0) {
                    throw failure(state, "ftruncate", file.path());
                }
                return;
            }
        } catch (IOException | RuntimeException e) {
            throw e;
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
        if (rc != 0) {
            throw failure(state, "fallocate", file.path());
        }
    }

    @Override
    public void truncate(OpenFile file, long sizeBytes) throws IOException {
        MemorySegment state = CAPTURE_STATE.get();
        int rc;
        try {
            rc = (int) FTRUNCATE.invokeExact(state, file.descriptor(), sizeBytes);
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
        if (rc != 0) {
            throw failure(state, "ftruncate", file.path());
        }
    }

    @Override
    public boolean punchHole(OpenFile file, long fileOffset, long lengthBytes) throws IOException {
        MemorySegment state = CAPTURE_STATE.get();
        int rc;
        try {
            rc = (int) FALLOCATE.invokeExact(state, file.descriptor(), FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE,
                    fileOffset, lengthBytes);
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
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
        long size;
        try {
            // The descriptor's offset moves, which nothing here uses: every read and write is positional.
            size = (long) LSEEK.invokeExact(state, file.descriptor(), 0L, SEEK_END);
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
        if (size < 0) {
            throw failure(state, "lseek", file.path());
        }
        return size;
    }

    @Override
    public boolean tryLockExclusive(OpenFile file) throws IOException {
        MemorySegment state = CAPTURE_STATE.get();
        int rc;
        try {
            rc = (int) FLOCK.invokeExact(state, file.descriptor(), LOCK_EX | LOCK_NB);
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
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
        MemorySegment address;
        try {
            address = (MemorySegment) MMAP.invokeExact(state, MemorySegment.NULL, lengthBytes, PROT_READ, MAP_SHARED,
                    file.descriptor(), 0L);
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
        if (address.address() == -1L) {
            throw failure(state, "mmap of " + lengthBytes + " bytes", file.path());
        }
        return address.reinterpret(lengthBytes);
    }

    @Override
    public void adviseRandom(OpenFile file, MemorySegment mapping) throws IOException {
        madvise(file, mapping, MADV_RANDOM);
    }

    @Override
    public void adviseWillNeed(OpenFile file, MemorySegment range) throws IOException {
        madvise(file, range, MADV_WILLNEED);
    }

    private void madvise(OpenFile file, MemorySegment range, int advice) throws IOException {
        MemorySegment state = CAPTURE_STATE.get();
        int rc;
        try {
            rc = (int) MADVISE.invokeExact(state, range, range.byteSize(), advice);
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
        if (rc != 0) {
            throw failure(state, "madvise", file.path());
        }
    }

    @Override
    public void unmap(OpenFile file, MemorySegment mapping) throws IOException {
        MemorySegment state = CAPTURE_STATE.get();
        int rc;
        try {
            rc = (int) MUNMAP.invokeExact(state, mapping, mapping.byteSize());
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
        if (rc != 0) {
            throw failure(state, "munmap", file.path());
        }
    }

    @Override
    public boolean mkdir(Path directory) throws IOException {
        MemorySegment state = CAPTURE_STATE.get();
        int rc;
        try (Arena arena = Arena.ofConfined()) {
            rc = (int) MKDIR.invokeExact(state, arena.allocateFrom(directory.toString()), DIRECTORY_MODE_BITS);
        } catch (Throwable t) {
            throw new AssertionError(t);
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
            rc = (int) RENAME.invokeExact(state, arena.allocateFrom(from.toString()), arena.allocateFrom(to.toString()));
        } catch (Throwable t) {
            throw new AssertionError(t);
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
            rc = (int) UNLINK.invokeExact(state, arena.allocateFrom(path.toString()));
        } catch (Throwable t) {
            throw new AssertionError(t);
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
