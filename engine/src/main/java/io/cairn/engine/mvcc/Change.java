package io.cairn.engine.mvcc;

/**
 * One change in the history, as a watch event reports it: a put (the version written) or a delete
 * (key and mod revision only, the rest zero, as etcd's delete events carry).
 */
public record Change(boolean deleted, KeyValue kv) {
    public long revision() {
        return kv.modRevision();
    }
}
