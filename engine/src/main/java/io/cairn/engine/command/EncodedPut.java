package io.cairn.engine.command;

import io.cairn.engine.mvcc.PutFields;

/**
 * A plain Put read in place from its log entry ({@link CommandCodec#plainPut}): the key is copied
 * out, the value stays in the entry's array. Each thread has one, refilled by its next plainPut
 * call, so it is used within the apply of its entry and never kept. Its caller is not read: the
 * apply thread takes this form only while auth is off.
 */
public final class EncodedPut implements PutFields {
    long requestId;
    byte[] key;
    long lease;
    boolean prevKv;
    boolean ignoreValue;
    boolean ignoreLease;
    byte[] entry;
    int valueOffset;
    int valueLength;

    EncodedPut() {
    }

    public long requestId() {
        return requestId;
    }

    @Override
    public byte[] key() {
        return key;
    }

    @Override
    public long lease() {
        return lease;
    }

    @Override
    public boolean prevKv() {
        return prevKv;
    }

    @Override
    public boolean ignoreValue() {
        return ignoreValue;
    }

    @Override
    public boolean ignoreLease() {
        return ignoreLease;
    }

    @Override
    public byte[] valueArray() {
        return entry;
    }

    @Override
    public int valueOffset() {
        return valueOffset;
    }

    @Override
    public int valueLength() {
        return valueLength;
    }
}
