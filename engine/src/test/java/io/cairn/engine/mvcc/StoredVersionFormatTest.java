package io.cairn.engine.mvcc;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cairn.engine.backend.BackendCursor;
import io.cairn.engine.backend.Bucket;
import io.cairn.engine.backend.InMemoryBackend;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The two record formats of the {@code kv} bucket: the compact one written now and the SBE one of
 * older stores. Both decode to the same fields, a store holding both answers as if it held either,
 * and {@link KvHash} does not depend on the format.
 */
class StoredVersionFormatTest {
    private static final long SEED = Long.getLong("cairn.test.seed", System.nanoTime());
    private static final long[] EDGES = {0, 1, 127, 128, 16_383, 16_384, Integer.MAX_VALUE, Long.MAX_VALUE - 1,
        Long.MAX_VALUE};

    @Test
    void aTypicalPutsRecordAddsSixBytesToItsValue() {
        final byte[] value = new byte[256];
        final StoredVersion.Encoded record = StoredVersion.encodeIntoScratch(1_000, 1_000_000, 3, 0, false,
            value, 0, value.length);
        // Tag, the mod revision (3 bytes below 2^21), mod - create (3), the version (1).
        assertEquals(value.length + 8, record.length);
        assertTrue(StoredVersion.encodeIntoScratch(5_000, 5_000, 1, 0, false, value, 0, value.length).length
            <= value.length + 6);
        assertEquals(StoredVersion.OVERHEAD_BYTES + value.length, new StoredVersion(1_000, 1_000_000, 3, 0, false,
            value).encodeSbe().length, "the SBE form adds 45");
    }

    @Test
    void everyVersionReadsBackTheSameFromEitherFormat() {
        System.out.println("StoredVersionFormatTest seed " + SEED + " (replay with -Dcairn.test.seed=" + SEED + ")");
        final Random random = new Random(SEED);
        final List<StoredVersion> versions = new ArrayList<>();
        for (final long a : EDGES) {
            for (final long b : EDGES) {
                versions.add(new StoredVersion(Math.min(a, b), Math.max(a, b), a, b, false, new byte[] {1, 2}));
                versions.add(new StoredVersion(a, b, b, -a, false, new byte[0])); // create above mod: SBE
            }
            versions.add(StoredVersion.tombstone(a));
            versions.add(new StoredVersion(a, a, 1, Long.MIN_VALUE, true, new byte[0])); // a tombstone with fields
        }
        for (int i = 0; i < 5_000; i++) {
            final long mod = random.nextLong(1L << random.nextInt(1, 63));
            final long create = random.nextBoolean() ? mod : random.nextLong(mod + 1);
            final byte[] value = new byte[random.nextInt(random.nextBoolean() ? 8 : 5_000)];
            random.nextBytes(value);
            final long lease = random.nextInt(3) == 0 ? 0 : random.nextLong();
            versions.add(new StoredVersion(create, mod, random.nextLong(1L << random.nextInt(1, 63)), lease,
                random.nextInt(10) == 0, value));
        }
        for (final StoredVersion version : versions) {
            final byte[] compact = version.encode();
            final byte[] sbe = version.encodeSbe();
            for (final byte[] record : List.of(compact, sbe)) {
                assertSameVersion(version, StoredVersion.decode(record));
                final StoredVersion.Head head = StoredVersion.decodeHead(new OneRecord(record));
                if (version.tombstone()) {
                    assertNull(head, version::toString);
                    continue;
                }
                assertEquals(version.createRevision(), head.createRevision, version::toString);
                assertEquals(version.modRevision(), head.modRevision, version::toString);
                assertEquals(version.version(), head.version, version::toString);
                assertEquals(version.lease(), head.lease, version::toString);
                assertArrayEquals(version.value(), Arrays.copyOfRange(record, head.valueAt,
                    head.valueAt + head.valueLength), version::toString);
            }
            assertArrayEquals(sbe, StoredVersion.sbeForm(compact), version::toString);
            assertArrayEquals(sbe, StoredVersion.sbeForm(sbe), version::toString);
            assertTrue(compact.length <= sbe.length, version::toString);
        }
    }

    @Test
    void aDamagedCompactRecordIsRefusedNotMisread() {
        final byte[] record = new StoredVersion(5, 300, 2, 7, false, new byte[] {9}).encode();
        final byte[] unknownFlag = record.clone();
        unknownFlag[0] |= 0x10;
        assertThrows(IllegalStateException.class, () -> StoredVersion.decode(unknownFlag));
        final byte[] cutInVarint = {(byte)StoredVersion.COMPACT_TAG, (byte)0x80};
        assertThrows(IllegalStateException.class, () -> StoredVersion.decode(cutInVarint));
        final byte[] endlessVarint = new byte[16];
        Arrays.fill(endlessVarint, (byte)0xFF);
        endlessVarint[0] = (byte)StoredVersion.COMPACT_TAG;
        assertThrows(IllegalStateException.class, () -> StoredVersion.decode(endlessVarint));
        final byte[] cutInLease = Arrays.copyOf(record, 6);
        assertThrows(IllegalStateException.class, () -> StoredVersion.decode(cutInLease));
    }

    /**
     * An older store (SBE records) that a new member goes on writing (compact ones) answers every
     * range, history read and hash as a store written in one format does, before and after
     * compaction.
     */
    @Test
    void aStoreOfBothFormatsAnswersAsOneFormat() {
        System.out.println("StoredVersionFormatTest seed " + SEED + " (replay with -Dcairn.test.seed=" + SEED + ")");
        final Random random = new Random(SEED);
        final InMemoryBackend compact = new InMemoryBackend();
        final MvccStore compactStore = MvccStore.open(compact, LeaseLookup.NONE);
        final List<Runnable> history = new ArrayList<>();
        for (int i = 0; i < 400; i++) {
            history.add(randomWrite(random, compactStore, compact));
        }
        history.forEach(Runnable::run);

        final InMemoryBackend mixed = copyAsSbe(compact);
        assertEquals(compact.size(Bucket.KV), mixed.size(Bucket.KV));
        assertTrue(compact.sizeBytes() < mixed.sizeBytes(), "the SBE copy is the larger");
        final MvccStore mixedStore = MvccStore.open(mixed, LeaseLookup.NONE);
        assertSameAnswers(compact, compactStore, mixed, mixedStore);

        // The upgraded member goes on writing, in the compact format, and both compact.
        final Random more = new Random(SEED + 1);
        final Random same = new Random(SEED + 1);
        for (int i = 0; i < 200; i++) {
            randomWrite(more, compactStore, compact).run();
            randomWrite(same, mixedStore, mixed).run();
        }
        assertSameAnswers(compact, compactStore, mixed, mixedStore);
        final long compactAt = compactStore.currentRevision() - 50;
        for (final var pair : List.of(List.of(compact, compactStore), List.of(mixed, mixedStore))) {
            final InMemoryBackend backend = (InMemoryBackend)pair.get(0);
            final MvccStore store = (MvccStore)pair.get(1);
            store.compact(backend, compactAt);
            while (store.compactStep(backend, 7)) {
                // slices until done
            }
        }
        assertEquals(compact.size(Bucket.KV), mixed.size(Bucket.KV));
        assertSameAnswers(compact, compactStore, mixed, mixedStore);
    }

    private static Runnable randomWrite(final Random random, final MvccStore store, final InMemoryBackend backend) {
        final byte[] key = {'k', (byte)('a' + random.nextInt(20))};
        final int kind = random.nextInt(10);
        if (kind == 0) {
            return () -> store.deleteRange(backend, new TxnOp.DeleteRange(KeyRange.of(key, new byte[0]), false));
        }
        final byte[] value = new byte[random.nextInt(40)];
        random.nextBytes(value);
        return () -> store.put(backend, new TxnOp.Put(key, value, 0, false, false, false));
    }

    private static InMemoryBackend copyAsSbe(final InMemoryBackend from) {
        final InMemoryBackend to = new InMemoryBackend();
        for (final Bucket bucket : Bucket.values()) {
            final BackendCursor cursor = from.cursor(bucket);
            for (boolean ok = cursor.seek(new byte[0]); ok; ok = cursor.next()) {
                final byte[] value = cursor.value();
                if (bucket == Bucket.KV) {
                    assertTrue((value[0] & StoredVersion.COMPACT_TAG) != 0, "written compact");
                    to.put(bucket, cursor.key(), StoredVersion.decode(value).encodeSbe());
                } else {
                    to.put(bucket, cursor.key(), value);
                }
            }
        }
        return to;
    }

    private static void assertSameAnswers(final InMemoryBackend a, final MvccStore aStore, final InMemoryBackend b,
        final MvccStore bStore) {
        assertEquals(aStore.currentRevision(), bStore.currentRevision());
        final KeyRange all = KeyRange.of(new byte[] {0}, new byte[] {0});
        for (long revision = Math.max(1, aStore.compactRevision()); revision <= aStore.currentRevision(); revision++) {
            final RangeQuery query = new RangeQuery(all, 0, revision, RangeQuery.SortOrder.NONE,
                RangeQuery.SortTarget.KEY, false, false, 0, 0, 0, 0);
            assertEquals(aStore.range(a, query), bStore.range(b, query), "range at " + revision);
            assertEquals(KvHash.of(a, revision), KvHash.of(b, revision), "hash at " + revision);
        }
        final long from = aStore.compactRevision() + 1;
        assertEquals(new History(a).read(from, Integer.MAX_VALUE, Long.MAX_VALUE),
            new History(b).read(from, Integer.MAX_VALUE, Long.MAX_VALUE));
        assertFalse(new History(a).read(from, Integer.MAX_VALUE, Long.MAX_VALUE).changes().isEmpty());
    }

    private static void assertSameVersion(final StoredVersion expected, final StoredVersion actual) {
        assertEquals(expected.createRevision(), actual.createRevision(), expected::toString);
        assertEquals(expected.modRevision(), actual.modRevision(), expected::toString);
        assertEquals(expected.version(), actual.version(), expected::toString);
        assertEquals(expected.lease(), actual.lease(), expected::toString);
        assertEquals(expected.tombstone(), actual.tombstone(), expected::toString);
        assertArrayEquals(expected.value(), actual.value(), expected::toString);
    }

    /** A cursor standing on one record, as the tree's cursor stands on a version. */
    private record OneRecord(byte[] record) implements BackendCursor {
        @Override
        public boolean seek(final byte[] key) {
            return true;
        }

        @Override
        public boolean next() {
            return false;
        }

        @Override
        public byte[] key() {
            return new byte[0];
        }

        @Override
        public byte[] value() {
            return record;
        }
    }
}
