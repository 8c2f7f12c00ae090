package io.cairn.btree;

import java.io.IOException;

/**
 * The copy side of {@link Env#defragment}: a scratch environment filled from a snapshot of the
 * source, then brought up to date round by round while the source takes writes. Each round holds
 * two snapshots of the source open (the one the copy matches, and a newer one) and writes their
 * {@link TreeDiff difference}; rounds go on while they keep shrinking, up to {@link #ROUNDS_MAX}.
 */
final class Defragmenter implements AutoCloseable {
    /** A round that changed fewer keys than this leaves so little that the last one, under the writer lock, is short. */
    static final long SMALL_ROUND_WRITES = 2 * BatchedWriter.WRITES_PER_TXN;
    static final int ROUNDS_MAX = 8;

    private final Env source;
    private final Env copy;
    private final BatchedWriter writer;
    /** The source snapshot the copy holds, kept open so its pages stay put. */
    private ReadTxn matched;
    private int rounds;

    Defragmenter(Env source, Env copy) {
        this.source = source;
        this.copy = copy;
        this.writer = new BatchedWriter(copy);
    }

    /** Copies a snapshot, then catches up while rounds shrink; ends with the copy synced (the bulk of the I/O). */
    void copyAndCatchUp() throws IOException {
        matched = source.beginRead();
        writer.copyAll(matched);
        writer.commit();
        long previous = Long.MAX_VALUE;
        while (rounds < ROUNDS_MAX) {
            long changed = catchUp();
            if (changed < SMALL_ROUND_WRITES || changed >= previous) {
                break;
            }
            previous = changed;
        }
        copy.sync();
    }

    /** One round: brings the copy to the source's newest snapshot; returns the changes written. */
    private long catchUp() throws IOException {
        long before = writer.writes();
        ReadTxn newer = source.beginRead();
        try {
            TreeDiff.apply(matched, newer, writer);
            writer.commit();
        } catch (IOException | RuntimeException e) {
            newer.close();
            throw e;
        }
        matched.close();
        matched = newer;
        rounds++;
        return writer.writes() - before;
    }

    /**
     * The last round, with the source's writer lock held (nothing commits meanwhile), then the copy's
     * txids moved past {@code sourceTxid} and the copy synced and closed: ready to be renamed in.
     */
    void finish(long sourceTxid) throws IOException {
        catchUp();
        matched.close();
        matched = null;
        copy.continueTxidsAfter(sourceTxid);
        copy.sync();
        copy.close();
    }

    int rounds() {
        return rounds;
    }

    /** Ends what is still open (after a failure): the snapshot held and the copy. */
    @Override
    public void close() throws IOException {
        writer.close();
        if (matched != null) {
            matched.close();
            matched = null;
        }
        copy.close();
    }
}
