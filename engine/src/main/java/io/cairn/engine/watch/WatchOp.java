package io.cairn.engine.watch;

/** One request on a watch stream, as the server hands it to the hub (etcd's WatchRequest). */
public sealed interface WatchOp {
    /**
     * etcd's WatchCreateRequest; the key and range end as sent (the hub applies etcd's range rules).
     *
     * @param startRevision 0: from the next revision on
     * @param watchId       0: the hub picks one
     */
    record Create(byte[] key, byte[] rangeEnd, long startRevision, long watchId, boolean noPut, boolean noDelete,
        boolean prevKv, boolean fragment, boolean progressNotify) implements WatchOp {
    }

    /** etcd's WatchCancelRequest. */
    record Cancel(long watchId) implements WatchOp {
    }

    /** etcd's WatchProgressRequest: one answer for the whole stream. */
    record Progress() implements WatchOp {
    }

    /**
     * A create the server refused before the hub saw it (etcd's auth check at watch create): answered
     * in the stream's order with watch id -1, created and canceled, and {@code reason}.
     */
    record Refuse(String reason) implements WatchOp {
    }

    /** A request of a kind the hub does not know; etcd ignores it rather than end the stream. */
    record Unknown() implements WatchOp {
    }
}
