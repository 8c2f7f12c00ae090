package io.cairn.bench.perf;

import com.google.common.util.concurrent.ListenableFuture;
import com.google.protobuf.ByteString;
import io.cairn.bench.load.LoadPlan;
import io.cairn.bench.load.LoadResult;
import io.cairn.bench.load.LoadRunner;
import io.cairn.bench.load.Workload;
import io.cairn.etcd.api.etcdserverpb.DeleteRangeRequest;
import io.cairn.etcd.api.etcdserverpb.KVGrpc;
import io.cairn.etcd.api.etcdserverpb.PutRequest;
import io.cairn.etcd.api.etcdserverpb.RangeRequest;
import io.grpc.Channel;
import java.io.PrintStream;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * {@code cairn-bench check perf}: etcdctl check perf's test. Puts of 256-byte keys and 1 KiB values
 * under a private prefix at the profile's rate from its number of clients for the duration; passes
 * with no errors, throughput above 90% of the rate, slowest request at most 500 ms and standard
 * deviation at most 100 ms. The prefix must be empty before and is deleted after.
 */
public final class PerfCheck {
    static final String PREFIX = "/etcdctl-check-perf/";
    private static final int KEY_BYTES = 256;
    private static final int VALUE_BYTES = 1024;
    private static final double THROUGHPUT_MIN_FRACTION = 0.9;
    private static final double SLOWEST_MAX_SECONDS = 0.5;
    private static final double STDDEV_MAX_SECONDS = 0.1;

    private PerfCheck() {
    }

    /** Returns the exit code: 0 on PASS. */
    public static int run(final String endpoint, final List<? extends Channel> connections, final PerfProfile profile,
        final int durationSeconds, final PrintStream out) throws InterruptedException {
        final KVGrpc.KVBlockingStub kv = KVGrpc.newBlockingStub(connections.get(0));
        final ByteString prefix = ByteString.copyFromUtf8(PREFIX);
        final ByteString prefixEnd = ByteString.copyFromUtf8(PREFIX.substring(0, PREFIX.length() - 1) + "0");
        if (kv.range(RangeRequest.newBuilder().setKey(prefix).setRangeEnd(prefixEnd).setLimit(1).build())
            .getKvsCount() > 0) {
            throw new IllegalStateException("prefix \"" + PREFIX + "\" has keys; delete them first");
        }
        final ByteString value = ByteString.copyFrom(new byte[VALUE_BYTES]);
        final Workload puts = new Workload() {
            @Override
            public ListenableFuture<?> send(final Channel channel, final long sequence) {
                final byte[] key = new byte[KEY_BYTES - PREFIX.length()];
                new SplittableRandom(sequence).nextBytes(key);
                return KVGrpc.newFutureStub(channel).put(PutRequest.newBuilder()
                    .setKey(prefix.concat(ByteString.copyFrom(key))).setValue(value).build());
            }
        };
        final LoadResult result;
        try {
            result = LoadRunner.run(endpoint, connections, puts, new LoadPlan(profile.clients(),
                (long)profile.writesPerSecond() * durationSeconds, 0, profile.writesPerSecond()));
        } finally {
            kv.deleteRange(DeleteRangeRequest.newBuilder().setKey(prefix).setRangeEnd(prefixEnd).build());
        }
        boolean pass = true;
        if (!result.errorsByCode().isEmpty()) {
            out.println("FAIL: too many errors");
            result.errorsByCode().forEach((code, count) -> out.printf("FAIL: ERROR(%s) -> %d%n", code, count));
            pass = false;
        }
        final double writesPerSecond = result.requestsPerSecond();
        if (writesPerSecond / profile.writesPerSecond() <= THROUGHPUT_MIN_FRACTION) {
            out.printf(Locale.ROOT, "FAIL: Throughput too low: %d writes/s%n", (long)writesPerSecond + 1);
            pass = false;
        } else {
            out.printf(Locale.ROOT, "PASS: Throughput is %d writes/s%n", (long)writesPerSecond + 1);
        }
        final double slowest = result.latencyNanos().getMaxValue() / 1e9;
        out.printf(Locale.ROOT, slowest > SLOWEST_MAX_SECONDS ? "Slowest request took too long: %fs%n"
            : "PASS: Slowest request took %fs%n", slowest);
        pass &= slowest <= SLOWEST_MAX_SECONDS;
        final double stddev = result.latencyNanos().getStdDeviation() / 1e9;
        out.printf(Locale.ROOT, stddev > STDDEV_MAX_SECONDS ? "Stddev too high: %fs%n" : "PASS: Stddev is %fs%n",
            stddev);
        pass &= stddev <= STDDEV_MAX_SECONDS;
        out.println(pass ? "PASS" : "FAIL");
        return pass ? 0 : 1;
    }
}
