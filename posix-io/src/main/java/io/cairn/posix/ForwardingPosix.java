package io.cairn.posix;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;

/**
 * Passes every call to another {@link Posix}: the base of a stand-in that changes a few calls (a
 * test's filesystem that refuses O_DIRECT, the fault layer). The defaults of {@link Posix} are not
 * forwarded, so they run through this instance's own calls.
 */
public abstract class ForwardingPosix implements Posix {
    protected final Posix delegate;

    protected ForwardingPosix(Posix delegate) {
        this.delegate = delegate;
    }

    @Override
    public OpenFile open(Path path, int flags, int modeBits) throws IOException {
        return delegate.open(path, flags, modeBits);
    }

    @Override
    public void close(OpenFile file) throws IOException {
        delegate.close(file);
    }

    @Override
    public long pread(OpenFile file, MemorySegment buffer, long fileOffset) throws IOException {
        return delegate.pread(file, buffer, fileOffset);
    }

    @Override
    public long pwrite(OpenFile file, MemorySegment buffer, long fileOffset) throws IOException {
        return delegate.pwrite(file, buffer, fileOffset);
    }

    @Override
    public long pwritev(OpenFile file, MemorySegment iovecs, int count, long fileOffset) throws IOException {
        return delegate.pwritev(file, iovecs, count, fileOffset);
    }

    @Override
    public void fdatasync(OpenFile file) throws IOException {
        delegate.fdatasync(file);
    }

    @Override
    public void fsync(OpenFile file) throws IOException {
        delegate.fsync(file);
    }

    @Override
    public void allocate(OpenFile file, long fileOffset, long lengthBytes) throws IOException {
        delegate.allocate(file, fileOffset, lengthBytes);
    }

    @Override
    public void truncate(OpenFile file, long sizeBytes) throws IOException {
        delegate.truncate(file, sizeBytes);
    }

    @Override
    public boolean punchHole(OpenFile file, long fileOffset, long lengthBytes) throws IOException {
        return delegate.punchHole(file, fileOffset, lengthBytes);
    }

    @Override
    public long sizeBytes(OpenFile file) throws IOException {
        return delegate.sizeBytes(file);
    }

    @Override
    public boolean tryLockExclusive(OpenFile file) throws IOException {
        return delegate.tryLockExclusive(file);
    }

    @Override
    public MemorySegment mapReadOnly(OpenFile file, long lengthBytes) throws IOException {
        return delegate.mapReadOnly(file, lengthBytes);
    }

    @Override
    public void adviseRandom(OpenFile file, MemorySegment mapping) throws IOException {
        delegate.adviseRandom(file, mapping);
    }

    @Override
    public void adviseWillNeed(OpenFile file, MemorySegment range) throws IOException {
        delegate.adviseWillNeed(file, range);
    }

    @Override
    public void adviseDontNeed(OpenFile file, MemorySegment range) throws IOException {
        delegate.adviseDontNeed(file, range);
    }

    @Override
    public void unmap(OpenFile file, MemorySegment mapping) throws IOException {
        delegate.unmap(file, mapping);
    }

    @Override
    public boolean mkdir(Path directory) throws IOException {
        return delegate.mkdir(directory);
    }

    @Override
    public void rename(Path from, Path to) throws IOException {
        delegate.rename(from, to);
    }

    @Override
    public boolean unlink(Path path) throws IOException {
        return delegate.unlink(path);
    }

    @Override
    public void fsyncDirectory(Path directory) throws IOException {
        delegate.fsyncDirectory(directory);
    }
}
