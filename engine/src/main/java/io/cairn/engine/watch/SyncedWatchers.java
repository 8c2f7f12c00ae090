package io.cairn.engine.watch;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The watchers that get each new revision as it is published, indexed by key: single-key watchers
 * by a hash of the key (one lookup per change however many there are), range watchers in a list
 * (etcd uses an interval tree; a list is enough until many range watchers show up in a profile).
 */
final class SyncedWatchers {
    private final Map<ByteBuffer, List<Watcher>> byKey = new HashMap<>();
    private final List<Watcher> ranges = new ArrayList<>();
    private int size;

    void add(final Watcher watcher) {
        if (watcher.range.isSingleKey()) {
            byKey.computeIfAbsent(ByteBuffer.wrap(watcher.range.key()), k -> new ArrayList<>(1)).add(watcher);
        } else {
            ranges.add(watcher);
        }
        size++;
    }

    void remove(final Watcher watcher) {
        if (watcher.range.isSingleKey()) {
            final ByteBuffer key = ByteBuffer.wrap(watcher.range.key());
            final List<Watcher> watchers = byKey.get(key);
            if (watchers != null && watchers.remove(watcher)) {
                size--;
                if (watchers.isEmpty()) {
                    byKey.remove(key);
                }
            }
        } else if (ranges.remove(watcher)) {
            size--;
        }
    }

    void clear() {
        byKey.clear();
        ranges.clear();
        size = 0;
    }

    boolean isEmpty() {
        return size == 0;
    }

    /** Adds to {@code out} every synced watcher whose range holds {@code key}. */
    void collectWatching(final byte[] key, final List<Watcher> out) {
        final List<Watcher> watchers = byKey.get(ByteBuffer.wrap(key));
        if (watchers != null) {
            out.addAll(watchers);
        }
        for (final Watcher watcher : ranges) {
            if (watcher.range.contains(key)) {
                out.add(watcher);
            }
        }
    }

    /** Every synced watcher; a copy, so the caller may remove while walking it. */
    List<Watcher> all() {
        final List<Watcher> all = new ArrayList<>(size);
        byKey.values().forEach(all::addAll);
        all.addAll(ranges);
        return all;
    }
}
