package io.cairn.bench.load;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;

class LoadRunnerTest {
    private static final long DELAY_MICROS = 3_000;

    @Test
    void countsEveryRequestAndTimesNoneFasterThanTheServer() throws Exception {
        try (FakeEtcdServer server = new FakeEtcdServer(n -> DELAY_MICROS, 7);
             Connections connections = Connections.open(server.endpoint(), 2)) {
            final LoadResult result = LoadRunner.run("fake", connections.channels(),
                new PutWorkload(new KeyChooser(8, 100, false, 1), 16), new LoadPlan(4, 700, 70, 0));
            assertEquals(770, server.received(), "warm-up plus timed requests reach the server");
            final long timedFailures = 700 / 7; // requests 70..769 where n + 1 is a multiple of 7
            assertEquals(Map.of("UNAVAILABLE", timedFailures), result.errorsByCode());
            assertEquals(700 - timedFailures, result.succeeded());
            assertEquals(700 - timedFailures, result.latencyNanos().getTotalCount());
            assertTrue(result.latencyNanos().getMinValue() >= TimeUnit.MICROSECONDS.toNanos(DELAY_MICROS),
                "min " + result.latencyNanos().getMinValue());
            assertTrue(result.requestsPerSecond() > 0);
        }
    }

    @Test
    void neverMoreInFlightThanClients() throws Exception {
        // One client and a server that always takes 3 ms: 100 requests cannot finish sooner than 300 ms.
        try (FakeEtcdServer server = new FakeEtcdServer(n -> DELAY_MICROS, 0);
             Connections connections = Connections.open(server.endpoint(), 1)) {
            final LoadResult result = LoadRunner.run("fake", connections.channels(),
                new RangeWorkload("k", "", "s"), new LoadPlan(1, 100, 0, 0));
            assertEquals(100, result.succeeded());
            assertTrue(result.elapsedNanos() >= TimeUnit.MICROSECONDS.toNanos(100 * DELAY_MICROS),
                "elapsed " + result.elapsedNanos());
        }
    }

    /**
     * Coordinated omission: the server stalls 500 ms on the first request while one client sends
     * 100 requests per second. Requests due during the stall wait for it; an open-loop run must
     * count that wait, so about 50 of them show at least 250 ms (a closed loop would show one).
     */
    @Test
    void openLoopCountsTheWaitBehindAStall() throws Exception {
        try (FakeEtcdServer server = new FakeEtcdServer(n -> n == 0 ? 500_000 : 100, 0);
             Connections connections = Connections.open(server.endpoint(), 1)) {
            final LoadResult result = LoadRunner.run("fake", connections.channels(),
                new RangeWorkload("k", "", "s"), new LoadPlan(1, 100, 0, 100));
            final Histogram latency = result.latencyNanos();
            final long atLeast250ms = latency.getTotalCount()
                - latency.getCountBetweenValues(0, TimeUnit.MILLISECONDS.toNanos(250));
            assertEquals(100, result.succeeded());
            assertTrue(atLeast250ms >= 20, "only " + atLeast250ms + " requests saw the stall");
            assertTrue(latency.getMaxValue() >= TimeUnit.MILLISECONDS.toNanos(500));
        }
    }

    @Test
    void sequentialKeysVisitTheKeySpaceInOrder() {
        final KeyChooser keys = new KeyChooser(4, 3, true, 1);
        assertEquals("0000", keys.key(0).toStringUtf8());
        assertEquals("0002", keys.key(2).toStringUtf8());
        assertEquals("0000", keys.key(3).toStringUtf8());
        final KeyChooser random = new KeyChooser(3, 5, false, 1);
        for (long i = 0; i < 100; i++) {
            assertTrue(Integer.parseInt(random.key(i).toStringUtf8()) < 5);
            assertEquals(random.key(i), random.key(i), "same sequence, same key");
        }
    }

    @Test
    void scatteredKeysAreDistinctAndShareLittleWithTheirNeighbours() {
        final KeyChooser keys = new KeyChooser(32, 1_000, true, true, 1);
        final java.util.Set<String> seen = new java.util.HashSet<>();
        long sharedBytes = 0;
        for (long i = 0; i < 1_000; i++) {
            final String key = keys.key(i).toStringUtf8();
            assertEquals(32, key.length());
            assertTrue(seen.add(key), "key " + i + " repeats");
            final String next = keys.key(i + 1).toStringUtf8();
            int shared = 0;
            while (shared < 32 && key.charAt(shared) == next.charAt(shared)) {
                shared++;
            }
            sharedBytes += shared;
        }
        assertTrue(sharedBytes < 200, "neighbouring keys share " + sharedBytes + " bytes over 1,000 pairs");
    }
}
