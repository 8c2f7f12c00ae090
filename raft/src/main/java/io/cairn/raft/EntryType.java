package io.cairn.raft;

/** What a log entry carries. */
public enum EntryType {
    /** Opaque application bytes (empty for the no-op a new leader appends). */
    NORMAL,
    /** A {@link ConfChange} encoded by {@link ConfChange#encode()}. */
    CONF_CHANGE
}
