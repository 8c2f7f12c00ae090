package io.cairn.btree;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The write transaction reuses what earlier ones made (bucket handles, the search key's scratch,
 * the freelist's queues: issue #21) without letting one transaction's handle or key leak into
 * another's answers.
 */
class WriteHandleReuseTest {
    @TempDir
    Path dir;

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void aHandleIsReusedByTheNextWriteTransactionAndThrowsBetweenThem() throws Exception {
        try (Env env = Env.open(dir.resolve("t.db"))) {
            Bucket first;
            try (WriteTxn w = env.beginWrite()) {
                first = w.createBucketIfAbsent("b");
                first.put(bytes("k"), bytes("v1"));
                w.commit();
            }
            IllegalStateException ended = assertThrows(IllegalStateException.class, () -> first.get(bytes("k")));
            assertTrue(ended.getMessage().contains("has ended"), ended.getMessage());
            try (WriteTxn w = env.beginWrite()) {
                Bucket second = w.bucket("b");
                assertSame(first, second, "the handle is the earlier transaction's, bound again");
                assertEquals(1, second.count(), "bound to this transaction's record, not the earlier one's");
                second.put(bytes("k2"), bytes("v2"));
                w.commit();
            }
            try (ReadTxn r = env.beginRead()) {
                Bucket b = r.bucket("b");
                assertNotSame(first, b, "read transactions get their own handles");
                assertEquals(2, b.count());
                assertArrayEquals(bytes("v1"), b.get(bytes("k")).toArray(ValueLayout.JAVA_BYTE));
            }
        }
    }

    @Test
    void aCursorOnAReusedHandleFollowsItIntoTheNextWriteTransactionAtItsNextSeek() throws Exception {
        try (Env env = Env.open(dir.resolve("t.db"))) {
            Cursor cursor;
            try (WriteTxn w = env.beginWrite()) {
                Bucket b = w.createBucketIfAbsent("b");
                b.put(bytes("a"), bytes("1"));
                cursor = b.cursor();
                assertTrue(cursor.seek(bytes("a")));
                w.commit();
            }
            assertThrows(IllegalStateException.class, cursor::next, "positioned in an ended transaction");
            assertThrows(IllegalStateException.class, () -> cursor.seek(bytes("a")), "no write transaction is open");
            try (WriteTxn w = env.beginWrite()) {
                w.bucket("b").put(bytes("b"), bytes("2"));
                assertTrue(cursor.seek(bytes("b")), "sees this transaction's write");
                assertArrayEquals(bytes("2"), cursor.value().toArray(ValueLayout.JAVA_BYTE));
                w.abort();
            }
            try (WriteTxn w = env.beginWrite()) {
                w.bucket("b");
                assertFalse(cursor.seek(bytes("b")), "the aborted write is gone");
                w.abort();
            }
        }
    }

    @Test
    void theWriteTransactionIsOneObjectAndACursorPositionedInAnEarlierOneThrows() throws Exception {
        try (Env env = Env.open(dir.resolve("t.db"))) {
            WriteTxn first = env.beginWrite();
            Bucket b = first.createBucketIfAbsent("b");
            b.put(bytes("a"), bytes("1"));
            b.put(bytes("b"), bytes("2"));
            Cursor cursor = b.cursor();
            assertTrue(cursor.seek(bytes("a")));
            first.abort(); // the pages the cursor's path names are free again
            IllegalStateException ended = assertThrows(IllegalStateException.class, () -> first.bucket("b"));
            assertTrue(ended.getMessage().contains("has ended"), ended.getMessage());
            try (WriteTxn second = env.beginWrite()) {
                assertSame(first, second, "one object, begun again (issue #21)");
                assertNull(second.bucket("b"), "the aborted transaction's bucket is gone");
                assertThrows(java.util.ConcurrentModificationException.class, cursor::next,
                    "positioned in the earlier transaction: its path may name pages that are free now");
                second.createBucketIfAbsent("c").put(bytes("k"), bytes("v"));
                second.commit();
            }
            try (ReadTxn r = env.beginRead()) {
                assertNull(r.bucket("b"));
                assertArrayEquals(bytes("v"), r.bucket("c").get(bytes("k")).toArray(ValueLayout.JAVA_BYTE));
            }
        }
    }

    @Test
    void aLateCloseOfACommittedTransactionLeavesAnotherThreadsTransactionAlone() throws Exception {
        try (Env env = Env.open(dir.resolve("t.db"))) {
            WriteTxn mine = env.beginWrite();
            mine.createBucketIfAbsent("b").put(bytes("k"), bytes("v"));
            mine.commit();
            java.util.concurrent.CountDownLatch began = new java.util.concurrent.CountDownLatch(1);
            java.util.concurrent.CountDownLatch closed = new java.util.concurrent.CountDownLatch(1);
            java.util.concurrent.atomic.AtomicReference<Throwable> failure = new java.util.concurrent.atomic.AtomicReference<>();
            Thread other = new Thread(() -> {
                try (WriteTxn theirs = env.beginWrite()) { // as the tree's sync thread does
                    assertNotSame(mine, theirs, "another thread's transaction is an object of its own");
                    began.countDown();
                    assertTrue(closed.await(30, java.util.concurrent.TimeUnit.SECONDS));
                    theirs.bucket("b").put(bytes("k2"), bytes("v2"));
                    theirs.commit();
                } catch (Throwable t) {
                    failure.set(t);
                }
            });
            other.setDaemon(true);
            other.start();
            assertTrue(began.await(30, java.util.concurrent.TimeUnit.SECONDS));
            try {
                mine.close(); // try-with-resources' close, after the commit and after the other thread began
            } finally {
                closed.countDown();
            }
            other.join(30_000);
            assertNull(failure.get(), () -> "the other thread's transaction: " + failure.get());
            try (ReadTxn r = env.beginRead()) {
                assertArrayEquals(bytes("v2"), r.bucket("b").get(bytes("k2")).toArray(ValueLayout.JAVA_BYTE));
            }
        }
    }

    @Test
    void aSyncUnderAnOpenTransactionOfTheSameThreadCommitsItsFreelistInATransactionOfItsOwn() throws Exception {
        try (Env env = Env.open(dir.resolve("t.db"), EnvOptions.defaults().withSyncOnCommit(false))) {
            try (WriteTxn w = env.beginWrite()) {
                w.createBucketIfAbsent("b").put(bytes("k"), bytes("v"));
                w.commit(); // unsynced: the freelist its meta names is stale until a sync writes it
            }
            WriteTxn open = env.beginWrite(); // as the migration's batches hold one while they sync
            env.sync(); // its freelist commit begins a write transaction on this thread too
            assertFalse(open.closed, "the open transaction is not the sync's");
            open.abort();
            try (WriteTxn w = env.beginWrite()) {
                assertSame(open, w, "this thread's object, begun again");
                assertArrayEquals(bytes("v"), w.bucket("b").get(bytes("k")).toArray(ValueLayout.JAVA_BYTE));
                w.abort();
            }
        }
    }

    @Test
    void aBucketDeletedAndCreatedAgainInOneTransactionKeepsItsDeletedHandle() throws Exception {
        try (Env env = Env.open(dir.resolve("t.db"))) {
            try (WriteTxn w = env.beginWrite()) {
                w.createBucketIfAbsent("b").put(bytes("k"), bytes("v"));
                w.commit();
            }
            try (WriteTxn w = env.beginWrite()) {
                Bucket old = w.bucket("b");
                assertTrue(w.deleteBucket("b"));
                Bucket fresh = w.createBucketIfAbsent("b");
                assertNotSame(old, fresh);
                IllegalStateException deleted = assertThrows(IllegalStateException.class, () -> old.get(bytes("k")));
                assertTrue(deleted.getMessage().contains("deleted"), deleted.getMessage());
                assertNull(fresh.get(bytes("k")));
                assertEquals(0, fresh.count());
                w.commit();
            }
            try (WriteTxn w = env.beginWrite()) {
                assertEquals(0, w.bucket("b").count());
                w.abort();
            }
        }
    }

    @Test
    void arrayKeysLookedUpInTheWriteTransactionFindTheirOwnEntries() throws Exception {
        try (Env env = Env.open(dir.resolve("t.db")); WriteTxn w = env.beginWrite()) {
            Bucket b = w.createBucketIfAbsent("b");
            b.put(bytes("long-key-0001"), bytes("long"));
            b.put(bytes("k"), bytes("short"));
            // The scratch held a longer key before: only the new key's length counts.
            assertArrayEquals(bytes("long"), b.get(bytes("long-key-0001")).toArray(ValueLayout.JAVA_BYTE));
            assertArrayEquals(bytes("short"), b.get(bytes("k")).toArray(ValueLayout.JAVA_BYTE));
            Cursor c = b.cursor();
            assertTrue(c.seek(bytes("l")));
            assertArrayEquals(bytes("long-key-0001"), c.key().toArray(ValueLayout.JAVA_BYTE));
            assertFalse(b.delete(bytes("long-key-000")));
            assertTrue(b.delete(bytes("long-key-0001")));
            assertNull(b.get(bytes("long-key-0001")));
            assertEquals(1, b.count());
            byte[] tooLong = new byte[Keys.MAX_KEY_BYTES + 1];
            assertThrows(IllegalArgumentException.class, () -> b.get(tooLong));
            assertThrows(IllegalArgumentException.class, () -> c.seek(tooLong));
            assertThrows(IllegalArgumentException.class, () -> b.delete(tooLong));
            w.abort();
        }
    }

    /**
     * The reused dirty-page map shrinks after a large transaction: clearing and walking it cost time in
     * proportion to its capacity, and every one-put commit after a bulk load paid for it.
     */
    @Test
    void theDirtyPageMapShrinksOnceALargeTransactionIsOver() throws Exception {
        try (Env env = Env.open(dir.resolve("t.db"), EnvOptions.defaults().withSyncOnCommit(false))) {
            try (WriteTxn w = env.beginWrite()) {
                Bucket b = w.createBucketIfAbsent("b");
                for (int i = 0; i < 50_000; i++) {
                    b.put(bytes(String.format("key-%06d", i)), new byte[100]);
                }
                w.commit();
            }
            for (int i = 0; i < 2; i++) { // the first small transaction after it finds the map large, and shrinks it
                try (WriteTxn w = env.beginWrite()) {
                    w.bucket("b").put(bytes("key-000001"), bytes("small"));
                    if (i == 1) {
                        assertTrue(w.dirtyPageCapacity() <= 512, "the next one: " + w.dirtyPageCapacity() + " slots");
                    }
                    w.commit();
                }
            }
        }
    }
}
