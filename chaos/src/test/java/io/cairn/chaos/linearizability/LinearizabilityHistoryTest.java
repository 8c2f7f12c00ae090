package io.cairn.chaos.linearizability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cairn.chaos.linearizability.LinearizabilityChecker.Result;
import io.cairn.chaos.linearizability.LinearizabilityChecker.Verdict;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The recorder: outcomes, what is dropped, the dump, and threads recording against a locked map. */
class LinearizabilityHistoryTest {
    @Test
    void recordsOutcomesDropsFailuresAndCountsPendingAsUnknown() {
        final AtomicLong clock = new AtomicLong(1_000_000);
        final History history = new History(() -> clock.getAndAdd(500_000));
        final long put = history.invoke(0, Input.put("x", "a"));
        final long refused = history.invoke(1, Input.put("x", "b"));
        final long timedOut = history.invoke(2, Input.cas("x", "a", "c"));
        final long pending = history.invoke(3, Input.delete("x"));
        history.ok(put, Output.written(7));
        history.fail(refused);
        history.unknown(timedOut);

        assertEquals(List.of(
            Operation.ok(0, 0, 1_000_000, 3_000_000, Input.put("x", "a"), Output.written(7)),
            Operation.unknown(2, 2, 2_000_000, Input.cas("x", "a", "c")),
            Operation.unknown(3, 3, 2_500_000, Input.delete("x"))), history.operations());
        assertEquals("""
            #0 c0 [+0.000 .. +2.000 ms] put(x, "a") -> ok@7
            #2 c2 [+1.000 .. ? ms] cas(x, "a" -> "c") -> ?
            #3 c3 [+1.500 .. ? ms] delete(x) -> ?
            """, history.toString());
    }

    @Test
    void refusesASecondOutcomeAndAnAnswerOfTheWrongKind() {
        final History history = new History();
        final long id = history.invoke(0, Input.get("x"));
        assertThrows(IllegalArgumentException.class, () -> history.ok(id, Output.written()));
        history.ok(id, Output.absent());
        assertThrows(IllegalStateException.class, () -> history.unknown(id));
        assertThrows(IllegalArgumentException.class, () -> history.ok(5, Output.absent()));
    }

    @Test
    void threadsRecordingAgainstALockedMapMakeALinearizableHistory() throws Exception {
        final History history = new History();
        final Map<String, String> store = new HashMap<>();
        final List<Thread> clients = new ArrayList<>();
        for (int c = 0; c < 4; c++) {
            final int client = c;
            clients.add(Thread.ofPlatform().start(() -> {
                final SplittableRandom random = new SplittableRandom(client);
                for (int i = 0; i < 300; i++) {
                    final String key = "k" + random.nextInt(2);
                    final String value = client + "." + i;
                    final Input input = switch (random.nextInt(4)) {
                        case 0 -> Input.put(key, value);
                        case 1 -> Input.cas(key, expected(store, key), value);
                        case 2 -> Input.delete(key);
                        default -> Input.get(key);
                    };
                    final long id = history.invoke(client, input);
                    final Output output;
                    synchronized (store) {
                        output = apply(store, input);
                    }
                    history.ok(id, output);
                }
            }));
        }
        for (final Thread client : clients) {
            client.join();
        }
        final Result result = LinearizabilityChecker.check(history);
        assertEquals(Verdict.LINEARIZABLE, result.verdict(), result::explanation);
        assertTrue(result.explanation().startsWith("LINEARIZABLE: 1200 operations on 2 keys"), result::explanation);
    }

    private static String expected(final Map<String, String> store, final String key) {
        synchronized (store) {
            return store.get(key);
        }
    }

    private static Output apply(final Map<String, String> store, final Input input) {
        return switch (input) {
            case Input.Put put -> {
                store.put(put.key(), put.value());
                yield Output.written();
            }
            case Input.Get get -> Output.read(store.get(get.key()));
            case Input.Cas cas -> {
                final boolean matches = Objects.equals(store.get(cas.key()), cas.expected());
                if (matches) {
                    store.put(cas.key(), cas.value());
                }
                yield Output.swapped(matches);
            }
            case Input.Delete delete -> Output.deleted(store.remove(delete.key()) != null ? 1 : 0);
        };
    }
}
