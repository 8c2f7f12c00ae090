package io.cairn.btree;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A cursor's in-place reads (key length and prefix, value length and copy) agree with the
 * segments it hands out, for inline values and overflow runs, in read and write transactions; and
 * a transaction that made its arena late still ends every segment it handed out.
 */
class CursorInPlaceReadTest {
    @TempDir
    Path dir;

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static void checkInPlaceReads(Cursor c, byte[] key, byte[] value) {
        assertEquals(key.length, c.keyLength());
        assertTrue(c.keyStartsWith(key, key.length));
        assertTrue(c.keyStartsWith(key, 1));
        byte[] other = key.clone();
        other[key.length - 1] ^= 1;
        assertFalse(c.keyStartsWith(other, other.length));
        assertFalse(c.keyStartsWith(Arrays.copyOf(key, key.length + 1), key.length + 1), "longer than the key");
        assertEquals(value.length, c.valueLength());
        byte[] whole = new byte[value.length];
        c.copyValue(0, whole, 0, value.length);
        assertArrayEquals(value, whole);
        byte[] middle = new byte[10];
        c.copyValue(value.length / 2, middle, 3, 7);
        assertArrayEquals(Arrays.copyOfRange(value, value.length / 2, value.length / 2 + 7), Arrays.copyOfRange(middle, 3, 10));
        assertArrayEquals(value, c.value().toArray(ValueLayout.JAVA_BYTE), "the handed-out segment agrees");
        assertThrows(IndexOutOfBoundsException.class, () -> c.copyValue(value.length - 3, new byte[8], 0, 4),
            "past the value's end, though not past the page's");
    }

    @Test
    void inlineAndOverflowValuesInBothKindsOfTransaction() throws Exception {
        byte[] small = bytes("a small value of some forty bytes.......");
        byte[] large = new byte[3 * Page.SIZE_BYTES + 17];
        new Random(21).nextBytes(large);
        try (Env env = Env.open(dir.resolve("t.db"))) {
            try (WriteTxn w = env.beginWrite()) {
                Bucket b = w.createBucketIfAbsent("b");
                b.put(bytes("inline-key"), small);
                b.put(bytes("overflow-key"), large);
                Cursor c = b.cursor();
                assertTrue(c.seek(bytes("inline-key")));
                checkInPlaceReads(c, bytes("inline-key"), small);
                assertTrue(c.seek(bytes("overflow-key")));
                checkInPlaceReads(c, bytes("overflow-key"), large);
                w.commit();
            }
            try (ReadTxn r = env.beginRead()) {
                Cursor c = r.bucket("b").cursor();
                assertTrue(c.seek(bytes("inline-key")));
                checkInPlaceReads(c, bytes("inline-key"), small);
                assertTrue(c.seek(bytes("overflow-key")));
                checkInPlaceReads(c, bytes("overflow-key"), large);
            }
        }
    }

    @Test
    void aSegmentHandedOutAfterInPlaceReadsStillEndsWithItsTransaction() throws Exception {
        try (Env env = Env.open(dir.resolve("t.db"))) {
            try (WriteTxn w = env.beginWrite()) {
                w.createBucketIfAbsent("b").put(bytes("k"), bytes("value"));
                w.commit();
            }
            MemorySegment handedOut;
            try (ReadTxn r = env.beginRead()) {
                Cursor c = r.bucket("b").cursor();
                assertTrue(c.seek(bytes("k")));
                c.copyValue(0, new byte[5], 0, 5); // no arena yet
                handedOut = c.value(); // the arena is made here
                assertEquals('v', handedOut.get(ValueLayout.JAVA_BYTE, 0));
            }
            assertThrows(IllegalStateException.class, () -> handedOut.get(ValueLayout.JAVA_BYTE, 0));
            try (ReadTxn r = env.beginRead()) {
                Cursor c = r.bucket("b").cursor();
                assertTrue(c.seek(bytes("k")));
                assertEquals(5, c.valueLength()); // only in-place reads: the transaction ends without an arena
            }
        }
    }
}
