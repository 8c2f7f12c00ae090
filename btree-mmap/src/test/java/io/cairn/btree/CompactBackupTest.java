package io.cairn.btree;

import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CompactBackupTest {
    @TempDir
    Path dir;

    @Test
    void compactKeepsDataAndShrinksTheFile() throws Exception {
        Path file = dir.resolve("src.db");
        Path target = dir.resolve("compacted.db");
        long last = 400;
        try (Env env = Env.open(file, EnvOptions.defaults().withSyncOnCommit(false))) {
            for (long n = 1; n <= last; n++) {
                try (WriteTxn w = env.beginWrite()) {
                    NumberedWorkload.apply(n, w.createBucketIfAbsent(NumberedWorkload.BUCKET));
                    w.commit();
                }
            }
            // Pages the compacted copy leaves out: unsynced commits reuse what they free, so the
            // workload alone no longer grows the file past its live data.
            try (WriteTxn w = env.beginWrite()) {
                Bucket filler = w.createBucketIfAbsent("filler");
                for (int i = 0; i < 1_000; i++) {
                    filler.put(("filler-" + i).getBytes(), new byte[1_000]);
                }
                w.commit();
            }
            try (WriteTxn w = env.beginWrite()) {
                w.deleteBucket("filler");
                w.commit();
            }
            env.sync();
            env.compact(target);
        }
        try (Env env = Env.open(target); ReadTxn r = env.beginRead()) {
            assertNull(NumberedWorkload.difference(r.bucket(NumberedWorkload.BUCKET), NumberedWorkload.expectedAfter(last)));
            Checker.Report report = env.check();
            assertTrue(report.fillPercent() > 80, "compacted fill " + report);
        }
        assertTrue(Files.size(target) < Files.size(file), Files.size(target) + " vs " + Files.size(file));
    }

    @Test
    void backupIsAConsistentSnapshotWhileWritesGoOn() throws Exception {
        Path file = dir.resolve("live.db");
        Path copy = dir.resolve("backup.db");
        AtomicBoolean stop = new AtomicBoolean();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        try (Env env = Env.open(file, EnvOptions.defaults().withSyncOnCommit(false))) {
            for (long n = 1; n <= 100; n++) {
                try (WriteTxn w = env.beginWrite()) {
                    NumberedWorkload.apply(n, w.createBucketIfAbsent(NumberedWorkload.BUCKET));
                    w.commit();
                }
            }
            Thread writer = Thread.ofPlatform().start(() -> {
                try {
                    for (long n = 101; !stop.get(); n++) {
                        try (WriteTxn w = env.beginWrite()) {
                            NumberedWorkload.apply(n, w.bucket(NumberedWorkload.BUCKET));
                            w.commit();
                        }
                        if (n % 20 == 0) {
                            env.sync();
                        }
                    }
                } catch (Throwable t) {
                    failure.set(t);
                }
            });
            try (OutputStream out = Files.newOutputStream(copy)) {
                env.backup(out);
            }
            stop.set(true);
            writer.join();
        }
        if (failure.get() != null) {
            throw new AssertionError("writer failed", failure.get());
        }
        try (Env env = Env.open(copy); ReadTxn r = env.beginRead()) {
            Bucket b = r.bucket(NumberedWorkload.BUCKET);
            long last = NumberedWorkload.last(b);
            assertTrue(last >= 100, "backup at " + last);
            assertNull(NumberedWorkload.difference(b, NumberedWorkload.expectedAfter(last)), "backup at transaction " + last);
            env.check();
        }
    }
}
