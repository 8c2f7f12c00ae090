package io.cairn.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.cairn.engine.testing.ServerProcess;
import io.cairn.etcd.api.etcdserverpb.KVGrpc;
import io.cairn.etcd.api.etcdserverpb.PutRequest;
import io.cairn.etcd.api.etcdserverpb.RangeRequest;
import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A member's first requests load none of Netty's JFR event classes ({@link Main#NETTY_JFR_PROPERTY}):
 * with them on, the first request after a start paid about 0.1 s for them on the event loop. The
 * member runs as a process with the JVM's class-load log, answers a put and a read, and the log
 * must show Netty's buffers in use and no event class of Netty's loaded.
 */
class NettyJfrEventsIT {
    private static final long START_TIMEOUT_NANOS = TimeUnit.SECONDS.toNanos(60);

    @TempDir
    Path dir;

    @Test
    void firstRequestsLoadNoNettyJfrEvent() throws Exception {
        final Path classLog = dir.resolve("class-load.log");
        final int clientPort = ServerProcess.freePort();
        final String clientUrl = "http://127.0.0.1:" + clientPort;
        final String peerUrl = "http://127.0.0.1:" + ServerProcess.freePort();
        final List<String> command = new ArrayList<>(ServerProcess.cairnCommand());
        command.add(1, "-Xlog:class+load=info:file=" + classLog);
        command.addAll(List.of("--name", "default", "--data-dir", dir.resolve("data").toString(),
            "--listen-client-urls", clientUrl, "--advertise-client-urls", clientUrl,
            "--listen-peer-urls", peerUrl, "--initial-advertise-peer-urls", peerUrl,
            "--initial-cluster", "default=" + peerUrl));
        final Path serverLog = dir.resolve("server.log");
        final Process server = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(serverLog.toFile())
            .start();
        final ManagedChannel channel = NettyChannelBuilder.forAddress("127.0.0.1", clientPort).usePlaintext().build();
        try {
            final KVGrpc.KVBlockingStub kv = KVGrpc.newBlockingStub(channel);
            final ByteString key = ByteString.copyFromUtf8("k");
            putOnceServing(kv, server, serverLog, PutRequest.newBuilder().setKey(key)
                .setValue(ByteString.copyFromUtf8("v")).build());
            assertEquals("v", kv.withDeadlineAfter(5, TimeUnit.SECONDS).range(RangeRequest.newBuilder().setKey(key)
                .build()).getKvs(0).getValue().toStringUtf8());
        } finally {
            channel.shutdownNow();
            server.destroyForcibly().waitFor();
        }
        final List<String> nettyClasses = Files.readAllLines(classLog).stream()
            .filter(line -> line.contains("io.grpc.netty.shaded.io.netty.")).toList();
        assertTrue(nettyClasses.stream().anyMatch(line -> line.contains("netty.buffer.")),
            "the class-load log shows no Netty buffer class: it does not show the requests");
        final List<String> events = nettyClasses.stream()
            .filter(line -> line.matches(".*netty\\.buffer\\.\\w*Event source.*")).toList();
        assertTrue(events.isEmpty(), () -> "Netty's JFR events were loaded: " + events);
    }

    private static void putOnceServing(final KVGrpc.KVBlockingStub kv, final Process server, final Path serverLog,
        final PutRequest put) throws Exception {
        final long deadline = System.nanoTime() + START_TIMEOUT_NANOS;
        while (true) {
            assertTrue(server.isAlive(), () -> "the member exited: " + read(serverLog));
            try {
                kv.withDeadlineAfter(1, TimeUnit.SECONDS).put(put);
                return;
            } catch (final StatusRuntimeException notYet) {
                assertTrue(System.nanoTime() < deadline, () -> "the member did not serve in time: " + read(serverLog));
                Thread.sleep(50);
            }
        }
    }

    private static String read(final Path log) {
        try {
            return Files.readString(log);
        } catch (final java.io.IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }
}
