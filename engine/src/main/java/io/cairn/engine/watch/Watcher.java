package io.cairn.engine.watch;

import io.cairn.engine.mvcc.Change;

/** One watcher of a stream: what it watches, how, and how far it has been sent. Watch thread only. */
final class Watcher {
    enum State { SYNCED, UNSYNCED, ENDED }

    final WatchStream stream;
    final long id;
    final WatchRange range;
    final boolean noPut;
    final boolean noDelete;
    final boolean prevKv;
    final boolean fragment;
    final boolean progressNotify;
    State state = State.UNSYNCED;
    /** The first revision not yet queued to the stream (a synced watcher may be ahead of the hub). */
    long nextRevision;
    /** etcd skips a periodic progress notification if events went out since the last one. */
    boolean eventsSinceProgress;

    Watcher(final WatchStream stream, final long id, final WatchRange range, final boolean noPut,
        final boolean noDelete, final boolean prevKv, final boolean fragment, final boolean progressNotify,
        final long nextRevision) {
        this.stream = stream;
        this.id = id;
        this.range = range;
        this.noPut = noPut;
        this.noDelete = noDelete;
        this.prevKv = prevKv;
        this.fragment = fragment;
        this.progressNotify = progressNotify;
        this.nextRevision = nextRevision;
    }

    /** Whether the change is in range and passes the filters (etcd's NOPUT / NODELETE). */
    boolean wants(final Change change) {
        return range.contains(change.kv().key()) && (change.deleted() ? !noDelete : !noPut);
    }
}
