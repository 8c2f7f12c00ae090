package io.cairn.engine.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.cairn.engine.Main;
import io.cairn.engine.api.EtcdError;
import io.cairn.engine.api.EtcdException;
import io.cairn.engine.auth.Tokens;
import io.cairn.engine.cluster.RequestIds;
import io.cairn.engine.config.ServerCommandLine;
import io.cairn.engine.config.ServerConfig;
import io.cairn.engine.node.RaftKeyValueStore;
import io.cairn.etcd.api.etcdserverpb.KVGrpc;
import io.cairn.etcd.api.etcdserverpb.PutRequest;
import io.cairn.etcd.api.etcdserverpb.RangeRequest;
import io.cairn.etcd.api.etcdserverpb.RequestOp;
import io.cairn.etcd.api.etcdserverpb.TxnRequest;
import io.cairn.etcd.api.etcdserverpb.TxnResponse;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A write Txn whose answer carries many bytes (its ranges) is built and sent from a scan thread,
 * not from the member's thread that applied it, which would hold every later write meanwhile; a
 * small one is answered where it was applied; and with no scan thread free the large one is still
 * answered (the Txn was applied: refusing it would have a client retry it).
 */
class WriteTxnAnswersTest {
    private static final int KEYS = 200;

    @TempDir
    Path dir;

    @Test
    void largeWriteTxnAnswersLeaveTheApplyingThread() throws Exception {
        final AtomicInteger handedOver = new AtomicInteger();
        final Executor scans = task -> {
            handedOver.incrementAndGet();
            Thread.ofPlatform().name("test-scan").start(task);
        };
        try (Member member = new Member(dir.resolve("a"), scans)) {
            final KVGrpc.KVBlockingStub kv = member.kv();
            loadKeys(kv);

            final TxnResponse large = kv.txn(putThenRangeAll("large"));
            assertEquals(KEYS, large.getResponses(1).getResponseRange().getKvsCount());
            assertEquals(1, handedOver.get(), "a 200 KB answer is built on a scan thread");

            final TxnResponse small = kv.txn(TxnRequest.newBuilder().addSuccess(put("small")).build());
            assertTrue(small.getSucceeded());
            assertEquals(1, handedOver.get(), "a put's answer stays where it was applied");
        }
    }

    @Test
    void withEveryScanSlotTakenTheAppliedTxnIsStillAnswered() throws Exception {
        final Executor full = task -> {
            throw new EtcdException(EtcdError.TOO_MANY_REQUESTS);
        };
        try (Member member = new Member(dir.resolve("b"), full)) {
            final KVGrpc.KVBlockingStub kv = member.kv();
            loadKeys(kv);
            final TxnResponse large = kv.txn(putThenRangeAll("large"));
            assertEquals(KEYS, large.getResponses(1).getResponseRange().getKvsCount());
            assertEquals(1, kv.range(RangeRequest.newBuilder().setKey(ByteString.copyFromUtf8("large")).build())
                .getKvsCount(), "the Txn was applied once");
        }
    }

    private static void loadKeys(final KVGrpc.KVBlockingStub kv) {
        final ByteString value = ByteString.copyFrom(new byte[1024]);
        for (int i = 0; i < KEYS; i++) {
            kv.put(PutRequest.newBuilder().setKey(ByteString.copyFromUtf8("k%04d".formatted(i))).setValue(value).build());
        }
    }

    private static TxnRequest putThenRangeAll(final String key) {
        return TxnRequest.newBuilder().addSuccess(put(key))
            .addSuccess(RequestOp.newBuilder().setRequestRange(RangeRequest.newBuilder()
                .setKey(ByteString.copyFromUtf8("k")).setRangeEnd(ByteString.copyFromUtf8("l")))).build();
    }

    private static RequestOp put(final String key) {
        return RequestOp.newBuilder().setRequestPut(PutRequest.newBuilder().setKey(ByteString.copyFromUtf8(key))
            .setValue(ByteString.copyFromUtf8("v"))).build();
    }

    /** One member in this JVM and its KV service on an in-process channel. */
    private static final class Member implements AutoCloseable {
        private final RaftKeyValueStore store;
        private final Server server;
        private final ManagedChannel channel;

        Member(final Path data, final Executor scans) throws Exception {
            final String url = "http://127.0.0.1:1";
            final ServerConfig config = ((ServerCommandLine.Outcome.Run)ServerCommandLine.parse(List.of(
                "--data-dir", data.toString(), "--listen-client-urls", url, "--advertise-client-urls", url),
                Map.of(), "test", warning -> { })).config();
            store = RaftKeyValueStore.open(config.storage().dataDir(), config.storage().walDir(),
                Main.memberOptions(config));
            final Callers callers = new Callers(store, Tokens.create(config.security().auth().tokens()));
            final KvService kv = new KvService(store, new ResponseHeaders(store.status().clusterId(),
                store.status().memberId(), store::raftTerm), new RequestSizeLimit(config.limits().maxRequestBytes(),
                RequestIds.largestFor(store.status().memberId())), config.limits().maxTxnOps(),
                new BackendQuota(config.limits().quotaBackendBytes()), new Alarms(store), scans,
                new AnswerBudget(64L << 20, Duration.ofSeconds(5)), callers);
            final String name = "write-txn-answers-" + System.nanoTime();
            server = InProcessServerBuilder.forName(name).directExecutor().addService(kv.bindService()).build().start();
            channel = InProcessChannelBuilder.forName(name).directExecutor().build();
            store.linearizableRead().get();
        }

        KVGrpc.KVBlockingStub kv() {
            return KVGrpc.newBlockingStub(channel);
        }

        @Override
        public void close() throws java.io.IOException {
            channel.shutdownNow();
            server.shutdownNow();
            store.close();
        }
    }
}
