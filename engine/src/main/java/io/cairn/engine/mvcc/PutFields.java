package io.cairn.engine.mvcc;

/**
 * What a put writes: a decoded {@link TxnOp.Put}, or a plain Put read in place from its log entry
 * by the apply thread, whose value stays in the entry's array ({@code valueArray} from
 * {@code valueOffset}, {@code valueLength} bytes). The in-place form copies no value and makes no
 * request objects per put (issue #21); {@link MvccStore#put} treats both alike.
 */
public interface PutFields {
    byte[] key();

    long lease();

    boolean prevKv();

    boolean ignoreValue();

    boolean ignoreLease();

    /** The array holding the value; read only {@link #valueLength} bytes from {@link #valueOffset}. */
    byte[] valueArray();

    int valueOffset();

    int valueLength();
}
