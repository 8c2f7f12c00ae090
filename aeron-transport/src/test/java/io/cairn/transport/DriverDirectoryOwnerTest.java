package io.cairn.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.aeron.CncFileDescriptor;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A driver directory whose CnC file names a live process other than this one, started no later
 * than that driver, is refused (after a wait); a dead process, a zombie, a pid reused by a younger
 * process and this process's own pid are not owners, so a member killed with SIGKILL starts again.
 */
class DriverDirectoryOwnerTest {
    @TempDir
    Path dir;

    @Test
    void aLiveOtherProcessOwnsTheDirectoryAndTheLaunchIsRefused() throws Exception {
        final Process owner = new ProcessBuilder("sleep", "60").start();
        try {
            writeCnc(owner.pid(), System.currentTimeMillis());
            assertEquals(owner.pid(), DriverDirectoryOwner.otherLiveOwner(dir).orElseThrow().pid());
            final IllegalStateException refused = assertThrows(IllegalStateException.class,
                () -> DriverDirectoryOwner.checkNoOtherOwner(dir, 100));
            assertTrue(refused.getMessage().contains("belongs to process " + owner.pid()), refused.getMessage());
            final TransportConfig config = TransportConfig.defaults(1, 2, PeerUrl.of(URI.create("http://127.0.0.1:1")))
                .withAeronDir(dir);
            assertThrows(IllegalStateException.class, () -> EmbeddedDriver.launch(config));
            assertTrue(Files.exists(dir.resolve(CncFileDescriptor.CNC_FILE)), "the owner's files are left alone");
        } finally {
            owner.destroyForcibly().waitFor();
        }
        assertFalse(DriverDirectoryOwner.otherLiveOwner(dir).isPresent(), "a dead process owns nothing");
    }

    @Test
    void theStartWaitsForAnOwnerThatExits() throws Exception {
        final Process owner = new ProcessBuilder("sleep", "0.5").start();
        writeCnc(owner.pid(), System.currentTimeMillis());
        DriverDirectoryOwner.checkNoOtherOwner(dir, 30_000); // returns once it exited
        assertFalse(owner.isAlive());
    }

    @Test
    void aPidReusedByAYoungerProcessOwnsNothing() throws Exception {
        final Process younger = new ProcessBuilder("sleep", "60").start();
        try {
            writeCnc(younger.pid(), System.currentTimeMillis() - 60_000); // the driver started before it
            assertFalse(DriverDirectoryOwner.otherLiveOwner(dir).isPresent());
        } finally {
            younger.destroyForcibly().waitFor();
        }
    }

    @Test
    void aZombieOwnsNothing() throws Exception {
        // The shell's background child exits after the exec and is never reaped: "sleep" does not wait for it.
        final Process parent = new ProcessBuilder("bash", "-c", "sleep 0.3 & echo $!; exec sleep 60").start();
        try {
            final long zombie = Long.parseLong(new BufferedReader(new InputStreamReader(parent.getInputStream(),
                StandardCharsets.US_ASCII)).readLine().trim());
            waitUntilZombie(zombie);
            writeCnc(zombie, System.currentTimeMillis());
            assertTrue(ProcessHandle.of(zombie).map(ProcessHandle::isAlive).orElse(false), "the JDK calls a zombie alive");
            assertFalse(DriverDirectoryOwner.otherLiveOwner(dir).isPresent());
        } finally {
            parent.destroyForcibly().waitFor();
        }
    }

    @Test
    void thisProcessOwnsNothingHere() throws Exception {
        writeCnc(ProcessHandle.current().pid(), System.currentTimeMillis());
        assertFalse(DriverDirectoryOwner.otherLiveOwner(dir).isPresent());
    }

    private static void waitUntilZombie(final long pid) throws IOException, InterruptedException {
        for (int i = 0; i < 200; i++) {
            final String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            if (stat.charAt(stat.lastIndexOf(')') + 2) == 'Z') {
                return;
            }
            Thread.sleep(10);
        }
        throw new AssertionError("process " + pid + " did not become a zombie");
    }

    /** The part of a CnC file the check reads: the metadata with the driver's pid and start time. */
    private void writeCnc(final long pid, final long startEpochMs) throws IOException {
        final ByteBuffer metadata = ByteBuffer.allocate(CncFileDescriptor.META_DATA_LENGTH).order(ByteOrder.LITTLE_ENDIAN);
        metadata.putLong(CncFileDescriptor.PID_FIELD_OFFSET, pid);
        metadata.putLong(CncFileDescriptor.START_TIMESTAMP_FIELD_OFFSET, startEpochMs);
        Files.write(dir.resolve(CncFileDescriptor.CNC_FILE), metadata.array());
    }
}
