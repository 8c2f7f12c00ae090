package io.cairn.engine.mvcc;

import io.cairn.engine.backend.BackendWriter;
import io.cairn.engine.backend.Bucket;
import java.util.List;

/**
 * The writes of one Txn: all take main revision base + 1, numbered by sub revision in the order
 * they happen. Reads inside the Txn see them (they read at base + 1 once something changed).
 */
final class RevisionWriter {
    private final BackendWriter backend;
    private final VersionReader reader;
    private final long baseRevision;
    private long changes;

    RevisionWriter(final BackendWriter backend, final long baseRevision) {
        this.backend = backend;
        this.reader = new VersionReader(backend);
        this.baseRevision = baseRevision;
    }

    VersionReader reader() {
        return reader;
    }

    boolean changed() {
        return changes > 0;
    }

    long readRevision() {
        return changed() ? baseRevision + 1 : baseRevision;
    }

    OpResult.Put put(final PutFields put) {
        final OpResult.Put result = put(backend, reader, baseRevision, readRevision(), changes, put);
        changes++;
        return result;
    }

    /**
     * A put that is a Txn of its own (MvccStore.put): sub revision 0, read at the base revision
     * through the caller's reader, with no RevisionWriter made for it (issue #21).
     */
    static OpResult.Put putAlone(final BackendWriter backend, final VersionReader reader, final long baseRevision,
        final PutFields put) {
        return put(backend, reader, baseRevision, baseRevision, 0, put);
    }

    private static OpResult.Put put(final BackendWriter backend, final VersionReader reader, final long baseRevision,
        final long readRevision, final long sub, final PutFields put) {
        // Only prev_kv and ignore_value need the replaced version whole; the rest is read from its
        // head, in the thread's scratch, without a KeyValue per put (issue #21).
        final StoredVersion.Head head = reader.latestHead(put.key(), readRevision);
        if ((put.ignoreValue() || put.ignoreLease()) && head == null) {
            // Checked before the Txn ran; only an earlier operation of the same Txn could have
            // deleted the key, and etcd's duplicate-key check forbids that.
            throw new IllegalStateException("ignore_value/ignore_lease put of a key deleted in the same txn");
        }
        final long revision = baseRevision + 1;
        final long createRevision = head == null ? revision : head.createRevision;
        final long version = head == null ? 1 : head.version + 1;
        final long previousLease = head == null ? 0 : head.lease;
        final KeyValue previous = head != null && (put.prevKv() || put.ignoreValue())
            ? reader.latestWhole(put.key(), head, true) : null;
        final long lease = put.ignoreLease() ? previousLease : put.lease();
        final byte[] value = put.ignoreValue() ? previous.value() : put.valueArray();
        final int valueOffset = put.ignoreValue() ? 0 : put.valueOffset();
        final int valueLength = put.ignoreValue() ? value.length : put.valueLength();
        // Encoded from its fields into the thread's scratch: no StoredVersion per put (issue #21).
        final StoredVersion.Encoded record = StoredVersion.encodeIntoScratch(createRevision, revision, version, lease,
            false, value, valueOffset, valueLength);
        store(backend, put.key(), revision, sub, record);
        LeaseAttachments.move(backend, put.key(), previousLease, lease);
        return new OpResult.Put(put.prevKv() ? previous : null, revision);
    }

    OpResult.DeleteRange deleteRange(final TxnOp.DeleteRange delete) {
        final List<KeyValue> live = reader.scan(delete.range(), readRevision(), 0).kvs();
        for (final KeyValue kv : live) {
            write(kv.key(), StoredVersion.tombstone(baseRevision + 1));
            LeaseAttachments.move(backend, kv.key(), kv.lease(), 0);
        }
        return new OpResult.DeleteRange(live.size(), delete.prevKv() ? live : List.of(), readRevision());
    }

    private void write(final byte[] userKey, final StoredVersion version) {
        store(backend, userKey, baseRevision + 1, changes++, version);
    }

    /** The records of one version: the version under its key (bucket kv), the key under its revision (rev). */
    static void store(final BackendWriter backend, final byte[] userKey, final long main, final long sub,
        final StoredVersion version) {
        store(backend, userKey, main, sub, version.encodeIntoScratch());
    }

    /** As above, the version already encoded (the backend copies it at once). */
    private static void store(final BackendWriter backend, final byte[] userKey, final long main, final long sub,
        final StoredVersion.Encoded record) {
        // Both keys in scratch arrays: the backend copies keys and values at once.
        final byte[] encodedKey = RevisionKey.encodeIntoScratch(userKey, main, sub);
        assert encodedKey.length <= RevisionKey.ENCODED_BYTES_MAX : "key length is checked before any write";
        backend.put(Bucket.KV, encodedKey, record.bytes, record.length);
        backend.put(Bucket.REV, MvccStore.revisionBytesIntoScratch(main, sub), userKey);
    }
}
