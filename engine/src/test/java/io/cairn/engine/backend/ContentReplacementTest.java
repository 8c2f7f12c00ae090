package io.cairn.engine.backend;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cairn.btree.Env;
import io.cairn.btree.EnvOptions;
import io.cairn.btree.ReadTxn;
import io.cairn.btree.WriteTxn;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A leader's snapshot replaces a member's tree, by a swap of files or by a copy in slices (a
 * transaction holds its pages in memory, so one transaction for a 5.2 GB snapshot ran out of direct
 * memory): the result is the snapshot's contents with the member's identity kept, no staging bucket
 * is left, a reader that began before sees the old contents, and a replacement a crash cut short is
 * redone cleanly.
 */
class ContentReplacementTest {
    private static final byte[] IDENTITY = bytes("memberId");
    private static final int KEYS = 4_000;
    private static final long SLICE_BYTES = 64 << 10;

    @TempDir
    Path dir;

    private static byte[] bytes(final String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static void fill(final Env env, final String tag, final byte[] identity) throws Exception {
        final WriteTxn txn = env.beginWrite();
        try {
            final BtreeView view = new BtreeView(txn);
            for (int i = 0; i < KEYS; i++) {
                view.put(Bucket.KV, bytes(String.format("%s-key-%06d", tag, i)), new byte[200]);
            }
            view.put(Bucket.LEASE, bytes(tag + "-lease"), bytes(tag));
            view.put(Bucket.META, bytes("appliedIndex"), bytes(tag));
            view.put(Bucket.META, IDENTITY, identity);
            txn.commit();
        } finally {
            txn.abort();
        }
    }

    private static Env open(final Path file) throws Exception {
        return Env.open(file, EnvOptions.defaults().withSyncOnCommit(false));
    }

    private static void assertHoldsSnapshot(final Env member) {
        try (ReadTxn read = member.beginRead()) {
            final BtreeView view = new BtreeView(read);
            assertArrayEquals(new byte[200], view.get(Bucket.KV, bytes("new-key-003999")));
            assertNull(view.get(Bucket.KV, bytes("old-key-000000")), "the old contents are gone");
            assertArrayEquals(bytes("new"), view.get(Bucket.LEASE, bytes("new-lease")));
            assertNull(view.get(Bucket.LEASE, bytes("old-lease")));
            assertArrayEquals(bytes("new"), view.get(Bucket.META, bytes("appliedIndex")));
            assertArrayEquals(bytes("member"), view.get(Bucket.META, IDENTITY), "the member's identity is kept");
            for (final Bucket bucket : Bucket.values()) {
                assertNull(read.bucket(BtreeView.name(bucket) + ContentReplacement.STAGING_SUFFIX), "no staging left");
            }
        }
        member.check(); // throws CorruptionException naming a fault
    }

    @Test
    void aSnapshotReplacesTheContentsInSlicesAndReadersSeeOldOrNew() throws Exception {
        try (Env member = open(dir.resolve("member")); Env snapshot = open(dir.resolve("snapshot"))) {
            fill(member, "old", bytes("member"));
            fill(snapshot, "new", bytes("leader"));
            try (ReadTxn before = member.beginRead(); ReadTxn source = snapshot.beginRead()) {
                final int transactions = ContentReplacement.replace(member, source, List.of(IDENTITY), SLICE_BYTES);
                // One transaction per staged bucket and one to switch, and the kv bucket's ~860 KB
                // (4,000 keys of ~215 bytes) at 64 KiB a slice takes at least 12 more.
                assertTrue(transactions > Bucket.values().length + 12, "copied in slices: " + transactions
                    + " transactions");
                final BtreeView old = new BtreeView(before);
                assertArrayEquals(new byte[200], old.get(Bucket.KV, bytes("old-key-000000")), "an earlier reader sees the old");
                assertNull(old.get(Bucket.KV, bytes("new-key-000000")));
            }
            assertHoldsSnapshot(member);
        }
    }

    @Test
    void aReplacementCutShortIsRedone() throws Exception {
        try (Env member = open(dir.resolve("member")); Env snapshot = open(dir.resolve("snapshot"))) {
            fill(member, "old", bytes("member"));
            fill(snapshot, "new", bytes("leader"));
            try (ReadTxn source = snapshot.beginRead()) {
                // A crash after staging the first bucket: the member still reads its old contents.
                ContentReplacement.stage(member, source, BtreeView.name(Bucket.KV), SLICE_BYTES);
                try (ReadTxn read = member.beginRead()) {
                    assertArrayEquals(new byte[200], new BtreeView(read).get(Bucket.KV, bytes("old-key-000000")));
                }
                ContentReplacement.replace(member, source, List.of(IDENTITY), SLICE_BYTES);
            }
            assertHoldsSnapshot(member);
        }
    }

    @Test
    void aSnapshotFileBecomesTheTreeWithTheIdentityKeptAndNoStagingLeft() throws Exception {
        final Path received = dir.resolve("received.snap");
        try (Env snapshot = open(dir.resolve("leader"))) {
            fill(snapshot, "new", bytes("leader"));
            // A copy cut short in the leader's own tree comes along in its snapshot: dropped at the swap.
            try (ReadTxn own = snapshot.beginRead()) {
                ContentReplacement.stage(snapshot, own, BtreeView.name(Bucket.LEASE), SLICE_BYTES);
            }
            try (java.io.OutputStream out = java.nio.file.Files.newOutputStream(received)) {
                snapshot.backup(out);
            }
        }
        try (Env member = open(dir.resolve("member"))) {
            fill(member, "old", bytes("member"));
            try (ReadTxn before = member.beginRead()) {
                assertTrue(ContentReplacement.swap(member, received, List.of(IDENTITY)));
                assertArrayEquals(new byte[200], new BtreeView(before).get(Bucket.KV, bytes("old-key-000000")),
                    "an earlier reader sees the old");
            }
            assertFalse(java.nio.file.Files.exists(received), "the received file is the tree's now");
            assertHoldsSnapshot(member);
        }
    }
}
