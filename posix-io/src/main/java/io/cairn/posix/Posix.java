package io.cairn.posix;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;

/**
 * The storage calls of the WAL and the B+tree: libc's file, mapping and directory-entry calls. They
 * all go through one instance, so a test, or an operator's fault drill, can stand between the code
 * and the disk ({@link FaultyPosix}); {@link NativePosix} is libc itself.
 *
 * <p>Contract, for every implementation:
 * <ul>
 *   <li>Every method may be called from any thread, concurrently with any other; the calls on one
 *       file are as ordered as libc's are (none).</li>
 *   <li>A failed call throws {@link PosixException} naming the errno, the call and the path;
 *       ENOSPC and EDQUOT throw its subclass {@link NoSpaceLeftException}. EINTR is retried inside;
 *       nothing else is retried.</li>
 *   <li>{@link #pread}, {@link #pwrite} and {@link #pwritev} are one system call each and may be
 *       short; {@link #preadFully} and {@link #pwriteFully} loop. Buffers are native segments (FFM
 *       passes no heap memory to libc), the whole segment is the length.</li>
 *   <li>Paths are absolute; they are what error messages name.</li>
 *   <li>Durability is libc's: a file's bytes and size are durable once {@link #fdatasync} (or
 *       {@link #fsync}) of it returns, or once a write through an {@link #O_DSYNC} descriptor
 *       returns. A directory entry (a created, renamed or unlinked file, a new directory) is durable
 *       only once {@link #fsyncDirectory} of the directory holding it returns.</li>
 * </ul>
 * Flag and mode values are Linux's (x86_64 and aarch64 agree on all of them).
 */
public interface Posix {
    int O_RDONLY = 0;
    int O_WRONLY = 1;
    int O_RDWR = 2;
    int O_CREAT = 0100;
    int O_EXCL = 0200;
    int O_TRUNC = 01000;
    int O_DSYNC = 010000;
    int O_DIRECT = 040000;
    int O_DIRECTORY = 0200000;
    int O_CLOEXEC = 02000000;

    /** Opens (or with {@link #O_CREAT} creates, mode {@code modeBits}) the file at {@code path}. */
    OpenFile open(Path path, int flags, int modeBits) throws IOException;

    void close(OpenFile file) throws IOException;

    /** One pread of up to {@code buffer.byteSize()} bytes at {@code fileOffset}; returns bytes read, 0 at the end. */
    long pread(OpenFile file, MemorySegment buffer, long fileOffset) throws IOException;

    /** One pwrite of up to {@code buffer.byteSize()} bytes at {@code fileOffset}; returns bytes written. */
    long pwrite(OpenFile file, MemorySegment buffer, long fileOffset) throws IOException;

    /**
     * One pwritev of {@code count} iovecs ({@code struct iovec}: u64 base address, u64 length, native
     * order; the segment spans at least the {@code count} of them) at {@code fileOffset}; returns bytes
     * written, which may be fewer than asked.
     */
    long pwritev(OpenFile file, MemorySegment iovecs, int count, long fileOffset) throws IOException;

    /**
     * Makes every write queued in {@code batch}, each at its own offset and each a write of its own,
     * then empties the batch. On a failure the first one is thrown, and which of the other writes
     * were made is unspecified (this default stops at the failed one). This default makes each write
     * a {@link #pwritev} of one iovec, so a fault layer sees each as a pwritev; {@link NativePosix}
     * hands the whole batch to the kernel in one call.
     */
    default void pwriteBatch(OpenFile file, WriteBatch batch) throws IOException {
        try {
            for (int i = 0; i < batch.size(); i++) {
                long written = pwritev(file, batch.iovec(i), 1, batch.fileOffset(i));
                if (written < batch.length(i)) {
                    pwriteFully(file, batch.rest(i, written), batch.fileOffset(i) + written);
                }
            }
        } finally {
            batch.clear();
        }
    }

    void fdatasync(OpenFile file) throws IOException;

    void fsync(OpenFile file) throws IOException;

    /**
     * Reserves blocks for {@code [fileOffset, fileOffset + lengthBytes)} and extends the file to its
     * end if it is shorter (fallocate mode 0); where the filesystem cannot reserve, only extends it
     * (ftruncate). This is how both modules grow files.
     */
    void allocate(OpenFile file, long fileOffset, long lengthBytes) throws IOException;

    /** Sets the file's size (ftruncate). */
    void truncate(OpenFile file, long sizeBytes) throws IOException;

    /** Deallocates a range so it reads back as zeros, size unchanged; false where the filesystem cannot. */
    boolean punchHole(OpenFile file, long fileOffset, long lengthBytes) throws IOException;

    long sizeBytes(OpenFile file) throws IOException;

    /** Takes an exclusive advisory lock (flock); false if another open file description holds it. */
    boolean tryLockExclusive(OpenFile file) throws IOException;

    /** Maps {@code lengthBytes} of the file read-only and shared; the segment is unscoped (see {@link #unmap}). */
    MemorySegment mapReadOnly(OpenFile file, long lengthBytes) throws IOException;

    /** madvise(MADV_RANDOM): no readahead. */
    void adviseRandom(OpenFile file, MemorySegment mapping) throws IOException;

    /**
     * madvise(MADV_WILLNEED): the kernel starts reading {@code range} (page-aligned, within a mapping
     * of {@code file}) into the page cache now, without waiting, readahead or not.
     */
    void adviseWillNeed(OpenFile file, MemorySegment range) throws IOException;

    /**
     * madvise(MADV_DONTNEED) on {@code range} (page-aligned, within a shared map of {@code file}): the
     * process stops mapping those pages, so they leave its resident set. Nothing is lost: the data
     * stays in the file and the page cache, and the next access maps it again. (On a private map it
     * would throw away the process's own changes; the maps here are shared and read-only.)
     */
    void adviseDontNeed(OpenFile file, MemorySegment range) throws IOException;

    void unmap(OpenFile file, MemorySegment mapping) throws IOException;

    /** Creates one directory (mode 0755); false if something by that name already exists. */
    boolean mkdir(Path directory) throws IOException;

    /** rename(2): atomically replaces {@code to} if it exists. */
    void rename(Path from, Path to) throws IOException;

    /** Removes a file's name; false if there was none. */
    boolean unlink(Path path) throws IOException;

    /** Makes the entries of {@code directory} (files created, renamed or unlinked in it) durable. */
    void fsyncDirectory(Path directory) throws IOException;

    /** Reads until {@code buffer} is full or the file ends; returns the bytes read. */
    default long preadFully(OpenFile file, MemorySegment buffer, long fileOffset) throws IOException {
        long done = 0;
        long length = buffer.byteSize();
        while (done < length) {
            long n = pread(file, done == 0 ? buffer : buffer.asSlice(done), fileOffset + done);
            if (n == 0) {
                break;
            }
            done += n;
        }
        return done;
    }

    /** Writes all of {@code buffer} at {@code fileOffset}, continuing short writes. */
    default void pwriteFully(OpenFile file, MemorySegment buffer, long fileOffset) throws IOException {
        long done = 0;
        long length = buffer.byteSize();
        while (done < length) {
            done += pwrite(file, done == 0 ? buffer : buffer.asSlice(done), fileOffset + done);
        }
    }

    /**
     * Creates {@code directory} and its missing parents, each made durable in its parent (mkdir, then
     * fsync of the parent) before the next is created inside it: a file later created and synced in
     * it must not vanish with a directory entry a power cut took.
     */
    default void createDirectories(Path directory) throws IOException {
        Deque<Path> missing = new ArrayDeque<>();
        for (Path p = directory.toAbsolutePath().normalize(); p != null && !Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS);
             p = p.getParent()) {
            missing.push(p);
        }
        while (!missing.isEmpty()) {
            Path created = missing.pop();
            if (mkdir(created)) {
                fsyncDirectory(created.getParent());
            }
        }
    }
}
