package io.cairn.bench.btree;

import io.cairn.btree.Bucket;
import io.cairn.btree.Env;
import io.cairn.btree.EnvOptions;
import io.cairn.btree.WriteTxn;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * One put per write transaction (the engine's write path at one request in flight), on a tree of
 * 1,000,000 keys of 16 bytes with 100-byte values, without fsync (a sync every {@link #SYNC_EVERY_TXNS}
 * commits lets freed pages come back). {@code freePages}: "few" is the tree as loaded; "many" first
 * deletes three keys in four, as a large compaction does, which leaves about 30,000 pages
 * in the freelist for the commits that follow to reuse.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(value = 1, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED",
        "--add-exports", "java.base/jdk.internal.misc=ALL-UNNAMED", "-Xmx2g"})
@Warmup(iterations = 2, time = 3)
@Measurement(iterations = 3, time = 3)
public class SmallCommitBench {
    static final int KEYS = 1_000_000;
    static final int VALUE_BYTES = 100;
    static final int LOAD_BATCH = 100_000;
    static final int SYNC_EVERY_TXNS = 100;

    @Param({"few", "many"})
    public String freePages;

    private Path dir;
    private Env env;
    private final MemorySegment key = Arena.global().allocate(BtreeVsLmdbBench.KEY_BYTES);
    private final MemorySegment value = Arena.global().allocate(VALUE_BYTES);
    private SplittableRandom random;
    private long commits;

    @Setup(Level.Trial)
    public void load() throws IOException {
        dir = BtreeVsLmdbBench.createDataDir("small-commit-bench-");
        random = new SplittableRandom(42);
        env = Env.open(dir.resolve("data.db"), EnvOptions.defaults().withSyncOnCommit(false));
        for (int start = 0; start < KEYS; start += LOAD_BATCH) {
            try (WriteTxn w = env.beginWrite()) {
                Bucket b = w.createBucketIfAbsent("kv");
                for (int i = start; i < start + LOAD_BATCH; i++) {
                    BtreeVsLmdbBench.writeKey(i, key);
                    b.put(key, value);
                }
                w.commit();
            }
        }
        if (freePages.equals("many")) {
            try (WriteTxn w = env.beginWrite()) {
                Bucket b = w.bucket("kv");
                for (int i = 0; i < KEYS; i++) {
                    if (i % 4 != 0) {
                        BtreeVsLmdbBench.writeKey(i, key);
                        b.delete(key);
                    }
                }
                w.commit();
            }
        }
        env.sync();
        env.sync(); // the second sync's meta no longer needs the pages the first one's freed
    }

    /** One put of a random existing key in its own transaction. */
    @Benchmark
    public void putAlone() throws IOException {
        try (WriteTxn w = env.beginWrite()) {
            BtreeVsLmdbBench.writeKey(4L * random.nextInt(KEYS / 4), key);
            w.bucket("kv").put(key, value);
            w.commit();
        }
        if (++commits % SYNC_EVERY_TXNS == 0) {
            env.sync();
        }
    }

    @TearDown(Level.Trial)
    public void close() throws IOException {
        env.close();
        BtreeVsLmdbBench.deleteDataDir(dir);
    }
}
