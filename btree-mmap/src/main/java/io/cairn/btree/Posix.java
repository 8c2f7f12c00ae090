package io.cairn.btree;

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
 * The libc calls this module needs, as FFM downcalls with errno captured.
 * One instance owns one errno capture buffer, so an instance is used by one thread at a time
 * (the environment uses it under its writer lock, or while opening/closing).
 */
@SuppressWarnings("restricted") // this class is the module's one door to native code
final class Posix {
    static final int O_RDWR = 2;
    static final int O_CREAT = 0100;
    static final int O_CLOEXEC = 02000000;
    static final int PROT_READ = 1;
    static final int MAP_SHARED = 1;
    static final int LOCK_EX = 2;
    static final int LOCK_NB = 4;
    static final int SEEK_END = 2;
    static final int MADV_RANDOM = 1;
    static final int EINTR = 4;
    static final int ENOSPC = 28;
    static final int EWOULDBLOCK = 11;
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
    private static final MethodHandle PREAD = downcall("pread",
            FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG, JAVA_LONG));
    private static final MethodHandle PWRITE = downcall("pwrite",
            FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG, JAVA_LONG));
    private static final MethodHandle PWRITEV = downcall("pwritev",
            FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_INT, JAVA_LONG));
    private static final MethodHandle FDATASYNC = downcall("fdatasync", FunctionDescriptor.of(JAVA_INT, JAVA_INT));
    private static final MethodHandle FALLOCATE = downcall("fallocate",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_LONG, JAVA_LONG));
    private static final MethodHandle FTRUNCATE = downcall("ftruncate",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG));
    private static final MethodHandle LSEEK = downcall("lseek",
            FunctionDescriptor.of(JAVA_LONG, JAVA_INT, JAVA_LONG, JAVA_INT));
    private static final MethodHandle FLOCK = downcall("flock", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT));
    private static final MethodHandle MMAP = downcall("mmap",
            FunctionDescriptor.of(ADDRESS, ADDRESS, JAVA_LONG, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_LONG));
    private static final MethodHandle MUNMAP = downcall("munmap", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG));
    private static final MethodHandle MADVISE = downcall("madvise",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT));
    private static final MethodHandle STRERROR = LINKER.downcallHandle(
            LIBC.find("strerror").orElseThrow(), FunctionDescriptor.of(ADDRESS, JAVA_INT));

    private final MemorySegment captureState = Arena.ofAuto().allocate(CAPTURE_LAYOUT);
    private final String pathForMessages;

    Posix(String pathForMessages) {
        this.pathForMessages = pathForMessages;
    }

    private static MethodHandle downcall(String name, FunctionDescriptor descriptor, Linker.Option... extra) {
        Linker.Option[] options = new Linker.Option[extra.length + 1];
        options[0] = CAPTURE_ERRNO;
        System.arraycopy(extra, 0, options, 1, extra.length);
        MemorySegment symbol = LIBC.find(name)
                .orElseThrow(() -> new UnsatisfiedLinkError("libc has no " + name));
        return LINKER.downcallHandle(symbol, descriptor, options);
    }

    int errno() {
        return (int) ERRNO.get(captureState, 0L);
    }

    IOException failure(String call) {
        int errno = errno();
        String message = call + " on " + pathForMessages + " failed: " + strerror(errno) + " (errno " + errno + ")";
        if (errno == ENOSPC) {
            throw new NoSpaceException("no space: " + message);
        }
        return new IOException(message);
    }

    static String strerror(int errno) {
        try {
            MemorySegment text = (MemorySegment) STRERROR.invokeExact(errno);
            return text.reinterpret(256).getString(0);
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    int open(String path, int flags, int mode) throws IOException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment cPath = arena.allocateFrom(path);
            int fd = (int) OPEN.invokeExact(captureState, cPath, flags, mode);
            if (fd < 0) {
                throw failure("open");
            }
            return fd;
        } catch (IOException | RuntimeException e) {
            throw e;
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    void close(int fd) throws IOException {
        int rc;
        try {
            rc = (int) CLOSE.invokeExact(captureState, fd);
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
        if (rc != 0) {
            throw failure("close");
        }
    }

    /** Reads exactly {@code lengthBytes} unless the file ends first; returns the bytes read. */
    long preadFully(int fd, MemorySegment buffer, long lengthBytes, long fileOffset) throws IOException {
        long done = 0;
        while (done < lengthBytes) {
            long n;
            MemorySegment rest = buffer.asSlice(done);
            try {
                n = (long) PREAD.invokeExact(captureState, fd, rest, lengthBytes - done, fileOffset + done);
            } catch (Throwable t) {
                throw new AssertionError(t);
            }
            if (n < 0) {
                if (errno() == EINTR) {
                    continue;
                }
                throw failure("pread");
            }
            if (n == 0) {
                return done;
            }
            done += n;
        }
        return done;
    }

    void pwriteFully(int fd, MemorySegment buffer, long lengthBytes, long fileOffset) throws IOException {
        long done = 0;
        while (done < lengthBytes) {
            long n;
            MemorySegment rest = done == 0 ? buffer : buffer.asSlice(done);
            try {
                n = (long) PWRITE.invokeExact(captureState, fd, rest, lengthBytes - done, fileOffset + done);
            } catch (Throwable t) {
                throw new AssertionError(t);
            }
            if (n < 0) {
                if (errno() == EINTR) {
                    continue;
                }
                throw failure("pwrite");
            }
            done += n;
        }
    }

    /**
     * One pwritev of {@code count} iovecs (struct iovec: u64 base, u64 length) at {@code fileOffset};
     * returns the bytes written, which may be short (the caller finishes with pwrite).
     */
    long pwritev(int fd, MemorySegment iovecs, int count, long fileOffset) throws IOException {
        while (true) {
            long n;
            try {
                n = (long) PWRITEV.invokeExact(captureState, fd, iovecs, count, fileOffset);
            } catch (Throwable t) {
                throw new AssertionError(t);
            }
            if (n >= 0) {
                return n;
            }
            if (errno() != EINTR) {
                throw failure("pwritev");
            }
        }
    }

    void fdatasync(int fd) throws IOException {
        int rc;
        try {
            rc = (int) FDATASYNC.invokeExact(captureState, fd);
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
        if (rc != 0) {
            throw failure("fdatasync");
        }
    }

    /** Extends the file to at least {@code sizeBytes}, reserving blocks where the filesystem can. */
    void growFile(int fd, long currentSizeBytes, long sizeBytes) throws IOException {
        int rc;
        try {
            rc = (int) FALLOCATE.invokeExact(captureState, fd, 0, currentSizeBytes, sizeBytes - currentSizeBytes);
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
        if (rc == 0) {
            return;
        }
        if (errno() != EOPNOTSUPP) {
            throw failure("fallocate");
        }
        try {
            rc = (int) FTRUNCATE.invokeExact(captureState, fd, sizeBytes);
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
        if (rc != 0) {
            throw failure("ftruncate");
        }
    }

    long fileSizeBytes(int fd) throws IOException {
        long size;
        try {
            size = (long) LSEEK.invokeExact(captureState, fd, 0L, SEEK_END);
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
        if (size < 0) {
            throw failure("lseek");
        }
        return size;
    }

    /** Takes an exclusive advisory lock; returns false if another process holds it. */
    boolean tryLockExclusive(int fd) throws IOException {
        int rc;
        try {
            rc = (int) FLOCK.invokeExact(captureState, fd, LOCK_EX | LOCK_NB);
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
        if (rc == 0) {
            return true;
        }
        if (errno() == EWOULDBLOCK) {
            return false;
        }
        throw failure("flock");
    }

    /** Maps {@code lengthBytes} of the file read-only and shared; the result is unscoped. */
    MemorySegment mapReadOnly(int fd, long lengthBytes) throws IOException {
        MemorySegment address;
        try {
            address = (MemorySegment) MMAP.invokeExact(captureState, MemorySegment.NULL, lengthBytes,
                    PROT_READ, MAP_SHARED, fd, 0L);
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
        if (address.address() == -1L) {
            throw failure("mmap of " + lengthBytes + " bytes");
        }
        return address.reinterpret(lengthBytes);
    }

    void adviseRandom(MemorySegment mapping) throws IOException {
        int rc;
        try {
            rc = (int) MADVISE.invokeExact(captureState, mapping, mapping.byteSize(), MADV_RANDOM);
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
        if (rc != 0) {
            throw failure("madvise");
        }
    }

    void unmap(MemorySegment mapping) throws IOException {
        int rc;
        try {
            rc = (int) MUNMAP.invokeExact(captureState, mapping, mapping.byteSize());
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
        if (rc != 0) {
            throw failure("munmap");
        }
    }
}
