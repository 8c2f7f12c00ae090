package io.cairn.transport;

import io.aeron.CncFileDescriptor;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * Who else runs a media driver in a driver directory. The embedded driver deletes its directory at
 * start, to clear what a killed process left; if the directory's previous owner is still running
 * (a member started again before the old process exited, or two members given the same cluster,
 * name and peer port), each then deletes the other's files and the new member failed a minute later
 * with Aeron's "CnC file not created". The CnC file records its driver's pid and start time: a live
 * process with that pid, started no later than that driver, is that driver's process.
 */
final class DriverDirectoryOwner {
    /** A process's start time is known to the clock tick (10 ms), the driver's to the millisecond. */
    private static final long START_SLACK_MS = 1_000;
    /** How long a start waits for the previous owner to exit; a member closes in well under this. */
    static final long OWNER_EXIT_WAIT_MS = 10_000;
    private static final long POLL_MS = 50;

    private DriverDirectoryOwner() {
    }

    /** The live process other than this one whose driver wrote {@code dir}'s CnC file, if any. */
    static Optional<ProcessHandle> otherLiveOwner(final Path dir) {
        final long[] pidAndStartMs = readPidAndStart(dir.resolve(CncFileDescriptor.CNC_FILE));
        if (pidAndStartMs == null || pidAndStartMs[0] <= 0 || pidAndStartMs[0] == ProcessHandle.current().pid()) {
            return Optional.empty();
        }
        final Instant driverStart = Instant.ofEpochMilli(pidAndStartMs[1] + START_SLACK_MS);
        // A pid reused by a process started after the driver is not the driver's: a member killed
        // with SIGKILL must start again whatever now runs under its old pid.
        return ProcessHandle.of(pidAndStartMs[0])
            .filter(process -> process.isAlive() && !exited(process.pid()))
            .filter(process -> process.info().startInstant().map(started -> !started.isAfter(driverStart)).orElse(false));
    }

    /**
     * Whether the process has exited and only waits to be reaped (a zombie): it holds no files, and
     * {@link ProcessHandle#isAlive} still says true for it.
     */
    private static boolean exited(final long pid) {
        try {
            final String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            final int afterName = stat.lastIndexOf(')'); // the command name may hold spaces and parentheses
            final char state = afterName >= 0 && afterName + 2 < stat.length() ? stat.charAt(afterName + 2) : '?';
            return state == 'Z' || state == 'X';
        } catch (final IOException gone) {
            return true;
        }
    }

    /** The pid and start time (epoch ms) in a CnC file, or null if there is none or it is too short to hold them. */
    private static long[] readPidAndStart(final Path cnc) {
        try (FileChannel channel = FileChannel.open(cnc, StandardOpenOption.READ)) {
            final ByteBuffer metadata = ByteBuffer.allocate(CncFileDescriptor.META_DATA_LENGTH).order(ByteOrder.LITTLE_ENDIAN);
            while (metadata.hasRemaining() && channel.read(metadata, metadata.position()) > 0) {
                // read on: a CnC file is read whole or not at all
            }
            if (metadata.hasRemaining()) {
                return null;
            }
            return new long[] {
                metadata.getLong(CncFileDescriptor.PID_FIELD_OFFSET),
                metadata.getLong(CncFileDescriptor.START_TIMESTAMP_FIELD_OFFSET)};
        } catch (final NoSuchFileException absent) {
            return null;
        } catch (final IOException unreadable) {
            return null; // as before this check: the driver deletes the directory and starts afresh
        }
    }

    /**
     * Waits up to {@code waitMs} for another live process running a driver in {@code dir} to exit
     * (a member restarted while its old process still closes), then refuses to start with a message
     * naming it.
     */
    static void checkNoOtherOwner(final Path dir, final long waitMs) {
        if (!Files.isDirectory(dir)) {
            return;
        }
        final long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(waitMs);
        Optional<ProcessHandle> owner = otherLiveOwner(dir);
        while (owner.isPresent() && System.nanoTime() < deadline) {
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(POLL_MS));
            owner = otherLiveOwner(dir);
        }
        owner.ifPresent(process -> {
            throw new IllegalStateException("the peer transport's directory " + dir + " belongs to process " + process.pid()
                + " (" + process.info().commandLine().orElse("command line unknown") + "), which is still running after "
                + waitMs + " ms: a member with the same cluster, name and peer port. Stop it and start this member again");
        });
    }
}
