package io.cairn.chaos.check;

/** What a write or a watch event did to its key: etcd's two event types. */
public enum ChangeType {
    PUT,
    DELETE
}
