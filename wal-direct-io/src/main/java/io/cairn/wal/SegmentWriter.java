package io.cairn.wal;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;

import io.cairn.posix.Errno;
import io.cairn.posix.OpenFile;
import io.cairn.posix.Posix;
import io.cairn.posix.PosixException;

/**
 * The segment being appended to. Writes are whole blocks at block-aligned offsets, so the same code
 * serves O_DIRECT and buffered descriptors. Used by the flusher thread only (and by open/close).
 */
final class SegmentWriter {
    private final Path path;
    private final String pathName;
    private final SegmentName name;
    private final WalOptions options;
    private final Posix posix;
    private final DirectIoFallback fallback;
    private OpenFile file;
    private boolean direct;
    private long writeOffset;

    private SegmentWriter(Path path, SegmentName name, WalOptions options, Posix posix, DirectIoFallback fallback,
                          long writeOffset) throws IOException {
        this.path = path;
        this.pathName = path.toString();
        this.name = name;
        this.options = options;
        this.posix = posix;
        this.fallback = fallback;
        this.writeOffset = writeOffset;
        openDescriptor();
    }

    /**
     * Turns a prepared spare (allocated, zero-filled, synced) into a segment durably: write the header
     * under the spare's temporary name, sync, rename, sync the directory. A segment under its final
     * name therefore always has a valid header.
     */
    static SegmentWriter create(Path directory, Path spare, SegmentName name, BatchBuffer header, WalOptions options,
                                Posix posix, DirectIoFallback fallback) throws IOException {
        Path finalPath = directory.resolve(name.fileName());
        SegmentWriter writer = new SegmentWriter(spare, name, options, posix, fallback, 0);
        try {
            writer.write(header);
            writer.sync();
            posix.rename(spare, finalPath);
            posix.fsyncDirectory(directory);
        } catch (IOException | RuntimeException e) {
            writer.closeQuietly();
            throw e;
        }
        writer.close();
        return new SegmentWriter(finalPath, name, options, posix, fallback, writer.writeOffset);
    }

    /** Continues an existing segment at a block-aligned offset after its last record. */
    static SegmentWriter reopen(Path directory, SegmentName name, long writeOffset, WalOptions options, Posix posix,
                                DirectIoFallback fallback) throws IOException {
        assert writeOffset % RecordFormat.BLOCK_BYTES == 0 : writeOffset;
        return new SegmentWriter(directory.resolve(name.fileName()), name, options, posix, fallback, writeOffset);
    }

    private void openDescriptor() throws IOException {
        int flags = Posix.O_WRONLY | Posix.O_CLOEXEC
                | (options.syncMode() == SyncMode.O_DSYNC ? Posix.O_DSYNC : 0);
        if (options.directIo() && !fallback.refused()) {
            try {
                file = posix.open(path, flags | Posix.O_DIRECT, 0644);
                direct = true;
                return;
            } catch (PosixException e) {
                if (e.errno() != Errno.EINVAL) {
                    throw e;
                }
            }
            fallback.refuse(pathName, "open");
        }
        file = posix.open(path, flags, 0644);
        direct = false;
    }

    SegmentName name() {
        return name;
    }

    long writeOffset() {
        return writeOffset;
    }

    boolean fits(int alignedBytes) {
        return writeOffset + alignedBytes <= options.segmentBytes();
    }

    int descriptor() {
        return file.descriptor();
    }

    void write(BatchBuffer batch) throws IOException {
        MemorySegment bytes = batch.sealedWrite();
        assert fits((int) bytes.byteSize()) : "write of " + bytes.byteSize() + " at " + writeOffset + " overflows " + name;
        long n;
        try {
            n = posix.pwrite(file, bytes, writeOffset);
        } catch (PosixException e) {
            if (e.errno() != Errno.EINVAL || !direct) {
                throw e;
            }
            // Some filesystems accept O_DIRECT at open and refuse it at write time.
            fallback.refuse(pathName, "pwrite");
            posix.close(file);
            openDescriptor();
            n = posix.pwrite(file, bytes, writeOffset);
        }
        if (n < bytes.byteSize()) {
            posix.pwriteFully(file, bytes.asSlice(n), writeOffset + n);
        }
        writeOffset += bytes.byteSize();
    }

    void sync() throws IOException {
        if (options.syncMode() == SyncMode.FDATASYNC) {
            posix.fdatasync(file);
        }
    }

    void close() throws IOException {
        posix.close(file);
    }

    void closeQuietly() {
        try {
            close();
        } catch (IOException ignored) {
            // Already failing; the first error is the one worth reporting.
        }
    }
}
