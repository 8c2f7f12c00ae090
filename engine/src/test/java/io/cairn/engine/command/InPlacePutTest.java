package io.cairn.engine.command;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.cairn.engine.api.EtcdException;
import io.cairn.engine.auth.AuthInfo;
import io.cairn.engine.backend.BackendCursor;
import io.cairn.engine.backend.Bucket;
import io.cairn.engine.backend.InMemoryBackend;
import io.cairn.engine.mvcc.KeyRange;
import io.cairn.engine.mvcc.KeyValue;
import io.cairn.engine.mvcc.LeaseLookup;
import io.cairn.engine.mvcc.MvccStore;
import io.cairn.engine.mvcc.OpResult;
import io.cairn.engine.mvcc.PutFields;
import io.cairn.engine.mvcc.TxnOp;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/**
 * A plain Put applied in place from its entry ({@link CommandCodec#plainPut}) does exactly what the
 * same entry decoded whole does: the same answer or refusal, the same records in every bucket.
 * Random puts (every flag, leases that exist or not, empty and large values, keys too long for the
 * backend) and deletes go to two stores, one per form. Replay with -Dcairn.inplace.seed.
 */
class InPlacePutTest {
    private static final long LEASE_GRANTED = 7;
    private static final long LEASE_UNKNOWN = 9;
    private static final LeaseLookup LEASES = id -> id == LEASE_GRANTED;

    @Test
    void inPlaceAndDecodedPutsWriteAndAnswerTheSame() {
        final long seed = Long.getLong("cairn.inplace.seed", System.nanoTime());
        System.out.println("InPlacePutTest seed " + seed + " (replay with -Dcairn.inplace.seed=" + seed + ")");
        final SplittableRandom random = new SplittableRandom(seed);
        final InMemoryBackend decodedBackend = new InMemoryBackend();
        final InMemoryBackend inPlaceBackend = new InMemoryBackend();
        final MvccStore decodedStore = MvccStore.open(decodedBackend, LEASES);
        final MvccStore inPlaceStore = MvccStore.open(inPlaceBackend, LEASES);
        for (int i = 0; i < 3_000; i++) {
            final byte[] key = key(random);
            if (random.nextInt(8) == 0) {
                final TxnOp.DeleteRange delete = new TxnOp.DeleteRange(KeyRange.of(key, new byte[0]), false);
                decodedStore.deleteRange(decodedBackend, delete);
                inPlaceStore.deleteRange(inPlaceBackend, delete);
                continue;
            }
            final long requestId = random.nextLong();
            final TxnOp.Put put = new TxnOp.Put(key, bytes(random, random.nextInt(8) == 0 ? 5_000 : 40),
                switch (random.nextInt(4)) {
                    case 0 -> LEASE_GRANTED;
                    case 1 -> LEASE_UNKNOWN;
                    default -> 0;
                }, random.nextBoolean(), random.nextInt(4) == 0, random.nextInt(4) == 0);
            final byte[] entry = CommandCodec.encode(new Command.Write(requestId, put, AuthInfo.NONE));
            final TxnOp.Put decoded = (TxnOp.Put)((Command.Write)CommandCodec.decode(entry)).op();
            final EncodedPut inPlace = CommandCodec.plainPut(entry);
            assertEquals(requestId, inPlace.requestId(), "seed " + seed + " put " + i);
            assertEquals(describe(decoded), describe(inPlace), "seed " + seed + " put " + i);
            assertEquals(outcome(() -> decodedStore.put(decodedBackend, decoded)),
                outcome(() -> inPlaceStore.put(inPlaceBackend, inPlace)), "seed " + seed + " put " + i);
        }
        assertEquals(contents(decodedBackend), contents(inPlaceBackend), "seed " + seed);
        assertEquals(decodedStore.currentRevision(), inPlaceStore.currentRevision(), "seed " + seed);
    }

    /**
     * The in-place key is the apply thread's array, reused by its next put, except with prev_kv:
     * that answer keeps the put's key, and the caller may read it after later puts were applied.
     */
    @Test
    void aPrevKvAnswerKeepsItsKeyAcrossLaterPuts() {
        final InMemoryBackend backend = new InMemoryBackend();
        final MvccStore store = MvccStore.open(backend, LEASES);
        final byte[] first = {'k', 'a'};
        final byte[] second = {'k', 'b'};
        for (final byte[] key : List.of(first, second)) {
            store.put(backend, CommandCodec.plainPut(CommandCodec.encode(new Command.Write(1,
                new TxnOp.Put(key, new byte[] {'1'}, 0, false, false, false), AuthInfo.NONE))));
        }
        final OpResult.Put answer = store.put(backend, CommandCodec.plainPut(CommandCodec.encode(new Command.Write(2,
            new TxnOp.Put(first, new byte[] {'2'}, 0, true, false, false), AuthInfo.NONE))));
        store.put(backend, CommandCodec.plainPut(CommandCodec.encode(new Command.Write(3,
            new TxnOp.Put(second, new byte[] {'3'}, 0, false, false, false), AuthInfo.NONE))));
        assertEquals(describe(new KeyValue(first, 2, 2, 1, 0, new byte[] {'1'})), describe(answer.prevKv()));
    }

    @Test
    void onlyAPlainPutIsReadInPlace() {
        final byte[] key = {'k'};
        assertNull(CommandCodec.plainPut(CommandCodec.encode(
            new Command.Write(1, new TxnOp.DeleteRange(KeyRange.of(key, new byte[0]), false)))));
        assertNull(CommandCodec.plainPut(CommandCodec.encode(new Command.Write(2, new TxnOp.Txn(List.of(),
            List.of(new TxnOp.Put(key, key, 0, false, false, false)), List.of())))));
        assertNull(CommandCodec.plainPut(CommandCodec.encode(new Command.Compact(3, 1, false))));
        assertNull(CommandCodec.plainPut(new byte[] {1, 0, 1, 0, 9, 0, 1, 0}), "another schema");
    }

    /** A few keys, so puts replace versions and deletes find them; now and then one too long for the backend. */
    private static byte[] key(final SplittableRandom random) {
        if (random.nextInt(100) == 0) {
            return bytes(random, 1_100);
        }
        return new byte[] {'k', (byte)('a' + random.nextInt(6))};
    }

    private static byte[] bytes(final SplittableRandom random, final int lengthMax) {
        final byte[] bytes = new byte[random.nextInt(lengthMax + 1)];
        random.nextBytes(bytes);
        return bytes;
    }

    private static String describe(final PutFields put) {
        final HexFormat hex = HexFormat.of();
        return hex.formatHex(put.key()) + " value "
            + hex.formatHex(put.valueArray(), put.valueOffset(), put.valueOffset() + put.valueLength())
            + " lease " + put.lease() + " prevKv " + put.prevKv() + " ignoreValue " + put.ignoreValue()
            + " ignoreLease " + put.ignoreLease();
    }

    private static String outcome(final Supplier<OpResult.Put> put) {
        try {
            final OpResult.Put result = put.get();
            return "revision " + result.revision() + " prev " + describe(result.prevKv());
        } catch (final EtcdException | IllegalArgumentException refused) {
            return refused.getClass().getSimpleName() + ": " + refused.getMessage();
        }
    }

    private static String describe(final KeyValue kv) {
        if (kv == null) {
            return "none";
        }
        final HexFormat hex = HexFormat.of();
        return hex.formatHex(kv.key()) + " create " + kv.createRevision() + " mod " + kv.modRevision() + " version "
            + kv.version() + " lease " + kv.lease() + " value " + hex.formatHex(kv.value());
    }

    private static List<String> contents(final InMemoryBackend backend) {
        final HexFormat hex = HexFormat.of();
        final List<String> records = new ArrayList<>();
        for (final Bucket bucket : Bucket.values()) {
            final BackendCursor cursor = backend.cursor(bucket);
            for (boolean valid = cursor.seek(new byte[0]); valid; valid = cursor.next()) {
                records.add(bucket + " " + hex.formatHex(cursor.key()) + " = " + hex.formatHex(cursor.value()));
            }
        }
        return records;
    }
}
