package io.cairn.engine.server;

import io.cairn.etcd.api.etcdserverpb.KVGrpc;
import io.cairn.etcd.api.etcdserverpb.LeaseGrpc;
import io.cairn.etcd.api.etcdserverpb.MaintenanceGrpc;
import io.cairn.etcd.api.etcdserverpb.WatchGrpc;
import io.cairn.posix.NativePosix;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.netty.shaded.io.netty.buffer.ByteBufAllocator;
import io.grpc.netty.shaded.io.netty.channel.ChannelHandler;
import io.grpc.netty.shaded.io.netty.channel.ChannelInitializer;
import io.grpc.netty.shaded.io.netty.channel.DefaultChannelId;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.lang.management.ManagementFactory;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.ZoneId;

/**
 * Work a starting member will need, done on a second thread while the main thread sets up logging
 * and opens the storage: the time zone, SHA-1, the native calls' method handles, the gRPC
 * services' descriptors, Netty, the metrics registry and the JDK's platform MXBeans. Each is a
 * class initialisation, which the JVM runs once, whichever thread asks first (the other waits for
 * it), so nothing here changes what the member does; the member only starts sooner on a machine
 * with a core to spare.
 */
public final class StartupPreload {
    private StartupPreload() {
    }

    /** Starts the preload on a daemon thread; a failure here is left for the main thread to meet. */
    public static void start() {
        Thread.ofPlatform().name("cairn-preload").daemon().start(() -> {
            try {
                // First what the main thread needs first: the log formatter's time zone (the JDK's
                // time-zone rules, read from its tzdb file) and SHA-1 for the member ids (the
                // security providers and their policy): 25-30 ms of its start otherwise.
                ZoneId.systemDefault();
                MessageDigest.getInstance("SHA-1");
                NativePosix.INSTANCE.getClass();
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
                ChannelInitializer.class.isAnnotationPresent(ChannelHandler.Sharable.class);
                // Netty's default allocator and a channel id's process and machine parts: made at the
                // first channel, the client port's, on its event loop while the main thread waits.
                ByteBufAllocator.DEFAULT.getClass();
                DefaultChannelId.newInstance();
            } catch (final ClassNotFoundException | NoSuchAlgorithmException | RuntimeException | LinkageError ignored) {
                // The main thread initialises the same classes and reports what is wrong.
            }
        });
    }
}
