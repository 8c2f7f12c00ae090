package io.cairn.wal;

/** How a write is made durable. */
public enum SyncMode {
    /** One {@code pwrite}, then one {@code fdatasync} per write. */
    FDATASYNC,
    /** The file is opened with {@code O_DSYNC}: every {@code pwrite} returns only once durable. */
    O_DSYNC
}
