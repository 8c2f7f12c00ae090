package io.cairn.chaos.check;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cairn.chaos.Seeds;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * A generated history the size of an hour-long run (100k writes, 50k reads, ten watches on five
 * members), correct by construction: every check passes it, and one event taken out of one watch
 * is found as exactly one violation. The time is printed, never asserted.
 */
class ChecksAtScaleTest {
    private static final int WRITES = 100_000;
    private static final int KEYS = 1_000;
    private static final List<String> MEMBERS = List.of("n1", "n2", "n3", "n4", "n5");

    /** Plays a cluster's history forward: one revision per change, as etcd counts them. */
    private static final class Generator {
        final SplittableRandom random;
        final RunHistory.Builder history = RunHistory.builder();
        final List<WatchEvent> events = new ArrayList<>();
        final Map<String, Stored> state = new TreeMap<>();
        final Map<Long, List<LeasedKey>> leasedKeys = new HashMap<>();
        final Map<Long, LeaseEnd> ends = new HashMap<>();
        long revision = 1;
        long nowNanos = 1_000;
        long nextId;
        long nextLease = 1;

        Generator(final long seed) {
            random = new SplittableRandom(seed);
        }

        RunHistory generate(final boolean plantGap) {
            int writes = 0;
            while (writes < WRITES) {
                final int dice = random.nextInt(100);
                final String member = MEMBERS.get(random.nextInt(MEMBERS.size()));
                final String key = "k/" + random.nextInt(KEYS);
                final Span span = new Span(nowNanos, nowNanos + 500);
                if (dice < 55) {
                    final String value = value();
                    change(key, value, ++revision);
                    history.write(KvWrite.acknowledged(nextId++, member, Mutation.put(key, value), revision, span));
                } else if (dice < 62) {
                    final String other = "k/" + random.nextInt(KEYS);
                    if (!other.equals(key)) { // etcd refuses a Txn that writes one key twice
                        final long txnRevision = ++revision;
                        for (final String txnKey : List.of(key, other)) {
                            final String value = value();
                            change(txnKey, value, txnRevision);
                            history.write(KvWrite.acknowledged(nextId++, member, Mutation.put(txnKey, value),
                                txnRevision, span));
                        }
                        writes++;
                    }
                } else if (dice < 72) {
                    final boolean present = state.containsKey(key);
                    if (present) {
                        revision++;
                        change(key, null, revision);
                    }
                    history.write(KvWrite.deleteAcknowledged(nextId++, member, key, revision, present ? 1 : 0, span));
                } else if (dice < 77) {
                    final String value = value();
                    history.write(KvWrite.indeterminate(nextId++, member, Mutation.put(key, value), nowNanos));
                    if (random.nextBoolean()) {
                        change(key, value, ++revision);
                    }
                } else if (dice < 80) {
                    leasedPutThenMaybeRevoke(member, span);
                } else {
                    read(member, key, span);
                    writes--;
                }
                writes++;
                nowNanos += 1_000;
            }
            final List<LeaseFacts> leases = new ArrayList<>();
            leasedKeys.forEach((lease, keys) -> leases.add(new LeaseFacts(lease, keys, ends.getOrDefault(lease,
                LeaseEnd.NONE))));
            leases.forEach(history::lease);
            for (int m = 0; m < MEMBERS.size(); m++) {
                history.watch(watch(m * 2, MEMBERS.get(m), KeyRange.prefix("k/"), 1 + m * 1_000, plantGap && m == 3));
                history.watch(watch(m * 2 + 1, MEMBERS.get(m), KeyRange.key("k/7"), 1, false));
                history.finalState(new FinalState(MEMBERS.get(m), revision, state, null));
            }
            return history.build();
        }

        private void leasedPutThenMaybeRevoke(final String member, final Span span) {
            final long lease = nextLease++;
            final String key = "k/leased-" + lease;
            final String value = value();
            final long putRevision = ++revision;
            change(key, value, putRevision);
            history.write(KvWrite.acknowledged(nextId++, member, Mutation.put(key, value, lease), putRevision, span));
            leasedKeys.put(lease, List.of(new LeasedKey(key, value, putRevision)));
            if (random.nextBoolean()) {
                change(key, null, ++revision);
                ends.put(lease, new LeaseEnd(LeaseEnd.Kind.REVOKED, nowNanos + 400, revision));
            }
        }

        private void change(final String key, final String value, final long atRevision) {
            if (value == null) {
                state.remove(key);
                events.add(WatchEvent.delete(key, atRevision));
            } else {
                state.put(key, new Stored(value, atRevision));
                events.add(WatchEvent.put(key, value, atRevision));
            }
        }

        private void read(final String member, final String key, final Span span) {
            final Stored stored = state.get(key);
            final Consistency consistency = random.nextBoolean() ? Consistency.SERIALIZABLE : Consistency.LINEARIZABLE;
            history.read(stored == null
                ? KvRead.absent(nextId++, member, key, consistency, revision, span)
                : KvRead.present(nextId++, member, key, consistency, stored.value(), stored.modRevision(), revision,
                    span));
        }

        private WatchLog watch(final long id, final String member, final KeyRange range, final long start,
            final boolean plantGap) {
            final List<WatchEvent> delivered = new ArrayList<>();
            for (final WatchEvent event : events) {
                if (event.modRevision() >= start && range.matches(event.key())) {
                    delivered.add(event);
                }
            }
            if (plantGap) {
                delivered.remove(delivered.size() / 2);
            }
            return new WatchLog(id, member, range, start, delivered, WatchEnd.OPEN);
        }

        private String value() {
            return "v" + nextId + "-" + random.nextInt(1_000_000);
        }
    }

    @Test
    void aCorrectHourLongHistoryPassesAndOneMissingEventIsFound() throws Exception {
        Seeds.run("cairn.check.seed", 1, seed -> {
            final RunHistory correct = new Generator(seed).generate(false);
            final long startedNanos = System.nanoTime();
            final Report report = Checks.all(correct);
            System.out.printf("checked %d writes, %d reads, %d watch events in %d ms%n%s", correct.writes().size(),
                correct.reads().size(), correct.watches().stream().mapToInt(watch -> watch.events().size()).sum(),
                (System.nanoTime() - startedNanos) / 1_000_000, report);
            assertTrue(report.passed(), report::toString);

            final Report planted = Checks.all(new Generator(seed).generate(true));
            System.out.println(planted);
            assertEquals(1, planted.violationCount(), planted::toString);
            assertTrue(planted.toString().contains("watch 6 on n4"), planted::toString);
        });
    }
}
