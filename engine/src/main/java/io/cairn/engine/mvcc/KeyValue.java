package io.cairn.engine.mvcc;

import java.util.Arrays;

/** One live version of a key as etcd's API returns it (mvccpb.KeyValue). */
public record KeyValue(byte[] key, long createRevision, long modRevision, long version, long lease, byte[] value) {
    public KeyValue withoutValue() {
        return new KeyValue(key, createRevision, modRevision, version, lease, new byte[0]);
    }

    @Override
    public boolean equals(final Object other) {
        return other instanceof KeyValue kv && Arrays.equals(key, kv.key) && createRevision == kv.createRevision
            && modRevision == kv.modRevision && version == kv.version && lease == kv.lease
            && Arrays.equals(value, kv.value);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(key) * 31 + Long.hashCode(modRevision);
    }

    @Override
    public String toString() {
        return "KeyValue[" + new String(key, java.nio.charset.StandardCharsets.UTF_8) + " create=" + createRevision
            + " mod=" + modRevision + " version=" + version + " lease=" + lease + " value="
            + new String(value, java.nio.charset.StandardCharsets.UTF_8) + "]";
    }
}
