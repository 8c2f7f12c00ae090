package io.cairn.engine.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cairn.btree.Bucket;
import io.cairn.btree.Cursor;
import io.cairn.btree.Env;
import io.cairn.btree.EnvOptions;
import io.cairn.btree.WriteTxn;
import io.cairn.engine.mvcc.RevisionKey;
import io.cairn.engine.testing.Await;
import io.cairn.engine.testing.Etcdctl;
import io.cairn.engine.testing.ServerProcess;
import io.cairn.engine.testing.ThreeMembers;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * etcd's corruption checks on a three-member Cairn: a follower whose tree was changed behind its
 * back (one byte of one value, as a disk might) is caught by the leader's periodic check, which
 * raises CORRUPT for the cluster (writes refused everywhere, reads go on), and the same member
 * restarted with --experimental-initial-corrupt-check refuses to start.
 */
class CorruptionCheckIT {
    @RegisterExtension
    final ThreeMembers.Logs logs = new ThreeMembers.Logs();

    @Test
    void aMemberWhoseDataDiffersIsCaughtByBothChecks() throws Exception {
        try (ThreeMembers cluster = ThreeMembers.start(ServerProcess.Kind.CAIRN, logs,
            "--experimental-corrupt-check-time", "1s")) {
            final String url = cluster.clientUrl(0);
            for (int i = 0; i < 20; i++) {
                Etcdctl.run(url, "put", "k" + i, "v" + i);
            }
            assertTrue(Etcdctl.run(url, "put", "corrupt-me", "aaaa").contains("OK"));
            for (int i = 0; i < 3; i++) {
                Etcdctl.run(cluster.clientUrl(i), "get", "corrupt-me"); // linearizable: every member applied it
            }
            Thread.sleep(3_000); // periodic checks pass while the data agrees
            assertEquals("exit 0\n", Etcdctl.run(url, "alarm", "list"), "no alarm while every member agrees");

            final int follower = cluster.followerIndex();
            cluster.kill(follower);
            flipLastValueByte(cluster.dataDir(follower).resolve("member/snap/db"), "corrupt-me");
            cluster.restart(follower);
            assertEquals("exit 0\naaab\n", Etcdctl.run(cluster.clientUrl(follower), "get", "corrupt-me",
                "--consistency=s", "--print-value-only"), "the follower serves the changed value");

            Await.until(() -> etcdctl(url, "alarm", "list").contains("alarm:CORRUPT"), 30,
                "the leader's check raises CORRUPT");
            for (int i = 0; i < 3; i++) {
                assertEquals("exit 0\nalarm:CORRUPT \n", Etcdctl.run(cluster.clientUrl(i), "alarm", "list"),
                    "member 0 is not printed (a default value)");
                assertEquals("exit 1\nError: etcdserver: corrupt cluster\n", Etcdctl.run(cluster.clientUrl(i), "put", "k", "v"));
                assertTrue(Etcdctl.run(cluster.clientUrl(i), "get", "k1").contains("v1"), "reads go on");
            }

            cluster.kill(follower);
            final IOException refused = assertThrows(IOException.class,
                () -> cluster.restartWith(follower, "--experimental-initial-corrupt-check"));
            assertTrue(refused.getMessage().contains("found data inconsistency with peers"), refused.getMessage());
            assertFalse(cluster.isAlive(follower));
        }
    }

    /** Changes the last byte of {@code key}'s newest stored value (the value ends the stored record). */
    private static void flipLastValueByte(final Path db, final String key) throws IOException {
        final byte[] prefix = RevisionKey.userKeyPrefix(key.getBytes(StandardCharsets.UTF_8));
        try (Env env = Env.open(db, EnvOptions.defaults()); WriteTxn txn = env.beginWrite()) {
            final Bucket kv = txn.bucket("kv");
            byte[] found = null;
            byte[] record = null;
            final Cursor c = kv.cursor();
            for (boolean ok = c.first(); ok; ok = c.next()) {
                final byte[] encoded = c.key().toArray(ValueLayout.JAVA_BYTE);
                if (startsWith(encoded, prefix)) {
                    found = encoded;
                    record = c.value().toArray(ValueLayout.JAVA_BYTE);
                    break; // versions sort newest first
                }
            }
            if (found == null) {
                throw new IOException(key + " is not in " + db);
            }
            record[record.length - 1] ^= 0x03; // 'a' becomes 'b'
            kv.put(MemorySegment.ofArray(found), MemorySegment.ofArray(record));
            txn.commit();
            env.sync();
        }
    }

    private static String etcdctl(final String url, final String... arguments) {
        try {
            return Etcdctl.run(url, arguments);
        } catch (final IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (final InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static boolean startsWith(final byte[] encoded, final byte[] prefix) {
        if (encoded.length < prefix.length) {
            return false;
        }
        for (int i = 0; i < prefix.length; i++) {
            if (encoded[i] != prefix[i]) {
                return false;
            }
        }
        return true;
    }
}
