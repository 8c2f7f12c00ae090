package io.cairn.engine.lease;

/** A granted lease: its id (the client's or the member's choice) and its TTL after etcd's minimum. */
public record GrantedLease(long id, long ttlSeconds) {
}
