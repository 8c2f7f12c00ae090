package io.cairn.btree;

/** A read-only snapshot; any number may be open at once, on any threads (one thread each). */
public final class ReadTxn extends Txn {
    private final int readerSlot;

    ReadTxn(Env env, Meta meta, int readerSlot) {
        super(env, meta);
        this.readerSlot = readerSlot;
    }

    /** Ends the snapshot: its segments become inaccessible and its pages may be reused. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        closeArena();
        env.readerTable().release(readerSlot);
        env.releaseRetiredIfUnread();
    }
}
