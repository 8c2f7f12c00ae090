package io.cairn.engine.migrate.bolt;

import java.lang.foreign.MemorySegment;

/**
 * The start of a bucket's value (bbolt's on-file bucket): where its tree starts. A small bucket is
 * stored inline: root page id 0, and its single leaf page follows the header inside the value.
 *
 * <pre>
 * 0 u64 root page id (0: inline)   8 u64 sequence (NextSequence's counter)   16 inline page, if any
 * </pre>
 */
record BoltBucketHeader(long rootPageId, long sequence) {
    static final int BYTES = 16;
    private static final int OFF_ROOT = 0;
    private static final int OFF_SEQUENCE = 8;

    static BoltBucketHeader read(final MemorySegment bytes) {
        return new BoltBucketHeader(bytes.get(BoltPage.U64, OFF_ROOT), bytes.get(BoltPage.U64, OFF_SEQUENCE));
    }

    boolean inline() {
        return rootPageId == 0;
    }
}
