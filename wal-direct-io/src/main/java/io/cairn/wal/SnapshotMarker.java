package io.cairn.wal;

/**
 * Says a snapshot covering the log up to {@code index} (written at {@code term}) is durable elsewhere,
 * so recovery returns only entries after it and segments wholly below it may be released.
 */
public record SnapshotMarker(long term, long index) {
    public static final SnapshotMarker NONE = new SnapshotMarker(0, 0);

    public SnapshotMarker {
        if (term < 0 || index < 0) {
            throw new IllegalArgumentException("snapshot marker fields must be >= 0: " + term + "/" + index);
        }
    }
}
