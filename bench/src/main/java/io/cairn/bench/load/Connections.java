package io.cairn.bench.load;

import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.netty.channel.EventLoop;
import io.grpc.netty.shaded.io.netty.channel.EventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.MultiThreadIoEventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.epoll.Epoll;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollIoHandler;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollSocketChannel;
import io.grpc.netty.shaded.io.netty.channel.nio.NioIoHandler;
import io.grpc.netty.shaded.io.netty.channel.socket.nio.NioSocketChannel;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * {@code --conns} gRPC connections to one endpoint ("http://host:port" or "host:port"), or spread
 * round-robin over the members of a cluster ({@link EndpointGroup}).
 */
public final class Connections implements AutoCloseable {
    private static final int MESSAGE_BYTES_MAX = 16 * 1024 * 1024;

    private final List<ManagedChannel> channels;
    /** One per channel when opened with {@link #openOnOwnEventLoops}, else empty (gRPC's shared group). */
    private final List<EventLoopGroup> eventLoops;

    private Connections(final List<ManagedChannel> channels, final List<EventLoopGroup> eventLoops) {
        this.channels = channels;
        this.eventLoops = eventLoops;
    }

    /** Channels on gRPC's shared event loops. */
    public static Connections open(final String endpoint, final int count) {
        return open(lone(endpoint), count);
    }

    /** As {@link #open(String, int)}, channel i to the group's member i mod members. */
    public static Connections open(final EndpointGroup endpoints, final int count) {
        checkCount(count);
        final List<ManagedChannel> channels = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            channels.add(builder(EndpointGroup.url(endpoints.memberOf(i))).build());
        }
        return new Connections(channels, List.of());
    }

    /**
     * Each channel on an event loop thread of its own that the caller can also run work on
     * ({@link #eventLoop}): a request started there leaves without waking another thread, as a
     * goroutine's request does in etcd's benchmark tool.
     */
    public static Connections openOnOwnEventLoops(final String endpoint, final int count) {
        return openOnOwnEventLoops(lone(endpoint), count);
    }

    /** As {@link #openOnOwnEventLoops(String, int)}, channel i to the group's member i mod members. */
    public static Connections openOnOwnEventLoops(final EndpointGroup endpoints, final int count) {
        checkCount(count);
        final boolean epoll = Epoll.isAvailable();
        final List<ManagedChannel> channels = new ArrayList<>();
        final List<EventLoopGroup> eventLoops = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1,
                epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory());
            eventLoops.add(group);
            channels.add(builder(EndpointGroup.url(endpoints.memberOf(i))).eventLoopGroup(group)
                .channelType(epoll ? EpollSocketChannel.class : NioSocketChannel.class).build());
        }
        return new Connections(channels, eventLoops);
    }

    /** One server, taken as given (no '+' splitting). */
    private static EndpointGroup lone(final String endpoint) {
        EndpointGroup.url(endpoint);
        return new EndpointGroup(endpoint, List.of(endpoint));
    }

    private static void checkCount(final int count) {
        if (count < 1) {
            throw new IllegalArgumentException("--conns must be positive");
        }
    }

    private static NettyChannelBuilder builder(final URI url) {
        return NettyChannelBuilder.forAddress(url.getHost(), url.getPort()).usePlaintext()
            .maxInboundMessageSize(MESSAGE_BYTES_MAX)
            // Answers are handled where they arrive: a hand-off per answer costs more than the handling.
            .directExecutor();
    }

    public List<ManagedChannel> channels() {
        return channels;
    }

    /** The event loop thread of channel {@code index}; only for connections opened on their own event loops. */
    public EventLoop eventLoop(final int index) {
        if (eventLoops.isEmpty()) {
            throw new IllegalStateException("these channels use gRPC's shared event loops");
        }
        return eventLoops.get(index).next();
    }

    @Override
    public void close() {
        channels.forEach(ManagedChannel::shutdown);
        try {
            for (final ManagedChannel channel : channels) {
                if (!channel.awaitTermination(5, TimeUnit.SECONDS)) {
                    channel.shutdownNow();
                }
            }
        } catch (final InterruptedException e) {
            channels.forEach(ManagedChannel::shutdownNow);
            Thread.currentThread().interrupt();
        }
        eventLoops.forEach(EventLoopGroup::shutdownGracefully);
    }
}
