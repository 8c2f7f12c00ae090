package io.cairn.wal;

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

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * The libc calls the WAL writer needs, as FFM downcalls with errno captured. An instance owns its
 * errno capture buffer, so it is used by one thread at a time (the flusher, or the opener). Not final
 * only so a test can stand in for a filesystem that refuses O_DIRECT.
 */
@SuppressWarnings("restricted") // this class is the module's one door to native code
class Posix {
    // Linux x86_64 / aarch64 values.
    static final int O_RDONLY = 0;
    static final int O_WRONLY = 1;
    static final int O_CREAT = 0100;
    static final int O_DSYNC = 010000;
    static final int O_DIRECT = 040000;
    static final int O_DIRECTORY = 0200000;
    static final int O_CLOEXEC = 02000000;
    static final int FALLOC_FL_KEEP_SIZE = 1;
    static final int FALLOC_FL_PUNCH_HOLE = 2;
    static final int EINTR = 4;
    static final int EINVAL = 22;
    static final int EOPNOTSUPP = 95;

    private static final Linker LINKER = Linker.nativeLinker();
    private static final SymbolLookup LIBC = LINKER.defaultLookup();
    private static final StructLayout CAPTURE_LAYOUT = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO =
            CAPTURE_LAYOUT.varHandle(MemoryLayout.PathElement.groupElement("errno"));
    private static final Linker.Option CAPTURE_ERRNO = Linker.Option.captureCallState("errno");

    private static final MethodHandle OPEN = downcall("open",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT), Linker.Option.firstVariadicArg(2));
    private static final MethodHandle CLOSE = downcall("close", FunctionDescriptor.of(JAVA_INT, JAVA_INT));
    private static final MethodHandle PWRITE = downcall("pwrite",
            FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG, JAVA_LONG));
    private static final MethodHandle FDATASYNC = downcall("fdatasync", FunctionDescriptor.of(JAVA_INT, JAVA_INT));
    private static final MethodHandle FSYNC = downcall("fsync", FunctionDescriptor.of(JAVA_INT, JAVA_INT));
    private static final MethodHandle FALLOCATE = downcall("fallocate",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_LONG, JAVA_LONG));
    private static final MethodHandle FTRUNCATE = downcall("ftruncate",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG));
    private static final MethodHandle STRERROR = LINKER.downcallHandle(
            LIBC.find("strerror").orElseThrow(), FunctionDescriptor.of(ADDRESS, JAVA_INT));

    private final MemorySegment captureState = Arena.ofAuto().allocate(CAPTURE_LAYOUT);

    private static MethodHandle downcall(String name, FunctionDescriptor descriptor, Linker.Option... extra) {
        Linker.Option[] options = new Linker.Option[extra.length + 1];
        options[0] = CAPTURE_ERRNO;
        System.arraycopy(extra, 0, options, 1, extra.length);
        MemorySegment symbol = LIBC.find(name).orElseThrow(() -> new UnsatisfiedLinkError("libc has no " + name));
        return LINKER.downcallHandle(symbol, descriptor, options);
    }

    int errno() {
        return (int) ERRNO.get(captureState, 0L);
    }

    IOException failure(String call, String path) {
        int errno = errno();
        return new IOException(call + " on " + path + " failed: " + strerror(errno) + " (errno " + errno + ")");
    }

    static String strerror(int errno) {
        try {
            MemorySegment text = (MemorySegment) STRERROR.invokeExact(errno);
            return text.reinterpret(256).getString(0);
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    /** Returns the descriptor, or -1 with {@link #errno()} set; the caller decides what a refusal means. */
    int tryOpen(String path, int flags, int mode) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment cPath = arena.allocateFrom(path);
            while (true) {
                int fd = (int) OPEN.invokeExact(captureState, cPath, flags, mode);
                if (fd >= 0 || errno() != EINTR) {
                    return fd;
                }
            }
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    int open(String path, int flags, int mode) throws IOException {
        int fd = tryOpen(path, flags, mode);
        if (fd < 0) {
            throw failure("open", path);
        }
        return fd;
    }

    void close(int fd, String path) throws IOException {
        int rc;
        try {
            rc = (int) CLOSE.invokeExact(captureState, fd);
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
        if (rc != 0) {
            throw failure("close", path);
        }
    }

    /** Writes all of {@code buffer} at {@code fileOffset}; returns -errno instead of throwing on the first call's refusal. */
    long pwrite(int fd, MemorySegment buffer, long lengthBytes, long fileOffset) {
        if (lengthBytes > buffer.byteSize()) {
            throw new IllegalArgumentException("pwrite of " + lengthBytes + " bytes from a buffer of " + buffer.byteSize());
        }
        try {
            while (true) {
                long n = (long) PWRITE.invokeExact(captureState, fd, buffer, lengthBytes, fileOffset);
                if (n >= 0 || errno() != EINTR) {
                    return n < 0 ? -errno() : n;
                }
            }
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    void pwriteFully(int fd, MemorySegment buffer, long lengthBytes, long fileOffset, String path) throws IOException {
        long done = 0;
        while (done < lengthBytes) {
            long n = pwrite(fd, done == 0 ? buffer : buffer.asSlice(done), lengthBytes - done, fileOffset + done);
            if (n < 0) {
                throw failure("pwrite", path);
            }
            done += n;
        }
    }

    void fdatasync(int fd, String path) throws IOException {
        int rc;
        try {
            rc = (int) FDATASYNC.invokeExact(captureState, fd);
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
        if (rc != 0) {
            throw failure("fdatasync", path);
        }
    }

    /** Makes a directory's entries (created, renamed, deleted files) durable. */
    void fsyncDirectory(String path) throws IOException {
        int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC, 0);
        try {
            int rc = (int) FSYNC.invokeExact(captureState, fd);
            if (rc != 0) {
                throw failure("fsync", path);
            }
        } catch (IOException e) {
            throw e;
        } catch (Throwable t) {
            throw new AssertionError(t);
        } finally {
            close(fd, path);
        }
    }

    /** Reserves {@code lengthBytes} from {@code offset}; falls back to ftruncate where fallocate is unsupported. */
    void reserve(int fd, long offset, long lengthBytes, String path) throws IOException {
        int rc;
        try {
            rc = (int) FALLOCATE.invokeExact(captureState, fd, 0, offset, lengthBytes);
            if (rc != 0 && errno() == EOPNOTSUPP) {
                rc = (int) FTRUNCATE.invokeExact(captureState, fd, offset + lengthBytes);
            }
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
        if (rc != 0) {
            throw failure("fallocate", path);
        }
    }

    /** Deallocates a range so it reads back as zeros; returns false where the filesystem cannot. */
    boolean punchHole(int fd, long offset, long lengthBytes, String path) throws IOException {
        int rc;
        try {
            rc = (int) FALLOCATE.invokeExact(captureState, fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE,
                    offset, lengthBytes);
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
        if (rc == 0) {
            return true;
        }
        if (errno() == EOPNOTSUPP) {
            return false;
        }
        throw failure("fallocate(PUNCH_HOLE)", path);
    }
}
