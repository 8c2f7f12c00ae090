package io.cairn.wal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import io.cairn.posix.Errno;
import io.cairn.posix.ForwardingPosix;
import io.cairn.posix.NativePosix;
import io.cairn.posix.OpenFile;
import io.cairn.posix.Posix;
import io.cairn.posix.PosixException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Checks, through the kernel's own account ({@code /proc/self/fdinfo/<fd>}), that segments are open
 * the way the options say: O_DIRECT where the filesystem allows it, buffered after a refusal, O_DSYNC
 * in that sync mode.
 */
class DirectIoTest {
    @TempDir
    Path dir;

    @Test
    void segmentIsOpenWithODirectWhereTheFilesystemSupportsIt() throws Exception {
        assumeTrue(filesystemAcceptsODirect(dir), "the filesystem of " + dir + " refuses O_DIRECT");
        try (Wal wal = Wal.open(dir, WalRoundTripTest.SMALL)) {
            wal.append(List.of(new Entry(1, 1, new byte[100])), null).get();
            assertTrue(wal.writesDirect());
            assertTrue((openFlags(wal) & Posix.O_DIRECT) != 0, "fdinfo flags " + Integer.toOctalString(openFlags(wal)));
            assertTrue((openFlags(wal) & Posix.O_DSYNC) == 0);
        }
    }

    @Test
    void bufferedWhenDirectIoIsOff() throws Exception {
        try (Wal wal = Wal.open(dir, WalRoundTripTest.SMALL.withDirectIo(false))) {
            wal.append(List.of(new Entry(1, 1, new byte[100])), null).get();
            assertFalse(wal.writesDirect());
            assertEquals(0, openFlags(wal) & Posix.O_DIRECT);
        }
    }

    @Test
    void oDsyncModeOpensWithODsync() throws Exception {
        try (Wal wal = Wal.open(dir, WalRoundTripTest.SMALL.withSyncMode(SyncMode.O_DSYNC))) {
            wal.append(List.of(new Entry(1, 1, new byte[100])), null).get();
            assertTrue((openFlags(wal) & Posix.O_DSYNC) != 0, "fdinfo flags " + Integer.toOctalString(openFlags(wal)));
        }
    }

    @Test
    void refusedODirectFallsBackToBufferedWritesThatStillRecover() throws Exception {
        RefusingODirect posix = new RefusingODirect();
        try (Wal wal = Wal.open(dir, WalRoundTripTest.SMALL, posix)) {
            for (long i = 1; i <= 200; i++) { // enough to rotate: new segments must fall back too
                wal.append(List.of(new Entry(1, i, new byte[1000])), null).get();
            }
            assertFalse(wal.writesDirect());
            assertEquals(0, openFlags(wal) & Posix.O_DIRECT);
            assertTrue(wal.segmentFileNames().size() > 1);
        }
        assertTrue(posix.refusals.get() > 0, "the stand-in was asked for O_DIRECT");
        try (Wal wal = Wal.open(dir, WalRoundTripTest.SMALL)) {
            assertEquals(200, wal.recovered().lastIndex());
        }
    }

    /** Stands in for a filesystem (like older tmpfs) whose open(2) answers O_DIRECT with EINVAL. */
    private static final class RefusingODirect extends ForwardingPosix {
        final AtomicInteger refusals = new AtomicInteger();

        RefusingODirect() {
            super(NativePosix.INSTANCE);
        }

        @Override
        public OpenFile open(Path path, int flags, int modeBits) throws IOException {
            if ((flags & O_DIRECT) != 0) {
                refusals.incrementAndGet();
                throw PosixException.of(Errno.EINVAL, "open(O_DIRECT)", path, "stand-in filesystem");
            }
            return super.open(path, flags, modeBits);
        }
    }

    private static boolean filesystemAcceptsODirect(Path dir) throws IOException {
        Path probe = dir.resolve("o-direct-probe");
        try {
            NativePosix.INSTANCE.close(NativePosix.INSTANCE.open(probe,
                    Posix.O_WRONLY | Posix.O_CREAT | Posix.O_DIRECT | Posix.O_CLOEXEC, 0644));
        } catch (PosixException e) {
            return false;
        }
        Files.delete(probe);
        return true;
    }

    /** The open flags the kernel reports for the segment's descriptor (octal "flags:" line). */
    private static int openFlags(Wal wal) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/fdinfo/" + wal.currentDescriptor()))) {
            if (line.startsWith("flags:")) {
                return Integer.parseInt(line.substring(6).trim(), 8);
            }
        }
        throw new AssertionError("no flags line in fdinfo");
    }
}
