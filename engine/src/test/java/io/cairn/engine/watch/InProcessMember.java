package io.cairn.engine.watch;

import io.cairn.engine.mvcc.History;
import io.cairn.engine.mvcc.OpResult;
import io.cairn.engine.mvcc.TxnOp;
import io.cairn.engine.node.MemberOptions;
import io.cairn.engine.node.RaftKeyValueStore;
import io.cairn.engine.server.CairnServer;
import io.cairn.engine.server.ResponseHeaders;
import io.cairn.engine.server.WatchProtos;
import io.cairn.engine.server.WatchService;
import io.cairn.engine.testing.ServerProcess;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.UnaryOperator;

/**
 * A Raft-backed member and its watch service in this JVM, on a loopback port, with watch settings
 * the test chooses (small stream queues, short progress intervals). Writes go straight to the store.
 */
final class InProcessMember implements AutoCloseable {
    private static final long MEMBER_ID = 1;
    private static final int MAX_VALUE_BYTES = 2 << 20;
    private static final int CLIENT_WINDOW_BYTES = 64 << 10;

    final RaftKeyValueStore store;
    final WatchHub hub;
    private final Server server;
    final ManagedChannel channel;
    private final Path dir;

    private InProcessMember(final RaftKeyValueStore store, final WatchHub hub, final Server server,
        final ManagedChannel channel, final Path dir) {
        this.store = store;
        this.hub = hub;
        this.server = server;
        this.channel = channel;
        this.dir = dir;
    }

    static InProcessMember start(final WatchHub.Settings settings) throws IOException {
        return start(settings, null);
    }

    /**
     * A member whose watch hub reads the store through {@code around} (a test's fault injection),
     * wired as {@link CairnServer#startWatchHub} wires it; null for the server's own wiring.
     */
    static InProcessMember start(final WatchHub.Settings settings, final UnaryOperator<HistorySource> around)
        throws IOException {
        final Path dir = Files.createTempDirectory("cairn-watch-test");
        final RaftKeyValueStore store = RaftKeyValueStore.open(dir, dir.resolve("wal"),
            MemberOptions.defaults(MEMBER_ID).withMaxRequestBytes(MAX_VALUE_BYTES));
        final ResponseHeaders headers = new ResponseHeaders(1, MEMBER_ID, store::raftTerm);
        final WatchHub hub;
        if (around == null) {
            hub = CairnServer.startWatchHub(store, headers, settings);
        } else {
            hub = new WatchHub(around.apply(new HistorySource() {
                @Override
                public <T> T read(final Function<History, T> reader) {
                    return store.readHistory(reader);
                }
            }), new WatchProtos(headers), settings);
            store.onRevisionCommitted(hub::revisionCommitted);
            hub.start();
        }
        final int port = ServerProcess.freePort();
        final Server server = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", port))
            .directExecutor().addService(new WatchService(hub, headers, WatchService.WatchPermissions.NONE)).build().start();
        final ManagedChannel channel = NettyChannelBuilder.forAddress("127.0.0.1", port).usePlaintext()
            // A small HTTP/2 window, so a client that does not read holds the server back soon.
            .flowControlWindow(CLIENT_WINDOW_BYTES).maxInboundMessageSize(16 << 20).build();
        return new InProcessMember(store, hub, server, channel, dir);
    }

    long put(final String key, final String value) {
        return put(key, value.getBytes(StandardCharsets.UTF_8));
    }

    long put(final String key, final byte[] value) {
        return store.put(new TxnOp.Put(key.getBytes(StandardCharsets.UTF_8), value, 0, false, false, false))
            .join().revision();
    }

    OpResult.DeleteRange delete(final String key) {
        return store.deleteRange(new TxnOp.DeleteRange(
            io.cairn.engine.mvcc.KeyRange.of(key.getBytes(StandardCharsets.UTF_8), new byte[0]), true)).join();
    }

    @Override
    public void close() throws IOException {
        channel.shutdownNow();
        server.shutdownNow();
        try {
            server.awaitTermination(5, TimeUnit.SECONDS);
        } catch (final InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        hub.close();
        store.close();
        ServerProcess.deleteRecursively(dir);
    }
}
