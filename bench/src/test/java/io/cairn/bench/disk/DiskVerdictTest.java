package io.cairn.bench.disk;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** fio 3.33 outputs captured on this project's machines (the slow one edited down), read and judged. */
class DiskVerdictTest {
    private static String sample(final String name) throws IOException {
        try (InputStream in = DiskVerdictTest.class.getResourceAsStream("/fio/" + name)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    @Test
    void readsTheWalJobFigures() throws IOException {
        final FioResult wal = FioResult.parse(sample("etcd-wal-fast-ssd.json"));
        assertEquals("etcd-wal", wal.job());
        assertEquals(4471.24387, wal.writeIops(), 1e-6);
        assertEquals(216_064, wal.syncP50Nanos());
        assertEquals(610_304, wal.syncP99Nanos());
    }

    @Test
    void fastSsdPassesEvenForHeavyLoad() throws IOException {
        final DiskVerdict verdict = DiskVerdict.of(FioResult.parse(sample("etcd-wal-fast-ssd.json")));
        assertTrue(verdict.passes());
        assertTrue(verdict.heavyLoadReady());
        assertTrue(verdict.lines().get(1).contains("fdatasync p99 0.610 ms"), verdict.lines().toString());
    }

    @Test
    void slowDiskFailsOnBothCounts() throws IOException {
        final DiskVerdict verdict = DiskVerdict.of(FioResult.parse(sample("etcd-wal-slow-disk.json")));
        assertFalse(verdict.passes());
        assertTrue(verdict.lines().get(0).startsWith("FAIL: sequential write IOPS 41"), verdict.lines().toString());
        assertTrue(verdict.lines().get(1).startsWith("FAIL: fdatasync p99 15.008 ms"), verdict.lines().toString());
    }

    @Test
    void jobsWithoutSyncHaveNoSyncPercentiles() throws IOException {
        final FioResult read = FioResult.parse(sample("mmap-rand-read.json"));
        assertEquals(FioResult.ABSENT, read.syncP99Nanos());
        assertTrue(read.readIops() > 0);
        assertFalse(DiskVerdict.of(read).passes(), "a job without fdatasync cannot vouch for the WAL");
        assertTrue(FioResult.parse(sample("odirect-seq-write.json")).writeIops() > 0);
    }

    @Test
    void garbageIsAClearError() {
        assertThrows(IllegalArgumentException.class, () -> FioResult.parse("fio: no such file"));
        assertThrows(IllegalArgumentException.class, () -> FioResult.parse("{\"jobs\": []}"));
    }
}
