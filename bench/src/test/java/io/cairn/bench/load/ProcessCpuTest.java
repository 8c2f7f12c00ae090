package io.cairn.bench.load;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ProcessCpuTest {
    @TempDir
    Path dir;

    @Test
    void readsUserPlusSystemTicksEvenWhenTheCommandNameHoldsSpacesAndParentheses() throws Exception {
        final Path stat = dir.resolve("stat");
        // Fields 14 and 15 (utime, stime) are 250 and 50 ticks.
        Files.writeString(stat, "4242 (my (odd) cmd) S 1 4242 4242 0 -1 4194560 100 0 0 0 250 50 0 0 20 0 9 0\n");
        assertEquals(300 * 10_000_000L, ProcessCpu.ofStatFile(stat).nanos());
    }

    @Test
    void aMissingProcessReadsAsUnknownAndIsRefusedUpFront() {
        assertEquals(-1, ProcessCpu.ofStatFile(dir.resolve("gone")).nanos());
        assertThrows(IllegalArgumentException.class, () -> ProcessCpu.of(0));
        assertEquals(-1, ProcessCpu.between(-1, 5));
    }

    @Test
    void thisProcessReadsTheSameWayThroughProcAndTheJvm() {
        final long viaProc = ProcessCpu.of(ProcessHandle.current().pid()).nanos();
        final long viaJvm = ProcessCpu.self().nanos();
        assertTrue(viaProc > 0 && viaJvm > 0, viaProc + " " + viaJvm);
    }
}
