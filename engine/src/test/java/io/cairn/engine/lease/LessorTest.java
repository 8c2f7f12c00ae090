package io.cairn.engine.lease;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cairn.engine.api.EtcdError;
import io.cairn.engine.api.EtcdException;
import io.cairn.engine.backend.InMemoryBackend;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class LessorTest {
    private static final long SECOND = TimeUnit.SECONDS.toNanos(1);
    private static final long MIN_TTL = 2;

    private final AtomicLong clock = new AtomicLong(1_000 * SECOND);
    private final InMemoryBackend backend = new InMemoryBackend();
    private final Lessor lessor = Lessor.load(backend, MIN_TTL, clock::get);

    @Test
    void minimumTtlIsEtcdsOneAndAHalfElectionTimeoutsRoundedUp() {
        assertEquals(2, Lessor.minTtlSeconds(100, 1000));
        assertEquals(8, Lessor.minTtlSeconds(500, 5000));
        assertEquals(1, Lessor.minTtlSeconds(10, 100));
    }

    @Test
    void grantRaisesShortTtlsAndRefusesTakenZeroAndHugeIds() {
        assertEquals(MIN_TTL, lessor.grant(backend, 7, 1));
        assertEquals(60, lessor.grant(backend, 8, 60));
        assertTrue(lessor.exists(7));
        assertError(EtcdError.LEASE_EXISTS, () -> lessor.grant(backend, 7, 60));
        assertError(EtcdError.LEASE_NOT_FOUND, () -> lessor.grant(backend, 0, 60));
        assertError(EtcdError.LEASE_TTL_TOO_LARGE, () -> lessor.grant(backend, 9, Lessor.TTL_MAX_SECONDS + 1));
        assertEquals(List.of(7L, 8L), lessor.idsByExpiry());
    }

    @Test
    void expiryIsProposedOnceUntilTheRetryIntervalAndRenewalPostponesIt() {
        lessor.grant(backend, 1, 10);
        lessor.grant(backend, 2, 10);
        clock.addAndGet(9 * SECOND);
        assertEquals(10, lessor.renew(2));
        assertEquals(List.of(), lessor.expiredToRevoke(100));
        clock.addAndGet(SECOND);
        assertEquals(List.of(1L), lessor.expiredToRevoke(100));
        assertEquals(List.of(), lessor.expiredToRevoke(100), "the revoke is in flight");
        assertEquals(-1, lessor.renew(1), "an expired lease cannot be renewed");
        clock.addAndGet(Lessor.REVOKE_RETRY_NANOS);
        assertEquals(List.of(1L), lessor.expiredToRevoke(100), "still there: proposed again");
        lessor.revoke(backend, 1);
        assertFalse(lessor.exists(1));
        assertError(EtcdError.LEASE_NOT_FOUND, () -> lessor.revoke(backend, 1));
        assertEquals(new Lessor.TimeToLive(6, 10), lessor.timeToLive(2), "renewed at 9 s, now 13 s");
        assertNull(lessor.timeToLive(1));
    }

    @Test
    void checkpointedRemainingTtlIsWhatARestartResumesAndARenewalClearsIt() {
        lessor.grant(backend, 5, 60);
        lessor.grant(backend, 6, 60);
        clock.addAndGet(20 * SECOND);
        final List<Lessor.Checkpoint> due = lessor.checkpointsDue(10 * SECOND, 100);
        assertEquals(List.of(new Lessor.Checkpoint(5, 40), new Lessor.Checkpoint(6, 40)),
            due.stream().sorted(java.util.Comparator.comparingLong(Lessor.Checkpoint::id)).toList());
        assertEquals(List.of(), lessor.checkpointsDue(10 * SECOND, 100), "not due again within the interval");
        lessor.checkpoint(backend, due);

        final Lessor restarted = Lessor.load(backend, MIN_TTL, clock::get);
        assertEquals(new Lessor.TimeToLive(40, 60), restarted.timeToLive(5));

        assertEquals(60, restarted.renew(6));
        final List<Lessor.Checkpoint> cleared = restarted.checkpointsDue(10 * SECOND, 100);
        assertEquals(List.of(new Lessor.Checkpoint(6, 0)), cleared);
        restarted.checkpoint(backend, cleared);
        assertEquals(new Lessor.TimeToLive(60, 60), Lessor.load(backend, MIN_TTL, clock::get).timeToLive(6));
    }

    @Test
    void everyDutyIsBoundedPerRound() {
        for (long id = 1; id <= 50; id++) {
            lessor.grant(backend, id, 10);
        }
        clock.addAndGet(11 * SECOND);
        assertEquals(20, lessor.expiredToRevoke(20).size());
        assertEquals(20, lessor.expiredToRevoke(20).size());
        assertEquals(10, lessor.expiredToRevoke(20).size());
    }

    private static void assertError(final EtcdError expected, final Runnable call) {
        assertEquals(expected, assertThrows(EtcdException.class, call::run).error());
    }
}
