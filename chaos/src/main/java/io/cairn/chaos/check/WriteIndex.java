package io.cairn.chaos.check;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The writes of a run, indexed for the checks' lookups: the acknowledged ones by revision and by
 * key in revision order, the indeterminate and failed ones by what they wrote. Built once in
 * O(n log n); each lookup is O(1) or O(log n).
 */
final class WriteIndex {
    /** A (key, value) pair: what names a put whose revision is unknown. */
    record KeyValue(String key, String value) {
    }

    private final Map<RevKey, KvWrite> acknowledged = new HashMap<>();
    private final Map<Long, List<KvWrite>> acknowledgedByRevision = new HashMap<>();
    private final Map<String, List<KvWrite>> acknowledgedByKey = new HashMap<>();
    private final List<KvWrite> acknowledgedInOrder = new ArrayList<>();
    private final Map<KeyValue, List<KvWrite>> indeterminatePuts = new HashMap<>();
    private final Map<String, List<KvWrite>> indeterminateByKey = new HashMap<>();
    private final Map<KeyValue, List<KvWrite>> failedPuts = new HashMap<>();
    /** Pairs of acknowledged writes that claim the same key at the same revision. */
    private final List<KvWrite[]> conflicts = new ArrayList<>();
    private long maxRevision;

    WriteIndex(final List<KvWrite> writes) {
        for (final KvWrite write : writes) {
            switch (write.outcome()) {
                case ACKNOWLEDGED -> {
                    if (write.committedAtRevision()) {
                        addAcknowledged(write);
                    }
                }
                case INDETERMINATE -> {
                    indeterminateByKey.computeIfAbsent(write.key(), key -> new ArrayList<>()).add(write);
                    if (write.mutation().type() == ChangeType.PUT) {
                        indeterminatePuts.computeIfAbsent(keyValue(write), key -> new ArrayList<>()).add(write);
                    }
                }
                case FAILED -> {
                    if (write.mutation().type() == ChangeType.PUT) {
                        failedPuts.computeIfAbsent(keyValue(write), key -> new ArrayList<>()).add(write);
                    }
                }
            }
        }
        final Comparator<KvWrite> byRevisionThenKey = Comparator.comparingLong(KvWrite::revision)
            .thenComparing(KvWrite::key);
        acknowledgedInOrder.sort(byRevisionThenKey);
        acknowledgedByKey.values().forEach(list -> list.sort(byRevisionThenKey));
    }

    private void addAcknowledged(final KvWrite write) {
        final KvWrite earlier = acknowledged.putIfAbsent(new RevKey(write.revision(), write.key()), write);
        if (earlier != null) {
            conflicts.add(new KvWrite[] {earlier, write});
            return;
        }
        acknowledgedByRevision.computeIfAbsent(write.revision(), revision -> new ArrayList<>(1)).add(write);
        acknowledgedByKey.computeIfAbsent(write.key(), key -> new ArrayList<>()).add(write);
        acknowledgedInOrder.add(write);
        maxRevision = Math.max(maxRevision, write.revision());
    }

    private static KeyValue keyValue(final KvWrite write) {
        return new KeyValue(write.key(), write.mutation().value());
    }

    /** The acknowledged write to {@code key} at {@code revision}, or null. */
    KvWrite acknowledgedAt(final String key, final long revision) {
        return acknowledged.get(new RevKey(revision, key));
    }

    /** The acknowledged writes at {@code revision} (one request's, on one key or several). */
    List<KvWrite> acknowledgedAt(final long revision) {
        return acknowledgedByRevision.getOrDefault(revision, List.of());
    }

    /** Every acknowledged write that created a revision, by revision then key. */
    List<KvWrite> acknowledgedInOrder() {
        return acknowledgedInOrder;
    }

    /** The acknowledged write to {@code key} with the highest revision, or null. */
    KvWrite lastAcknowledged(final String key) {
        final List<KvWrite> writes = acknowledgedByKey.get(key);
        return writes == null ? null : writes.getLast();
    }

    /** The acknowledged write to {@code key} with the highest revision {@code <= revision}, or null. */
    KvWrite lastAcknowledgedAtOrBefore(final String key, final long revision) {
        final List<KvWrite> writes = acknowledgedByKey.get(key);
        if (writes == null) {
            return null;
        }
        final int index = firstAbove(writes, revision) - 1;
        return index < 0 ? null : writes.get(index);
    }

    /** The first acknowledged write to {@code key} with revision in {@code (after, atMost]}, or null. */
    KvWrite firstAcknowledgedBetween(final String key, final long after, final long atMost) {
        final List<KvWrite> writes = acknowledgedByKey.get(key);
        if (writes == null) {
            return null;
        }
        final int index = firstAbove(writes, after);
        return index < writes.size() && writes.get(index).revision() <= atMost ? writes.get(index) : null;
    }

    /** The index of the first write with revision {@code > revision} in a list sorted by revision. */
    private static int firstAbove(final List<KvWrite> sorted, final long revision) {
        int low = 0;
        int high = sorted.size();
        while (low < high) {
            final int middle = (low + high) >>> 1;
            if (sorted.get(middle).revision() <= revision) {
                low = middle + 1;
            } else {
                high = middle;
            }
        }
        return low;
    }

    List<KvWrite> indeterminatePuts(final String key, final String value) {
        return indeterminatePuts.getOrDefault(new KeyValue(key, value), List.of());
    }

    /** The indeterminate writes to {@code key}, puts and deletes. */
    List<KvWrite> indeterminate(final String key) {
        return indeterminateByKey.getOrDefault(key, List.of());
    }

    List<KvWrite> indeterminateDeletes(final String key) {
        return indeterminate(key).stream().filter(write -> write.mutation().type() == ChangeType.DELETE).toList();
    }

    List<KvWrite> failedPuts(final String key, final String value) {
        return failedPuts.getOrDefault(new KeyValue(key, value), List.of());
    }

    List<KvWrite[]> conflicts() {
        return conflicts;
    }

    /** Every key some write (of any outcome but failed) touched. */
    Set<String> keys() {
        final Set<String> keys = new java.util.HashSet<>(acknowledgedByKey.keySet());
        keys.addAll(indeterminateByKey.keySet());
        return keys;
    }

    long maxAcknowledgedRevision() {
        return maxRevision;
    }
}
