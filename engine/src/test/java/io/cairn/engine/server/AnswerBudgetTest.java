package io.cairn.engine.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.common.util.concurrent.ListenableFuture;
import com.google.protobuf.ByteString;
import io.cairn.engine.Main;
import io.cairn.engine.auth.Tokens;
import io.cairn.engine.cluster.RequestIds;
import io.cairn.engine.config.ServerCommandLine;
import io.cairn.engine.config.ServerConfig;
import io.cairn.engine.node.RaftKeyValueStore;
import io.cairn.etcd.api.etcdserverpb.KVGrpc;
import io.cairn.etcd.api.etcdserverpb.PutRequest;
import io.cairn.etcd.api.etcdserverpb.RangeRequest;
import io.cairn.etcd.api.etcdserverpb.RangeResponse;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The room large scan answers take: taken before an answer is sent, given back when its call
 * closes or is cancelled, so that many large answers at once wait for each other instead of
 * filling the direct memory; and never lost, or scans would stop for good.
 */
class AnswerBudgetTest {
    private static final int KIB = 1024;

    @TempDir
    Path dir;

    @Test
    void largeAnswersWaitForRoomAndGiveItBack() throws Exception {
        final AnswerBudget budget = new AnswerBudget(256 * KIB, Duration.ofMillis(200));
        final AnswerBudget.Hold first = budget.new Hold();
        final AnswerBudget.Hold second = budget.new Hold();
        assertTrue(first.take(200 * KIB));
        assertEquals(56, budget.freeKib());
        assertTrue(second.take(AnswerBudget.SMALL_ANSWER_BYTES - 1), "a small answer takes no room");
        assertFalse(second.take(100 * KIB), "no room within the wait");
        first.giveBack();
        first.giveBack(); // close after cancel, or the other way round: given back once
        assertEquals(256, budget.freeKib());
        assertTrue(second.take(10_000 * KIB), "an answer larger than the budget goes alone");
        assertEquals(0, budget.freeKib());
        second.giveBack();
        final AnswerBudget.Hold cancelled = budget.new Hold();
        cancelled.giveBack();
        assertTrue(cancelled.take(100 * KIB));
        assertEquals(256, budget.freeKib(), "a call cancelled before its answer keeps nothing");
    }

    @Test
    void manyLargeRangesAtOnceAllAnswerAndLeaveTheBudgetWhole() throws Exception {
        final String url = "http://127.0.0.1:1";
        final ServerConfig config = ((ServerCommandLine.Outcome.Run)ServerCommandLine.parse(List.of(
            "--data-dir", dir.resolve("data").toString(), "--listen-client-urls", url, "--advertise-client-urls", url),
            Map.of(), "test", warning -> { })).config();
        final AnswerBudget budget = new AnswerBudget(512 * KIB, Duration.ofSeconds(30));
        final String name = "answer-budget-" + System.nanoTime();
        try (RaftKeyValueStore store = RaftKeyValueStore.open(config.storage().dataDir(), config.storage().walDir(),
                 Main.memberOptions(config));
             ScanExecutor scans = new ScanExecutor(2)) {
            final Callers callers = new Callers(store, Tokens.create(config.security().auth().tokens()));
            final KvService kv = new KvService(store, new ResponseHeaders(store.status().clusterId(),
                store.status().memberId(), store::raftTerm), new RequestSizeLimit(config.limits().maxRequestBytes(),
                RequestIds.largestFor(store.status().memberId())), config.limits().maxTxnOps(),
                new BackendQuota(config.limits().quotaBackendBytes()), new Alarms(store), scans, budget, callers);
            final Server server = InProcessServerBuilder.forName(name).directExecutor().addService(kv.bindService())
                .build().start();
            final ManagedChannel channel = InProcessChannelBuilder.forName(name).directExecutor().build();
            try {
                store.linearizableRead().get();
                final KVGrpc.KVBlockingStub blocking = KVGrpc.newBlockingStub(channel);
                final ByteString value = ByteString.copyFrom(new byte[1024]);
                for (int i = 0; i < 200; i++) {
                    blocking.put(PutRequest.newBuilder().setKey(ByteString.copyFromUtf8("k%04d".formatted(i)))
                        .setValue(value).build());
                }
                final List<ListenableFuture<RangeResponse>> ranges = new ArrayList<>();
                for (int i = 0; i < 32; i++) {
                    ranges.add(KVGrpc.newFutureStub(channel).range(RangeRequest.newBuilder()
                        .setKey(ByteString.copyFromUtf8("k")).setRangeEnd(ByteString.copyFromUtf8("l")).build()));
                }
                for (final ListenableFuture<RangeResponse> range : ranges) {
                    assertEquals(200, range.get(60, TimeUnit.SECONDS).getKvsCount()); // about 210 KB each
                }
                final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
                while (budget.freeKib() != 512 && System.nanoTime() < deadline) {
                    Thread.sleep(1);
                }
                assertEquals(512, budget.freeKib(), "every answer's room given back");
            } finally {
                channel.shutdownNow();
                server.shutdownNow();
            }
        }
    }
}
