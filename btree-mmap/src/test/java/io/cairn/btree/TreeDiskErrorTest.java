package io.cairn.btree;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;

import io.cairn.posix.Call;
import io.cairn.posix.Errno;
import io.cairn.posix.Fault;
import io.cairn.posix.FaultyPosix;
import io.cairn.posix.NativePosix;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Disk errors under the tree, injected through the seam: a commit that cannot write its pages or grow
 * the file is aborted and leaves the environment able to commit again once the disk recovers; a failed
 * fdatasync stops the environment from reporting anything durable until it is reopened.
 */
class TreeDiskErrorTest {
    @TempDir
    Path dir;
    private Path file;
    private FaultyPosix posix;
    private final TreeStates.State model = new TreeStates.State();

    @BeforeEach
    void setUp() throws IOException {
        file = dir.resolve("db");
        posix = new FaultyPosix(NativePosix.INSTANCE, dir.resolve("stash"));
    }

    @ParameterizedTest(name = "{0} {1}, syncOnCommit {2}")
    @CsvSource({
        "PWRITEV, ENOSPC, true", "PWRITEV, ENOSPC, false", "PWRITEV, EIO, true", "PWRITEV, EIO, false",
        "FALLOCATE, ENOSPC, true", "FALLOCATE, ENOSPC, false", "FALLOCATE, EIO, true"})
    void aCommitThatCannotWriteIsAbortedAndTheSameEnvCommitsOnceTheDiskIsBack(Call call, String error,
                                                                             boolean syncOnCommit) throws Exception {
        int errno = error.equals("ENOSPC") ? Errno.ENOSPC : Errno.EIO;
        EnvOptions options = EnvOptions.defaults().withMapSizeBytes(64L << 20).withSyncOnCommit(syncOnCommit);
        try (Env env = Env.open(file, options, posix)) {
            for (int t = 0; t < 5; t++) {
                commit(env, t, 20, 100); // small: the file's first 1 MiB holds them
            }
            env.sync();
            long sizeBefore = env.fileSizeBytes();
            Fault fault = posix.failAlways(call, file::equals, errno);
            for (int attempt = 0; attempt < 2; attempt++) { // the env stays consistent across repeated failures
                Exception e = assertThrows(Exception.class, () -> commit(env, 5, 400, 3000)); // 1.2 MB: must grow
                String message = e.getMessage();
                assertTrue(message.contains(file.toString()) && message.contains(call == Call.PWRITEV ? "pwritev" : "fallocate")
                        && message.contains("aborted") && message.contains("txid"), message);
                if (errno == Errno.ENOSPC) {
                    assertInstanceOf(NoSpaceException.class, e);
                    assertTrue(message.contains("No space left on device")
                            && message.contains("free space on the filesystem holding " + file)
                            && message.endsWith("then commit again"), message);
                } else {
                    assertInstanceOf(IOException.class, e);
                    assertTrue(message.contains("Input/output error") && message.contains("check it"), message);
                }
            }
            assertTrue(fault.hits() >= 2);
            assertEquals(Files.size(file), env.fileSizeBytes(), "the size the env believes is the file's");
            if (call == Call.FALLOCATE) {
                assertEquals(sizeBefore, env.fileSizeBytes());
            }
            fault.clear();
            commit(env, 5, 400, 3000);
            env.sync();
            env.check();
            assertContents(env);
            assertEquals(Files.size(file), env.fileSizeBytes());
        }
        try (Env env = Env.open(file, options, NativePosix.INSTANCE)) {
            env.check();
            assertContents(env);
        }
    }

    @Test
    void aFailedFdatasyncRefusesEveryLaterSyncUntilReopened() throws Exception {
        EnvOptions options = EnvOptions.defaults().withMapSizeBytes(64L << 20).withSyncOnCommit(false);
        TreeStates.State durable;
        try (Env env = Env.open(file, options, posix)) {
            commit(env, 0, 20, 100);
            env.sync();
            durable = model.copy();
            commit(env, 1, 20, 100);
            posix.failNext(Call.FDATASYNC, file::equals, Errno.EIO, 1);
            IOException first = assertThrows(IOException.class, env::sync);
            assertTrue(first.getMessage().contains("fdatasync on " + file) && first.getMessage().contains("Input/output error")
                    && first.getMessage().contains("close it and reopen the file"), first.getMessage());
            // The disk answers again, but the pages the failed sync covered may be gone: no sync may vouch for them.
            IOException later = assertThrows(IOException.class, env::sync);
            assertEquals(first.getMessage(), later.getMessage());
            commit(env, 2, 20, 100); // unsynced commits still serve this process's readers
            assertThrows(IOException.class, env::sync);
        }
        posix.cutPower();
        posix.revertUnsynced(7);
        try (Env env = Env.open(file, options, NativePosix.INSTANCE); ReadTxn r = env.beginRead()) {
            env.check();
            assertNull(durable.difference(r), "reopens at the last durable transaction");
        }
    }

    @Test
    void aFailedFdatasyncRefusesLaterSyncingCommitsBeforeTheyWrite() throws Exception {
        EnvOptions options = EnvOptions.defaults().withMapSizeBytes(64L << 20).withSyncOnCommit(true);
        try (Env env = Env.open(file, options, posix)) {
            commit(env, 0, 20, 100);
            TreeStates.State durable = model.copy();
            posix.failNext(Call.FDATASYNC, file::equals, Errno.EIO, 1);
            IOException failed = assertThrows(IOException.class, () -> commit(env, 1, 20, 100));
            assertTrue(failed.getMessage().contains("an fdatasync failed"), failed.getMessage());
            Fault writes = posix.delay(Call.PWRITEV, file::equals, Duration.ZERO); // counts pwritev calls
            IOException refused = assertThrows(IOException.class, () -> commit(env, 2, 20, 100));
            assertTrue(refused.getMessage().contains("close it and reopen"), refused.getMessage());
            assertEquals(0, writes.hits(), "a commit that cannot be synced writes nothing");
            try (ReadTxn r = env.beginRead()) {
                assertNull(durable.difference(r), "readers see the last commit that succeeded");
            }
        }
    }

    @Test
    void fileSizeBytesDoesNotWaitForTheWriter() throws Exception {
        try (Env env = Env.open(file, EnvOptions.defaults().withMapSizeBytes(64L << 20), posix)) {
            commit(env, 0, 20, 100);
            CountDownLatch writing = new CountDownLatch(1);
            CountDownLatch done = new CountDownLatch(1);
            Thread writer = Thread.ofPlatform().start(() -> {
                try (WriteTxn w = env.beginWrite()) {
                    w.createBucketIfAbsent("b").put("held".getBytes(), new byte[10]);
                    writing.countDown();
                    done.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            try {
                writing.await();
                long size = assertTimeoutPreemptively(Duration.ofSeconds(5), env::fileSizeBytes,
                        "fileSizeBytes waited for the open write transaction");
                assertEquals(Files.size(file), size);
            } finally {
                done.countDown();
                writer.join();
            }
        }
    }

    /** Commits {@code keys} puts of {@code valueBytes} into bucket "b", mirrored in the model once the commit returns. */
    private void commit(Env env, int round, int keys, int valueBytes) throws IOException {
        TreeMap<String, byte[]> next = new TreeMap<>(model.buckets.getOrDefault("b", new TreeMap<>()));
        try (WriteTxn w = env.beginWrite()) {
            Bucket b = w.createBucketIfAbsent("b");
            for (int i = 0; i < keys; i++) {
                String key = "r" + round + "-" + i;
                byte[] value = new byte[valueBytes];
                value[0] = (byte) round;
                value[valueBytes - 1] = (byte) i;
                b.put(key.getBytes(), value);
                next.put(key, value);
            }
            w.commit();
        }
        model.buckets.put("b", next);
    }

    private void assertContents(Env env) {
        try (ReadTxn r = env.beginRead()) {
            assertNull(model.difference(r));
        }
    }
}
