package io.cairn.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.cairn.engine.testing.ServerProcess;
import io.cairn.etcd.api.etcdserverpb.KVGrpc;
import io.cairn.etcd.api.etcdserverpb.PutRequest;
import io.cairn.etcd.api.etcdserverpb.RangeRequest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A member's requests load none of Netty's JFR event classes ({@link Main#NETTY_JFR_PROPERTY}: with
 * them on, the first request after a start paid about 0.1 s for them on the event loop) and none of
 * its leak tracking ({@link Main#NETTY_LEAK_DETECTION_PROPERTY}: at Netty's default level one buffer
 * in 128 is tracked, with a stack trace). The member runs as a process with the JVM's class-load log
 * and answers {@link #PUTS} puts and a read; the log must show Netty's buffers in use, and neither.
 */
class NettyDiagnosticsIT {
    /** Enough buffers that the default sampling (one in 128) tracks some: each put takes a few. */
    private static final int PUTS = 300;

    @TempDir
    Path dir;

    @Test
    void requestsLoadNeitherNettysJfrEventsNorItsLeakTracking() throws Exception {
        final Path classLog = dir.resolve("class-load.log");
        final int clientPort = ServerProcess.freePort();
        final String clientUrl = "http://127.0.0.1:" + clientPort;
        final String peerUrl = "http://127.0.0.1:" + ServerProcess.freePort();
        final List<String> command = new ArrayList<>(
            ServerProcess.cairnCommand(List.of("-Xlog:class+load=info:file=" + classLog)));
        command.addAll(List.of("--name", "default", "--data-dir", dir.resolve("data").toString(),
            "--listen-client-urls", clientUrl, "--advertise-client-urls", clientUrl,
            "--listen-peer-urls", peerUrl, "--initial-advertise-peer-urls", peerUrl,
            "--initial-cluster", "default=" + peerUrl));
        try (ServerProcess member = ServerProcess.launch(command, clientPort, peerUrl, dir.resolve("server.log"))) {
            member.awaitServing();
            final KVGrpc.KVBlockingStub kv = KVGrpc.newBlockingStub(member.channel()).withDeadlineAfter(5,
                TimeUnit.SECONDS);
            final ByteString key = ByteString.copyFromUtf8("k");
            for (int i = 0; i < PUTS; i++) {
                kv.put(PutRequest.newBuilder().setKey(key).setValue(ByteString.copyFromUtf8("v")).build());
            }
            assertEquals("v", kv.range(RangeRequest.newBuilder().setKey(key).build()).getKvs(0).getValue()
                .toStringUtf8());
        }
        final List<String> nettyClasses = Files.readAllLines(classLog).stream()
            .filter(line -> line.contains("io.grpc.netty.shaded.io.netty.")).toList();
        assertTrue(nettyClasses.stream().anyMatch(line -> line.contains("netty.buffer.")),
            "the class-load log shows no Netty buffer class: it does not show the requests");
        final List<String> events = nettyClasses.stream()
            .filter(line -> line.matches(".*netty\\.buffer\\.\\w*Event source.*")).toList();
        assertTrue(events.isEmpty(), () -> "Netty's JFR events were loaded: " + events);
        // The record of one tracked buffer (the leak-aware buffer classes load anyway, for verification).
        final List<String> leakTracking = nettyClasses.stream()
            .filter(line -> line.contains("ResourceLeakDetector$DefaultResourceLeak ")).toList();
        assertTrue(leakTracking.isEmpty(), () -> "Netty tracked buffers for leaks: " + leakTracking);
    }
}
