package io.cairn.chaos.check;

/** etcd's two read modes. */
public enum Consistency {
    /** Through the leader's ReadIndex: sees every write acknowledged before it was sent. */
    LINEARIZABLE,
    /** Served from the member's own applied state: may be stale, never invented. */
    SERIALIZABLE
}
