package io.cairn.bench.btree;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import io.cairn.btree.Bucket;
import io.cairn.btree.Cursor;
import io.cairn.btree.Env;
import io.cairn.btree.EnvOptions;
import io.cairn.btree.ReadTxn;
import io.cairn.btree.WriteTxn;
import org.lmdbjava.Dbi;
import org.lmdbjava.DbiFlags;
import org.lmdbjava.EnvFlags;
import org.lmdbjava.Txn;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * Cairn's B+tree against LMDB (lmdbjava) on the same data in the same run: 1M keys of 16 bytes
 * with 100-byte values, loaded in key order. Point gets (1000 per read transaction), a full
 * cursor scan, and random overwrites in 1000-put transactions without fsync. Both engines get the
 * same sync schedule for puts (one sync per {@link #SYNC_EVERY_TXNS} transactions: Cairn reuses
 * pages freed since the last sync only after the next one, so an unsynced run would only grow).
 * Results are ops/s (one op = one get, one scanned entry, or one put).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(value = 1, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED",
        "--add-exports", "java.base/jdk.internal.misc=ALL-UNNAMED",
        "--add-opens", "java.base/java.nio=ALL-UNNAMED", "--add-opens", "java.base/sun.nio.ch=ALL-UNNAMED",
        "-Xmx2g"})
@Warmup(iterations = 2, time = 5)
@Measurement(iterations = 3, time = 5)
public class BtreeVsLmdbBench {
    static final int KEYS = 1_000_000;
    static final int KEY_BYTES = 16;
    static final int VALUE_BYTES = 100;
    static final int BATCH = 1000;
    static final int SYNC_EVERY_TXNS = 100;

    @Param({"cairn", "lmdb"})
    public String engine;

    private Path dir;
    private Env cairn;
    private org.lmdbjava.Env<ByteBuffer> lmdb;
    private Dbi<ByteBuffer> lmdbDb;

    private final MemorySegment cairnKey = Arena.global().allocate(KEY_BYTES);
    private final MemorySegment cairnValue = Arena.global().allocate(VALUE_BYTES);
    private final ByteBuffer lmdbKey = ByteBuffer.allocateDirect(KEY_BYTES).order(ByteOrder.BIG_ENDIAN);
    private final ByteBuffer lmdbValue = ByteBuffer.allocateDirect(VALUE_BYTES);
    private SplittableRandom random;
    private long putTxns;

    /** Key i: big-endian i in the first 8 bytes (so load order = key order), a fixed tag after. */
    private static final ValueLayout.OfLong BIG_ENDIAN_LONG = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);

    static void writeKey(long i, MemorySegment segment) {
        segment.set(BIG_ENDIAN_LONG, 0, i);
        segment.set(ValueLayout.JAVA_LONG_UNALIGNED, 8, 0x5EED_CA1B_0000_0000L);
    }

    static void writeKey(long i, ByteBuffer buffer) {
        buffer.clear();
        buffer.putLong(0, i);
        buffer.order(ByteOrder.LITTLE_ENDIAN).putLong(8, 0x5EED_CA1B_0000_0000L).order(ByteOrder.BIG_ENDIAN);
        buffer.limit(KEY_BYTES);
    }

    @Setup(Level.Trial)
    public void load() throws IOException {
        dir = createDataDir("btree-bench-" + engine);
        random = new SplittableRandom(42);
        byte[] value = new byte[VALUE_BYTES];
        random.nextBytes(value);
        MemorySegment.copy(value, 0, cairnValue, ValueLayout.JAVA_BYTE, 0, VALUE_BYTES);
        lmdbValue.put(0, value);
        if (engine.equals("cairn")) {
            cairn = Env.open(dir.resolve("data.db"), EnvOptions.defaults().withSyncOnCommit(false));
            for (int start = 0; start < KEYS; start += 100_000) {
                try (WriteTxn w = cairn.beginWrite()) {
                    Bucket b = w.createBucketIfAbsent("kv");
                    for (int i = start; i < start + 100_000; i++) {
                        writeKey(i, cairnKey);
                        b.put(cairnKey, cairnValue);
                    }
                    w.commit();
                }
            }
            cairn.sync();
        } else {
            // lmdbjava 0.9 ships no native library: use Debian's liblmdb0 unless told otherwise.
            Path debianLmdb = Path.of("/usr/lib/x86_64-linux-gnu/liblmdb.so.0");
            if (System.getProperty("lmdbjava.native.lib") == null && Files.exists(debianLmdb)) {
                System.setProperty("lmdbjava.native.lib", debianLmdb.toString());
            }
            lmdb = org.lmdbjava.Env.create().setMapSize(8L << 30).setMaxDbs(1).setMaxReaders(126)
                    .open(dir.toFile(), EnvFlags.MDB_NOSYNC, EnvFlags.MDB_NOTLS);
            lmdbDb = lmdb.openDbi("kv", DbiFlags.MDB_CREATE);
            for (int start = 0; start < KEYS; start += 100_000) {
                try (Txn<ByteBuffer> w = lmdb.txnWrite()) {
                    for (int i = start; i < start + 100_000; i++) {
                        writeKey(i, lmdbKey);
                        lmdbValue.clear();
                        lmdbDb.put(w, lmdbKey, lmdbValue);
                    }
                    w.commit();
                }
            }
            lmdb.sync(true);
        }
    }

    @TearDown(Level.Trial)
    public void close() throws IOException {
        if (cairn != null) {
            cairn.close();
        }
        if (lmdb != null) {
            lmdb.close();
        }
        deleteDataDir(dir);
    }

    /**
     * A fresh directory for a benchmark's files: under {@code -Dcairn.bench.dir}, else on /dev/shm when the
     * machine has it (the disk out of the picture: CPU and memory work), else the temp dir.
     */
    static Path createDataDir(String prefix) throws IOException {
        Path parent = Path.of(System.getProperty("cairn.bench.dir",
                Files.isDirectory(Path.of("/dev/shm")) ? "/dev/shm" : System.getProperty("java.io.tmpdir")));
        return Files.createTempDirectory(parent, prefix);
    }

    static void deleteDataDir(Path dir) throws IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public void randomGet(Blackhole bh) {
        if (cairn != null) {
            try (ReadTxn r = cairn.beginRead()) {
                Bucket b = r.bucket("kv");
                for (int k = 0; k < BATCH; k++) {
                    writeKey(random.nextInt(KEYS), cairnKey);
                    MemorySegment v = b.get(cairnKey);
                    bh.consume(v.get(ValueLayout.JAVA_BYTE, VALUE_BYTES - 1));
                }
            }
        } else {
            try (Txn<ByteBuffer> r = lmdb.txnRead()) {
                for (int k = 0; k < BATCH; k++) {
                    writeKey(random.nextInt(KEYS), lmdbKey);
                    ByteBuffer v = lmdbDb.get(r, lmdbKey);
                    bh.consume(v.get(VALUE_BYTES - 1));
                }
            }
        }
    }

    @Benchmark
    @OperationsPerInvocation(KEYS)
    public long fullScan(Blackhole bh) {
        long n = 0;
        if (cairn != null) {
            try (ReadTxn r = cairn.beginRead()) {
                Cursor c = r.bucket("kv").cursor();
                for (boolean ok = c.first(); ok; ok = c.next()) {
                    bh.consume(c.key().get(ValueLayout.JAVA_BYTE, KEY_BYTES - 1));
                    bh.consume(c.value().get(ValueLayout.JAVA_BYTE, VALUE_BYTES - 1));
                    n++;
                }
            }
        } else {
            try (Txn<ByteBuffer> r = lmdb.txnRead(); org.lmdbjava.Cursor<ByteBuffer> c = lmdbDb.openCursor(r)) {
                for (boolean ok = c.first(); ok; ok = c.next()) {
                    bh.consume(c.key().get(KEY_BYTES - 1));
                    bh.consume(c.val().get(VALUE_BYTES - 1));
                    n++;
                }
            }
        }
        if (n != KEYS) {
            throw new IllegalStateException("scanned " + n + " keys, expected " + KEYS);
        }
        return n;
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public void randomPutBatch() throws IOException {
        if (cairn != null) {
            try (WriteTxn w = cairn.beginWrite()) {
                Bucket b = w.bucket("kv");
                for (int k = 0; k < BATCH; k++) {
                    writeKey(random.nextInt(KEYS), cairnKey);
                    cairnValue.set(ValueLayout.JAVA_INT_UNALIGNED, 0, k);
                    b.put(cairnKey, cairnValue);
                }
                w.commit();
            }
            if (++putTxns % SYNC_EVERY_TXNS == 0) {
                cairn.sync();
            }
        } else {
            try (Txn<ByteBuffer> w = lmdb.txnWrite()) {
                for (int k = 0; k < BATCH; k++) {
                    writeKey(random.nextInt(KEYS), lmdbKey);
                    lmdbValue.clear();
                    lmdbValue.putInt(0, k);
                    lmdbDb.put(w, lmdbKey, lmdbValue);
                }
                w.commit();
            }
            if (++putTxns % SYNC_EVERY_TXNS == 0) {
                lmdb.sync(true);
            }
        }
    }
}
