package io.cairn.engine.differential;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.cairn.engine.testing.ServerProcess;
import io.cairn.etcd.api.etcdserverpb.KVGrpc;
import io.cairn.etcd.api.etcdserverpb.RangeRequest;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A new member whose client or peer port is taken, started as etcd and as Cairn: both refuse to
 * start, and neither leaves a data dir or WAL dir behind, so the start after the port is freed
 * takes its flags (here a new --initial-cluster-token, so a new cluster id) as a first start does.
 */
class PortInUseDifferentialIT {
    private static final long EXIT_TIMEOUT_MILLIS = 60_000;

    @Test
    void aRefusedFirstStartLeavesNothingAndTheNextTakesItsFlags() throws Exception {
        // The same ports for both servers: a cluster id comes from the peer URLs and the token.
        final int[] ports = {ServerProcess.freePort(), ServerProcess.freePort(), ServerProcess.freePort(),
            ServerProcess.freePort()};
        assertEquals(session(ServerProcess.Kind.ETCD, ports), session(ServerProcess.Kind.CAIRN, ports));
    }

    private static List<String> session(final ServerProcess.Kind kind, final int[] ports) throws Exception {
        final List<String> seen = new ArrayList<>();
        final Path parent = Files.createTempDirectory("port-in-use-" + kind.name().toLowerCase(java.util.Locale.ROOT));
        try {
            for (final boolean clientTaken : new boolean[] {true, false}) {
                final Path dataDir = parent.resolve(clientTaken ? "client" : "peer").resolve("data");
                final Path walDir = parent.resolve("wal-" + clientTaken);
                final int clientPort = ports[clientTaken ? 0 : 2];
                final int peerPort = ports[clientTaken ? 1 : 3];
                final ServerSocket taken = new ServerSocket(clientTaken ? clientPort : peerPort, 1,
                    InetAddress.getLoopbackAddress());
                try {
                    seen.add("exit " + refusedStart(kind, parent, dataDir, walDir, clientPort, peerPort));
                } finally {
                    taken.close();
                }
                seen.add("data dir left: " + Files.exists(dataDir.getParent()) + ", wal dir left: " + Files.exists(walDir));
                // The port is free again: the same data dir starts as a new member, with the new token.
                Files.createDirectories(dataDir.getParent()); // for the log file beside it
                try (ServerProcess server = ServerProcess.start(kind, clientPort, peerPort, dataDir,
                    "--wal-dir", walDir.toString(), "--initial-cluster-token", "second")) {
                    final long clusterId = KVGrpc.newBlockingStub(server.channel()).withDeadlineAfter(30, TimeUnit.SECONDS)
                        .range(RangeRequest.newBuilder().setKey(com.google.protobuf.ByteString.copyFromUtf8("k")).build())
                        .getHeader().getClusterId();
                    seen.add("cluster id after the port was freed: " + Long.toHexString(clusterId));
                }
            }
        } finally {
            ServerProcess.deleteRecursively(parent);
        }
        return seen;
    }

    /** Starts a new member with the token "first" on a port that is taken; its exit status. */
    private static int refusedStart(final ServerProcess.Kind kind, final Path parent, final Path dataDir,
        final Path walDir, final int clientPort, final int peerPort) throws Exception {
        final String clientUrl = "http://127.0.0.1:" + clientPort;
        final String peerUrl = "http://127.0.0.1:" + peerPort;
        final Path log = parent.resolve("refused.log");
        try (ServerProcess server = ServerProcess.launch(kind, clientPort, peerUrl, log, List.of(
            "--name", "default", "--data-dir", dataDir.toString(), "--wal-dir", walDir.toString(),
            "--listen-client-urls", clientUrl, "--advertise-client-urls", clientUrl,
            "--listen-peer-urls", peerUrl, "--initial-advertise-peer-urls", peerUrl,
            "--initial-cluster", "default=" + peerUrl, "--initial-cluster-token", "first"))) {
            final int exit = server.awaitExit(EXIT_TIMEOUT_MILLIS);
            if (exit != 1) {
                throw new AssertionError(kind + " did not refuse to start (exit " + exit + "): " + server.log());
            }
            return exit;
        }
    }
}
