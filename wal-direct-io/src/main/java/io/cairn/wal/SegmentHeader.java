package io.cairn.wal;

/**
 * The first record of every segment: which log it belongs to (a random id fixed at creation), its
 * place in the sequence, the first entry index it was opened for, the snapshot marker and hard state
 * in force when it was opened (so releasing older segments never loses them), and the directory the
 * log was written in (so a moved or renamed directory is noticed).
 */
record SegmentHeader(long walId, long sequence, long firstIndex, SnapshotMarker snapshot, HardState hardState,
                     String directory) {
}
