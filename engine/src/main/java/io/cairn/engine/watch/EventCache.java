package io.cairn.engine.watch;

import io.cairn.engine.mvcc.Change;
import io.cairn.engine.mvcc.History;
import io.cairn.etcd.api.mvccpb.Event;
import java.util.List;

/** Each change's event built once per batch, with and without prev_kv, however many watchers get it. */
final class EventCache {
    private final List<Change> changes;
    private final History history;
    private final Event[] plain;
    private final Event[] withPrevious;

    EventCache(final List<Change> changes, final History history) {
        this.changes = changes;
        this.history = history;
        this.plain = new Event[changes.size()];
        this.withPrevious = new Event[changes.size()];
    }

    Event get(final int index, final boolean previous) {
        final Event[] cache = previous ? withPrevious : plain;
        if (cache[index] == null) {
            final Change change = changes.get(index);
            cache[index] = WatchResponses.event(change,
                previous ? history.previous(change.kv().key(), change.revision()) : null);
        }
        return cache[index];
    }
}
