package io.cairn.engine.mvcc;

import io.cairn.engine.backend.BackendCursor;
import io.cairn.engine.backend.BackendReader;
import io.cairn.engine.backend.Bucket;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** Reads the live key values of the {@code kv} bucket as of a revision. */
final class VersionReader {
    /** Live keys found by a scan: the first {@code max} of them, and how many there were in all. */
    record Scan(List<KeyValue> kvs, long count) {
    }

    private final BackendReader backend;
    /** The cursor {@link #latestHead} left on the version it found, for {@link #latestWhole}. */
    private BackendCursor lastLookup;

    VersionReader(final BackendReader backend) {
        this.backend = backend;
    }

    /** Whether this reader reads {@code other}: a writer's view is kept across batches, and so is its reader. */
    boolean reads(final BackendReader other) {
        return backend == other;
    }

    /** The live version of {@code key} at {@code revision}, or null if absent or deleted then. */
    KeyValue latest(final byte[] key, final long revision) {
        return latest(key, revision, true);
    }

    /**
     * As {@link #latest(byte[], long)}; without {@code withValue} the result's value is empty (a put
     * needs the value of the version it replaces only for prev_kv or ignore_value). One seek, straight
     * to the newest version at or below {@code revision}: the scan's lists, range and key copies
     * were ~400 bytes per put (issue #21).
     */
    KeyValue latest(final byte[] key, final long revision, final boolean withValue) {
        final StoredVersion.Head head = latestHead(key, revision);
        return head == null ? null : latestWhole(key, head, withValue);
    }

    /**
     * The fixed fields of {@code key}'s live version at {@code revision}, or null if absent or
     * deleted then: the thread's scratch, valid until its next lookup ({@link StoredVersion.Head}).
     * The lookup cursor stays on the version for {@link #latestWhole}.
     */
    StoredVersion.Head latestHead(final byte[] key, final long revision) {
        final BackendCursor cursor = backend.lookupCursor(Bucket.KV);
        lastLookup = cursor;
        // Versions sort newest first; sub revision Long.MAX_VALUE sorts before every other of its main.
        final byte[] target = RevisionKey.encodeIntoScratch(key, revision, Long.MAX_VALUE); // used here only
        if (!cursor.seek(target)) {
            return null;
        }
        // Read in place: no copy of the cursor's key, and of its value only what the result keeps.
        final int prefixLength = target.length - RevisionKey.REVISION_BYTES;
        if (cursor.keyLength() != target.length || !cursor.keyStartsWith(target, prefixLength)) {
            return null; // the cursor is on another key: this one has no version at or below the revision
        }
        return StoredVersion.decodeHead(cursor);
    }

    /** The version {@link #latestHead} just found, as a key value (its value only {@code withValue}, else empty). */
    KeyValue latestWhole(final byte[] key, final StoredVersion.Head head, final boolean withValue) {
        return StoredVersion.keyValue(key, head, lastLookup, withValue);
    }

    /**
     * Walks the range in key order with one seek per user key: to its newest version at or below
     * {@code revision}, then past all its versions to the next key. Keeps the first {@code max}
     * live values (all when 0) and counts every live key.
     */
    Scan scan(final KeyRange range, final long revision, final long max) {
        final List<KeyValue> kvs = new ArrayList<>();
        long count = 0;
        final BackendCursor cursor = backend.cursor(Bucket.KV);
        boolean valid = cursor.seek(RevisionKey.userKeyPrefix(range.key()));
        while (valid) {
            byte[] encoded = cursor.key();
            final byte[] userKey = RevisionKey.userKey(encoded);
            if (range.isPastEnd(userKey)) {
                break;
            }
            if (RevisionKey.mainRevision(encoded) > revision) {
                valid = cursor.seek(RevisionKey.encode(userKey, revision, Long.MAX_VALUE));
                if (!valid) {
                    break;
                }
                encoded = cursor.key();
                if (!Arrays.equals(RevisionKey.userKey(encoded), userKey)) {
                    continue; // the key did not exist yet at this revision; the cursor is on the next key
                }
            }
            final StoredVersion version = StoredVersion.decode(cursor.value());
            if (!version.tombstone()) {
                count++;
                if (max == 0 || kvs.size() < max) {
                    kvs.add(version.toKeyValue(userKey));
                }
            }
            // Version (0, 0) never exists and sorts after every other version of this key.
            valid = cursor.seek(RevisionKey.encode(userKey, 0, 0));
        }
        return new Scan(kvs, count);
    }
}
