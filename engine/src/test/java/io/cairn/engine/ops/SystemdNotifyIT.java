package io.cairn.engine.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.cairn.engine.testing.ServerProcess;
import io.cairn.engine.testing.ThreeMembers;
import io.cairn.etcd.api.etcdserverpb.KVGrpc;
import io.cairn.etcd.api.etcdserverpb.RangeRequest;
import io.cairn.posix.UnixDatagramSocket;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * systemd's Type=notify, with the test standing in for systemd: it binds the socket, names it in
 * NOTIFY_SOCKET and starts the server as the seed's unit would. READY=1 must come, and only once the
 * member answers; etcd is held to the same. On SIGTERM Cairn also says STOPPING=1.
 */
class SystemdNotifyIT {
    @TempDir
    Path dir;

    static List<ServerProcess.Kind> kinds() {
        return ThreeMembers.kinds().toList();
    }

    @ParameterizedTest
    @MethodSource("kinds")
    void readyOnceServingAndStoppingOnSigterm(final ServerProcess.Kind kind) throws Exception {
        final String socket = dir.resolve("notify").toString();
        final int clientPort = ServerProcess.freePort();
        final String clientUrl = "http://127.0.0.1:" + clientPort;
        final String peerUrl = "http://127.0.0.1:" + ServerProcess.freePort();
        final List<String> command = new ArrayList<>(kind == ServerProcess.Kind.ETCD ? List.of("/usr/bin/etcd")
            : ServerProcess.cairnCommand());
        command.addAll(List.of("--name", "default", "--data-dir", dir.resolve("data").toString(),
            "--listen-client-urls", clientUrl, "--advertise-client-urls", clientUrl,
            "--listen-peer-urls", peerUrl, "--initial-advertise-peer-urls", peerUrl,
            "--initial-cluster", "default=" + peerUrl));
        final Path log = dir.resolve("server.log");
        try (UnixDatagramSocket systemd = UnixDatagramSocket.bind(socket)) {
            final ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(log.toFile());
            builder.environment().put(SystemdNotify.ENVIRONMENT, socket);
            final Process server = builder.start();
            final ManagedChannel channel = NettyChannelBuilder.forAddress("127.0.0.1", clientPort).usePlaintext()
                .build();
            try {
                assertEquals("READY=1", systemd.receive(Duration.ofSeconds(60)), () -> log(log));
                // Ready means serving: a linearizable Range answers at once.
                KVGrpc.newBlockingStub(channel).withDeadlineAfter(2, TimeUnit.SECONDS)
                    .range(RangeRequest.newBuilder().setKey(ByteString.copyFromUtf8("k")).build());

                server.destroy(); // SIGTERM, as systemctl stop sends
                assertTrue(server.waitFor(30, TimeUnit.SECONDS), "no exit within 30 s of SIGTERM");
                final String afterStop = systemd.receive(Duration.ofMillis(500));
                if (kind == ServerProcess.Kind.CAIRN) {
                    assertEquals("STOPPING=1", afterStop, () -> log(log));
                } else {
                    assertNull(afterStop, "etcd 3.4 sends nothing on stop");
                }
            } finally {
                channel.shutdownNow();
                server.destroyForcibly().waitFor();
            }
        }
    }

    private static String log(final Path log) {
        try {
            return Files.readString(log);
        } catch (final java.io.IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }
}
