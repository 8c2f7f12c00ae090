package io.cairn.engine.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.cairn.engine.api.EtcdError;
import io.cairn.engine.api.EtcdException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A call times out after the member's request timeout, unless its command was applied and answers
 * later (a physical compaction): then it waits for that answer, as etcd's does for as long as its
 * client waits.
 */
class PendingRequestsTest {
    private static final long TIMEOUT_MILLIS = 200;

    @Test
    void aCallStillRunningAfterItsApplyIsNotTimedOut() throws Exception {
        try (PendingRequests pending = new PendingRequests(TimeUnit.MILLISECONDS.toNanos(TIMEOUT_MILLIS))) {
            final CompletableFuture<Object> timesOut = pending.register(1, new byte[0], false);
            final CompletableFuture<Object> runsOn = pending.register(2, new byte[0], false);
            pending.complete(2, PendingRequests.STILL_RUNNING);
            final ExecutionException timedOut = assertThrows(ExecutionException.class, () -> timesOut.get(10, TimeUnit.SECONDS));
            assertEquals(EtcdError.TIMEOUT, assertInstanceOf(EtcdException.class, timedOut.getCause()).error());
            Thread.sleep(3 * TIMEOUT_MILLIS); // well past the timeout
            assertFalse(runsOn.isDone(), "still waiting for its answer");
            pending.complete(2, 42L);
            assertEquals(42L, runsOn.get(1, TimeUnit.SECONDS));
        }
    }
}
