package io.cairn.wal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import io.cairn.posix.Call;
import io.cairn.posix.FaultyPosix;
import io.cairn.posix.NativePosix;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The host hears how long each write's fdatasync took (the engine warns of slow disks from it): a
 * slowed fdatasync is reported at least as long as the delay, and an observer that throws fails no
 * write.
 */
class WalSyncObserverTest {
    private static final Duration DELAY = Duration.ofMillis(50);

    @TempDir
    Path dir;

    @Test
    void eachWritesSyncIsReportedWithItsDuration() throws Exception {
        FaultyPosix faulty = new FaultyPosix(NativePosix.INSTANCE, dir.resolve("stash"));
        List<Long> reported = new CopyOnWriteArrayList<>();
        try (Wal wal = Wal.open(dir.resolve("wal"), WalRoundTripTest.SMALL, faulty)) {
            wal.observeSyncs(reported::add);
            wal.appendAndSync(List.of(new Entry(1, 1, new byte[10])), null);
            assertEquals(1, reported.size(), "one write, one report");

            faulty.delay(Call.FDATASYNC, path -> path.getFileName().toString().endsWith(".wal"), DELAY);
            wal.appendAndSync(List.of(new Entry(1, 2, new byte[10])), null);
            assertEquals(2, reported.size());
            assertTrue(reported.get(1) >= DELAY.toNanos(), "the slowed fdatasync is in the report: " + reported);
            faulty.clearFaults();

            wal.observeSyncs(nanos -> {
                throw new IllegalStateException("observer bug");
            });
            wal.append(List.of(new Entry(1, 3, new byte[10])), null).join();
            wal.appendAndSync(List.of(new Entry(1, 4, new byte[10])), null);
        }
        try (Wal reopened = Wal.open(dir.resolve("wal"), WalRoundTripTest.SMALL)) {
            assertEquals(4, reopened.recovered().lastIndex(), "writes whose observer threw are durable");
        }
    }
}
