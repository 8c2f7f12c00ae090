package io.cairn.chaos.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** What a failing command reports (no root needed). */
class CommandsTest {
    @Test
    void aFailureNamesTheCommandLineExitStatusAndStderr() {
        final CommandFailedException failure = assertThrows(CommandFailedException.class,
            () -> Commands.run(List.of("sh", "-c", "echo refused >&2; exit 3")));
        assertEquals(3, failure.exitStatus());
        assertEquals("refused\n", failure.stderr());
        assertEquals("sh -c 'echo refused >&2; exit 3': failed (exit status 3): refused", failure.getMessage());
    }

    @Test
    void stdinReachesTheCommandAndStdoutComesBack() {
        assertEquals("table\n", Commands.run(List.of("cat"), "table\n").stdout());
    }

    @Test
    void aCommandThatOverrunsItsTimeoutIsKilledAndReported() {
        final CommandFailedException failure = assertThrows(CommandFailedException.class,
            () -> Commands.attempt(List.of("sleep", "30"), "", Duration.ofMillis(200)));
        assertEquals(CommandFailedException.NO_EXIT_STATUS, failure.exitStatus());
        assertTrue(failure.getMessage().startsWith("sleep 30: timed out after 200 ms"), failure.getMessage());
    }
}
