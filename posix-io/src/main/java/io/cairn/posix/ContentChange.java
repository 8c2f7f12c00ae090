package io.cairn.posix;

/**
 * One change to a file's bytes or size that no sync has covered yet, with what undoing it takes: the
 * bytes its range held before (read before the call) and the size it set. Guarded by its
 * {@link TrackedFile}.
 */
final class ContentChange {
    static final int SECTOR_BYTES = 512;

    enum Kind {
        /** pwrite, pwritev: new bytes; extends the file to the range's end. */
        WRITE,
        /** punched hole: zeros, size unchanged. */
        PUNCH_HOLE,
        /** fallocate that extended the file: zeros up to {@link #sizeTargetBytes}. */
        ALLOCATE,
        /** ftruncate: size set to {@link #sizeTargetBytes}; a shrink loses the range [target, old size). */
        TRUNCATE
    }

    final long sequence;
    final Kind kind;
    final String call;
    /** The byte range whose content changed ({@code lengthBytes} 0 for a pure size change). */
    final long offset;
    final long lengthBytes;
    /** What the range held before; null when it was all zeros (or beyond the end, which reads as zeros). */
    private byte[] before;
    /** WRITE: the range's end; ALLOCATE: the size it grew to; TRUNCATE: the size it set. */
    final long sizeTargetBytes;
    /** The file's size once the call returned: what a sync covering it makes durable. */
    final long sizeAfterCallBytes;
    /** Never undone: an O_DSYNC write that returned, or a change synced while an older orphan waits. */
    private boolean durable;
    /** A failed sync covered it: the kernel may have dropped it, and later syncs do not make it durable. */
    private boolean orphaned;

    ContentChange(long sequence, Kind kind, String call, long offset, long lengthBytes, byte[] before,
                  long sizeTargetBytes, long sizeAfterCallBytes) {
        this.sequence = sequence;
        this.kind = kind;
        this.call = call;
        this.offset = offset;
        this.lengthBytes = lengthBytes;
        this.before = before;
        this.sizeTargetBytes = sizeTargetBytes;
        this.sizeAfterCallBytes = sizeAfterCallBytes;
    }

    long end() {
        return offset + lengthBytes;
    }

    boolean tearable() {
        return kind == Kind.WRITE || kind == Kind.PUNCH_HOLE;
    }

    boolean durable() {
        return durable;
    }

    void markDurable() {
        durable = true;
        before = null; // never restored
    }

    boolean orphaned() {
        return orphaned;
    }

    void markOrphaned() {
        orphaned = true;
    }

    byte[] beforeBytes() {
        return before;
    }

    /**
     * The file's size after this change, given the size before it and what the power cut kept of it:
     * {@code keptEndBytes} is the end of the highest kept sector of a torn write (-1 if none).
     */
    long sizeAfter(long sizeBytes, RevertChoices.Fate fate, long keptEndBytes) {
        if (fate == RevertChoices.Fate.DROP) {
            return sizeBytes;
        }
        return switch (kind) {
            case WRITE -> Math.max(sizeBytes, fate == RevertChoices.Fate.KEEP ? sizeTargetBytes : keptEndBytes);
            case PUNCH_HOLE -> sizeBytes;
            case ALLOCATE -> Math.max(sizeBytes, sizeTargetBytes);
            case TRUNCATE -> sizeTargetBytes;
        };
    }

    String describe() {
        return switch (kind) {
            case WRITE, PUNCH_HOLE -> call + " of " + lengthBytes + " bytes at " + offset;
            case ALLOCATE -> call + " growing it to " + sizeTargetBytes + " bytes";
            case TRUNCATE -> call + " to " + sizeTargetBytes + " bytes";
        };
    }
}
