package io.cairn.bench.raft;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Committed entries per second through a 3-node in-process cluster (instant network, no disk), 100-byte proposals
 * proposed in batches of 1, 64 and 1024 and run until the leader has applied them. One op = one committed entry,
 * so ops/s is entries/s and {@code -prof gc}'s gc.alloc.rate.norm is bytes allocated per entry (all three nodes).
 * The payload array is shared: the figure is Raft's allocation, not the client's.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xmx2g"})
@Warmup(iterations = 3, time = 5)
@Measurement(iterations = 5, time = 5)
public class RaftCommitBench {
    static final int PAYLOAD_BYTES = 100;

    private InProcessCluster cluster;
    private List<byte[]> batchOf1;
    private List<byte[]> batchOf64;
    private List<byte[]> batchOf1024;

    @Setup(Level.Trial)
    public void setUp() {
        cluster = new InProcessCluster();
        final byte[] payload = new byte[PAYLOAD_BYTES];
        batchOf1 = batch(payload, 1);
        batchOf64 = batch(payload, 64);
        batchOf1024 = batch(payload, 1024);
    }

    @TearDown(Level.Trial)
    public void checkReplicated() {
        cluster.checkReplicated();
    }

    private static List<byte[]> batch(final byte[] payload, final int size) {
        final ArrayList<byte[]> batch = new ArrayList<>(size);
        for (int i = 0; i < size; i++) {
            batch.add(payload);
        }
        return List.copyOf(batch);
    }

    @Benchmark
    @OperationsPerInvocation(1)
    public void commitBatchOf1() {
        cluster.proposeAndCommit(batchOf1);
    }

    @Benchmark
    @OperationsPerInvocation(64)
    public void commitBatchOf64() {
        cluster.proposeAndCommit(batchOf64);
    }

    @Benchmark
    @OperationsPerInvocation(1024)
    public void commitBatchOf1024() {
        cluster.proposeAndCommit(batchOf1024);
    }
}
