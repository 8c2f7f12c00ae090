package io.cairn.bench.load;

import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** {@code --conns} gRPC connections to one endpoint ("http://host:port" or "host:port"). */
public final class Connections implements AutoCloseable {
    private static final int MESSAGE_BYTES_MAX = 16 * 1024 * 1024;

    private final List<ManagedChannel> channels;

    private Connections(final List<ManagedChannel> channels) {
        this.channels = channels;
    }

    public static Connections open(final String endpoint, final int count) {
        if (count < 1) {
            throw new IllegalArgumentException("--conns must be positive");
        }
        final URI url = URI.create(endpoint.contains("://") ? endpoint : "http://" + endpoint);
        if (url.getHost() == null || url.getPort() < 1) {
            throw new IllegalArgumentException("endpoint needs host and port: " + endpoint);
        }
        final List<ManagedChannel> channels = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            channels.add(NettyChannelBuilder.forAddress(url.getHost(), url.getPort()).usePlaintext()
                .maxInboundMessageSize(MESSAGE_BYTES_MAX)
                // Answers are handled where they arrive: a hand-off per answer costs more than the handling.
                .directExecutor().build());
        }
        return new Connections(channels);
    }

    public List<ManagedChannel> channels() {
        return channels;
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
    }
}
