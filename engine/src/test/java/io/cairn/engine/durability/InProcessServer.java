package io.cairn.engine.durability;

import io.cairn.engine.Main;
import io.cairn.engine.config.ServerCommandLine;
import io.cairn.engine.config.ServerConfig;
import io.cairn.engine.node.MemberOptions;
import io.cairn.engine.node.RaftKeyValueStore;
import io.cairn.engine.server.CairnServer;
import io.cairn.engine.testing.ServerProcess;
import io.cairn.posix.Posix;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;

/**
 * A member and its gRPC server in this JVM on a free loopback port, its files through the given
 * {@link Posix} (a fault layer in the crash and disk-error tests), started from etcd's flags as
 * bin/cairn would be, with small WAL segments and --snapshot-count so segments are released.
 */
final class InProcessServer implements AutoCloseable {
    static final List<String> FLAGS = List.of("--snapshot-count", "20", "--max-request-bytes", "16384",
        "--cairn-test-wal-segment-bytes", Integer.toString(128 << 10));

    final RaftKeyValueStore store;
    final CairnServer server;
    final ManagedChannel channel;

    private InProcessServer(final RaftKeyValueStore store, final CairnServer server, final ManagedChannel channel) {
        this.store = store;
        this.server = server;
        this.channel = channel;
    }

    static InProcessServer start(final Path data, final Posix posix) throws Exception {
        return start(data, posix, options -> options);
    }

    /** {@code tweak} changes what the flags do not reach (a test's shorter request timeout, say). */
    static InProcessServer start(final Path data, final Posix posix, final UnaryOperator<MemberOptions> tweak)
        throws Exception {
        final int port = ServerProcess.freePort();
        final String url = "http://127.0.0.1:" + port;
        final List<String> args = new java.util.ArrayList<>(List.of("--data-dir", data.toString(),
            "--listen-client-urls", url, "--advertise-client-urls", url));
        args.addAll(FLAGS);
        final ServerConfig config = ((ServerCommandLine.Outcome.Run)ServerCommandLine.parse(args, Map.of(), "test",
            warning -> { })).config();
        final RaftKeyValueStore store = RaftKeyValueStore.open(config.storage().dataDir(), config.storage().walDir(),
            tweak.apply(Main.memberOptions(config)), posix);
        final CairnServer server;
        try {
            server = CairnServer.start(config, store);
        } catch (final Exception e) {
            store.close();
            throw e;
        }
        return new InProcessServer(store, server, NettyChannelBuilder.forAddress("127.0.0.1", port).usePlaintext()
            .build());
    }

    /** Stops everything that uses the files (a member whose disk failed may not close cleanly). */
    @Override
    public void close() {
        channel.shutdownNow();
        server.close();
        try {
            store.close();
        } catch (final Exception diskGone) {
            // What matters is that its threads stopped and its map is unmapped.
        }
    }
}
