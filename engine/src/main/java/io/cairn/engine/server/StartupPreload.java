package io.cairn.engine.server;

import io.cairn.etcd.api.etcdserverpb.KVGrpc;
import io.cairn.etcd.api.etcdserverpb.LeaseGrpc;
import io.cairn.etcd.api.etcdserverpb.MaintenanceGrpc;
import io.cairn.etcd.api.etcdserverpb.WatchGrpc;
import io.cairn.engine.ops.CompilerThreads;
import io.cairn.posix.NativePosix;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.netty.shaded.io.netty.buffer.ByteBufAllocator;
import io.grpc.netty.shaded.io.netty.channel.ChannelHandler;
import io.grpc.netty.shaded.io.netty.channel.ChannelInitializer;
import io.grpc.netty.shaded.io.netty.channel.DefaultChannelId;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.ZoneId;
import java.util.List;

/**
 * Work a starting member will need, done on a second thread while the main thread sets up logging
 * and opens the storage: the native calls' method handles, the time zone, SHA-1, the gRPC
 * services' descriptors, Netty, the metrics registry, the JDK's platform MXBeans and its locale
 * data. Each is a class initialisation, which the JVM runs once, whichever thread asks first (the
 * other waits for it), so none changes what the member does; the member only starts sooner on a
 * machine with a core to spare. One thing more, first: the JIT's compiler threads are put on idle
 * CPU until the member serves ({@link CompilerThreads}).
 */
public final class StartupPreload {
    private static final System.Logger LOG = System.getLogger(StartupPreload.class.getName());

    private StartupPreload() {
    }

    /**
     * The classes with static initialisers that a client's first call initialises on its event loop
     * (HTTP/2's handler, codec and HPACK tables, buffers, gRPC's server stream, protobuf's output):
     * the AOT cache loads and links them, but runs no static initialiser ({@code -Xlog:class+init}
     * of a restarted member's first Range: 419 classes, 150 with an initialiser, about 25 ms between
     * the port opening and the first answer). By name: most are package-private. A name that a later
     * gRPC or Netty no longer has would be skipped; StartupPreloadTest catches it first.
     */
    static final List<String> FIRST_CALL_CLASSES = List.of(
        "io.grpc.netty.shaded.io.grpc.netty.NettyServerTransport",
        "io.grpc.netty.shaded.io.grpc.netty.NettyServerHandler",
        "io.grpc.netty.shaded.io.grpc.netty.NettyServerStream",
        "io.grpc.netty.shaded.io.netty.handler.codec.http.HttpResponseStatus",
        "io.grpc.netty.shaded.io.netty.handler.codec.http.HttpHeaderNames",
        "io.grpc.netty.shaded.io.netty.handler.codec.http.HttpHeaderValues",
        "io.grpc.netty.shaded.io.netty.handler.codec.http.HttpMethod",
        "io.grpc.netty.shaded.io.netty.handler.codec.http2.ReadOnlyHttp2Headers",
        "io.grpc.netty.shaded.io.netty.handler.codec.http2.HpackDecoder",
        "io.grpc.netty.shaded.io.netty.handler.codec.http2.HpackHuffmanDecoder",
        "io.grpc.netty.shaded.io.netty.handler.codec.http2.HpackEncoder",
        "io.grpc.netty.shaded.io.netty.handler.codec.http2.HpackStaticTable",
        "io.grpc.netty.shaded.io.netty.handler.codec.http2.Http2CodecUtil",
        "io.grpc.netty.shaded.io.netty.handler.codec.http2.DefaultHttp2FrameReader",
        "io.grpc.netty.shaded.io.netty.handler.codec.http2.DefaultHttp2FrameWriter",
        "io.grpc.netty.shaded.io.netty.handler.codec.http2.DefaultHttp2Connection",
        "io.grpc.netty.shaded.io.netty.handler.codec.http2.DefaultHttp2RemoteFlowController",
        "io.grpc.netty.shaded.io.netty.handler.codec.http2.DefaultHttp2LocalFlowController",
        "io.grpc.netty.shaded.io.netty.handler.codec.http2.DefaultHttp2ConnectionDecoder",
        "io.grpc.netty.shaded.io.netty.buffer.Unpooled",
        "io.grpc.netty.shaded.io.netty.buffer.PoolChunk",
        "io.grpc.netty.shaded.io.netty.util.ReferenceCountUtil",
        "io.grpc.internal.KeepAliveEnforcer",
        "io.grpc.internal.KeepAliveManager",
        "io.grpc.internal.ServerCallImpl",
        "io.grpc.internal.MessageDeframer",
        "io.perfmark.PerfMark",
        "com.google.protobuf.CodedOutputStream");

    private static void initialise(final List<String> names) {
        final ClassLoader loader = StartupPreload.class.getClassLoader();
        for (final String name : names) {
            try {
                Class.forName(name, true, loader);
            } catch (final ClassNotFoundException | LinkageError skipped) {
                // Only time is lost: the event loop initialises whatever there is when it needs it.
            }
        }
    }

    /** The JIT on idle CPU until the member serves; a JVM whose threads cannot be found just runs as it is. */
    private static void lowerCompilerThreads(final CompilerThreads compilerThreads) {
        try {
            compilerThreads.lowerWhileStarting();
        } catch (final IOException | RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "cannot lower the JIT compiler threads' priority: " + e.getMessage());
        }
    }

    /**
     * Starts the preload on a daemon thread; a failure here is left for the main thread to meet.
     * {@code compilerThreads} are lowered first; whoever sees the member serve restores them.
     */
    public static void start(final CompilerThreads compilerThreads) {
        Thread.ofPlatform().name("cairn-preload").daemon().start(() -> {
            try {
                // First the JIT's compiler threads to the lowest priority, through the native
                // calls (their method handles take 60-90 ms to make): the sooner they run on idle
                // CPU only, the more of the start's CPU is the main thread's.
                NativePosix.INSTANCE.getClass();
                lowerCompilerThreads(compilerThreads);
                // Then what the main thread needs first: the log formatter's time zone (the JDK's
                // time-zone rules, read from its tzdb file) and SHA-1 for the member ids (the
                // security providers and their policy): 25-30 ms of its start otherwise.
                ZoneId.systemDefault();
                MessageDigest.getInstance("SHA-1");
                KVGrpc.getServiceDescriptor();
                WatchGrpc.getServiceDescriptor();
                LeaseGrpc.getServiceDescriptor();
                MaintenanceGrpc.getServiceDescriptor();
                Class.forName(NettyServerBuilder.class.getName(), true, StartupPreload.class.getClassLoader());
                PrometheusRegistry.defaultRegistry.getClass();
                // The process metrics' platform MXBeans (the JDK's management service, its native
                // library), and Netty's first look at a handler's @Sharable: the annotation's proxy
                // class is generated then, while the server's bind waits on its event loop.
                ManagementFactory.getOperatingSystemMXBean();
                ManagementFactory.getRuntimeMXBean();
                // gRPC names its timer thread with String.format when the JSON gateway's in-process
                // server starts, on the main thread after the data dir opens; a format's first
                // number loads the JDK's locale data: 24-64 ms there otherwise.
                String.format("%d", 0);
                ChannelInitializer.class.isAnnotationPresent(ChannelHandler.Sharable.class);
                // Netty's default allocator and a channel id's process and machine parts: made at the
                // first channel, the client port's, on its event loop while the main thread waits.
                ByteBufAllocator.DEFAULT.getClass();
                DefaultChannelId.newInstance();
                initialise(FIRST_CALL_CLASSES);
            } catch (final ClassNotFoundException | NoSuchAlgorithmException | RuntimeException | LinkageError ignored) {
                // The main thread initialises the same classes and reports what is wrong.
            }
        });
    }
}
