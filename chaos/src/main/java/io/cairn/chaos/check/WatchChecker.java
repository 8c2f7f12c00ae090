package io.cairn.chaos.check;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Checks what watches delivered against etcd's watch guarantees: each watch's events come in
 * revision order, never twice, only for its range and from its start revision on; each event is
 * a change some write made at that revision (or a lease's delete); no watch skips a change in the
 * revisions it covered, so watches on different members replay one and the same history.
 *
 * <p>A watch covers the revisions from its start to the last one it delivered: later ones may
 * still have been on their way when it ended. The changes it owes there are the acknowledged
 * writes and every change some other watch delivered, so a change no client could vouch for (an
 * indeterminate write, a lease expiry) is still owed by every watch that covered it.
 * O(n log n) in events and writes, plus each watch's covered changes.
 */
public final class WatchChecker {
    public static final String NAME = "watch";

    /** Where a change was first delivered: the copy every other delivery must equal. */
    private record Delivery(WatchLog watch, int index) {
        WatchEvent event() {
            return watch.events().get(index);
        }
    }

    private WatchChecker() {
    }

    public static CheckResult check(final RunHistory history) {
        return check(history, HistoryIndexes.of(history));
    }

    static CheckResult check(final RunHistory history, final HistoryIndexes indexes) {
        final Context context = new Context(indexes);
        final List<Set<RevKey>> delivered = new ArrayList<>(history.watches().size());
        long events = 0;
        for (final WatchLog watch : history.watches()) {
            delivered.add(context.checkEvents(watch));
            events += watch.events().size();
        }
        final long owed = context.checkGaps(history.watches(), delivered);
        return context.violations.result(events + " events in " + history.watches().size() + " watches, "
            + owed + " owed changes");
    }

    /** The indexes and findings of one check. */
    private static final class Context {
        final WriteIndex writes;
        final LeaseIndex leases;
        final Provenance provenance;
        final Lines lines;
        final CheckResult.Collector violations = new CheckResult.Collector(NAME);
        final Map<RevKey, Delivery> firstDelivery = new HashMap<>();

        Context(final HistoryIndexes indexes) {
            writes = indexes.writes();
            leases = indexes.leases();
            provenance = new Provenance(writes);
            lines = indexes.lines();
        }

        /** One watch's own order, range and provenance; returns the changes it delivered. */
        Set<RevKey> checkEvents(final WatchLog watch) {
            final Set<RevKey> delivered = new HashSet<>(watch.events().size() * 2);
            // The key's value before each event as this watch saw it, to recognise a lease's delete.
            final Map<String, WatchEvent> lastPut = new HashMap<>();
            int previous = -1;
            for (int i = 0; i < watch.events().size(); i++) {
                final WatchEvent event = watch.events().get(i);
                final RevKey change = new RevKey(event.modRevision(), event.key());
                if (event.modRevision() < watch.startRevision()) {
                    violations.add(watch + " delivered a change from before its start revision",
                        List.of(lines.event(watch, i)));
                }
                if (!watch.range().matches(event.key())) {
                    violations.add(watch + " delivered a key outside its range", List.of(lines.event(watch, i)));
                }
                if (previous >= 0 && event.modRevision() < watch.events().get(previous).modRevision()) {
                    violations.add(watch + " delivered revisions out of order",
                        List.of(lines.event(watch, previous), lines.event(watch, i)));
                }
                if (!delivered.add(change)) {
                    violations.add(watch + " delivered the change of " + event.key() + " at " + event.modRevision()
                        + " twice", List.of(lines.event(watch, i)));
                }
                previous = i;
                checkAgainstHistory(watch, i, lastPut.get(event.key()));
                if (event.type() == ChangeType.PUT) {
                    lastPut.put(event.key(), event);
                } else {
                    lastPut.remove(event.key());
                }
            }
            return delivered;
        }

        /** The event equals every other watch's delivery of it, and some write made it. */
        private void checkAgainstHistory(final WatchLog watch, final int index, final WatchEvent lastPut) {
            final WatchEvent event = watch.events().get(index);
            final Delivery first = firstDelivery.putIfAbsent(new RevKey(event.modRevision(), event.key()),
                new Delivery(watch, index));
            if (first != null) {
                if (first.event().sameChange(event)) {
                    return; // explained (or reported) at its first delivery
                }
                violations.add("watches disagree on the change of " + event.key() + " at " + event.modRevision(),
                    List.of(lines.event(first.watch(), first.index()), lines.event(watch, index)));
            }
            final boolean leaseEnded = event.type() == ChangeType.DELETE && leaseEndedBefore(event, lastPut);
            final Provenance.Found found = provenance.explain(event.key(), event.type(), event.value(),
                event.modRevision(), leaseEnded);
            if (!found.possible()) {
                final List<String> slice = new ArrayList<>();
                slice.add(lines.event(watch, index));
                found.writes().forEach(write -> slice.add(lines.write(write)));
                violations.add(watch + " delivered a change no write explains: " + Provenance.why(found), slice);
            }
        }

        /**
         * Whether the key's value before a DELETE was attached to a lease, so that its revoke or
         * expiry may have deleted it: the value the watch saw last if it saw one, else the last
         * acknowledged write before, or any indeterminate put attached to a lease. Every lease of
         * this workload ends (revoked, or left to expire), whether or not its client saw the end:
         * the first hour-long run reported three DELETE events of leases whose client was cut
         * off before it saw them go.
         */
        private boolean leaseEndedBefore(final WatchEvent delete, final WatchEvent lastPut) {
            if (lastPut != null) {
                return leases.leaseOf(lastPut.key(), lastPut.value(), lastPut.modRevision()) != Mutation.NO_LEASE;
            }
            final KvWrite before = writes.lastAcknowledgedAtOrBefore(delete.key(), delete.modRevision() - 1);
            if (before != null && before.mutation().type() == ChangeType.PUT
                && leases.leaseOf(before) != Mutation.NO_LEASE) {
                return true;
            }
            return writes.indeterminate(delete.key()).stream().anyMatch(write -> leases.leaseOf(write) != Mutation.NO_LEASE);
        }

        /**
         * Every change known to have happened to a key in a watch's range, at a revision it
         * covered, was delivered by it; returns how many were owed.
         */
        long checkGaps(final List<WatchLog> watches, final List<Set<RevKey>> delivered) {
            final Set<RevKey> knownSet = new HashSet<>(firstDelivery.keySet());
            for (final KvWrite write : writes.acknowledgedInOrder()) {
                knownSet.add(new RevKey(write.revision(), write.key()));
            }
            final RevKey[] known = knownSet.toArray(RevKey[]::new);
            java.util.Arrays.sort(known);
            long owed = 0;
            for (int w = 0; w < watches.size(); w++) {
                final WatchLog watch = watches.get(w);
                final long last = watch.lastDeliveredRevision();
                for (int i = firstAtOrAfter(known, watch.startRevision()); i < known.length
                    && known[i].revision() <= last; i++) {
                    if (!watch.range().matches(known[i].key())) {
                        continue;
                    }
                    owed++;
                    if (!delivered.get(w).contains(known[i])) {
                        reportGap(watch, known[i]);
                    }
                }
            }
            return owed;
        }

        private void reportGap(final WatchLog watch, final RevKey missed) {
            final List<String> slice = new ArrayList<>();
            final KvWrite write = writes.acknowledgedAt(missed.key(), missed.revision());
            if (write != null) {
                slice.add(lines.write(write));
            } else {
                final Delivery elsewhere = firstDelivery.get(missed);
                slice.add(lines.event(elsewhere.watch(), elsewhere.index()));
            }
            // The watch's deliveries on either side of the hole.
            final int after = firstEventAfter(watch.events(), missed.revision());
            if (after > 0) {
                slice.add(lines.event(watch, after - 1));
            }
            if (after < watch.events().size()) {
                slice.add(lines.event(watch, after));
            }
            violations.add(watch + " skipped the change of " + missed.key() + " at " + missed.revision()
                + ", within the revisions it covered", slice);
        }

        private static int firstAtOrAfter(final RevKey[] sorted, final long revision) {
            int low = 0;
            int high = sorted.length;
            while (low < high) {
                final int middle = (low + high) >>> 1;
                if (sorted[middle].revision() < revision) {
                    low = middle + 1;
                } else {
                    high = middle;
                }
            }
            return low;
        }

        /** The first event past {@code revision}; events are in revision order (else that is reported already). */
        private static int firstEventAfter(final List<WatchEvent> events, final long revision) {
            int low = 0;
            int high = events.size();
            while (low < high) {
                final int middle = (low + high) >>> 1;
                if (events.get(middle).modRevision() <= revision) {
                    low = middle + 1;
                } else {
                    high = middle;
                }
            }
            return low;
        }
    }
}
