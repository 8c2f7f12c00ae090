package io.cairn.engine.watch;

import io.cairn.engine.mvcc.Change;
import io.cairn.engine.mvcc.History;
import java.util.List;

/** Each change's event encoded once per batch, with and without prev_kv, however many watchers get it. */
final class EventCache {
    private final List<Change> changes;
    private final History history;
    private final WatchEncoding encoding;
    private final EncodedEvent[] plain;
    private final EncodedEvent[] withPrevious;

    EventCache(final List<Change> changes, final History history, final WatchEncoding encoding) {
        this.changes = changes;
        this.history = history;
        this.encoding = encoding;
        this.plain = new EncodedEvent[changes.size()];
        this.withPrevious = new EncodedEvent[changes.size()];
    }

    EncodedEvent get(final int index, final boolean previous) {
        final EncodedEvent[] cache = previous ? withPrevious : plain;
        if (cache[index] == null) {
            final Change change = changes.get(index);
            cache[index] = encoding.event(change,
                previous ? history.previous(change.kv().key(), change.revision()) : null);
        }
        return cache[index];
    }
}
