package io.cairn.posix;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class UnixDatagramSocketTest {
    @TempDir
    Path dir;

    @Test
    void aDatagramReachesASocketBoundToAPath() throws IOException {
        final String address = dir.resolve("notify").toString();
        try (UnixDatagramSocket receiver = UnixDatagramSocket.bind(address)) {
            UnixDatagramSocket.send(address, "READY=1");
            UnixDatagramSocket.send(address, "STOPPING=1");
            assertEquals("READY=1", receiver.receive(Duration.ofSeconds(5)));
            assertEquals("STOPPING=1", receiver.receive(Duration.ofSeconds(5)));
        }
    }

    @Test
    void anAbstractNameHasNoFile() throws IOException {
        final String address = "@cairn-test-" + ProcessHandle.current().pid() + "-" + System.nanoTime();
        try (UnixDatagramSocket receiver = UnixDatagramSocket.bind(address)) {
            UnixDatagramSocket.send(address, "READY=1");
            assertEquals("READY=1", receiver.receive(Duration.ofSeconds(5)));
        }
    }

    @Test
    void receiveGivesUpAfterItsTimeout() throws IOException {
        try (UnixDatagramSocket receiver = UnixDatagramSocket.bind(dir.resolve("quiet").toString())) {
            assertNull(receiver.receive(Duration.ofMillis(50)));
        }
    }

    @Test
    void sendingToNobodySaysWhere() {
        final PosixException refused = assertThrows(PosixException.class,
            () -> UnixDatagramSocket.send(dir.resolve("nobody").toString(), "READY=1"));
        assertEquals(Errno.ENOENT, refused.errno());
    }

    @Test
    void anAddressLongerThanTheKernelTakesIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> UnixDatagramSocket.send("/" + "x".repeat(120), "READY=1"));
    }
}
