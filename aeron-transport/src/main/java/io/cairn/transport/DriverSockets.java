package io.cairn.transport;

import io.aeron.driver.ReceiveChannelEndpointSupplier;
import io.aeron.driver.SendChannelEndpointSupplier;
import io.aeron.driver.media.ReceiveChannelEndpoint;
import io.aeron.driver.media.SendChannelEndpoint;
import io.aeron.driver.media.UdpChannelTransport;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.util.ArrayList;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.Consumer;

/**
 * The UDP sockets of an INVOKER-mode media driver, so that its owner can sleep until a datagram arrives instead of
 * polling every socket on a timer. Every endpoint the driver makes (its receiving endpoint, and one sending endpoint
 * per peer, on which status messages and NAKs come back) is made through the suppliers here, which remember it; its
 * socket, opened a little later by the driver, joins this class's own selector at the next {@link #await}. The
 * driver still reads the sockets itself: a wait only tells the owner that it is time to poll.
 *
 * <p>{@link #await} belongs to the owner's thread; {@link #wakeUp} may be called from any thread.
 */
final class DriverSockets implements AutoCloseable {
    /** Endpoints the driver made and whose socket has not joined the selector yet (any thread adds). */
    private final Queue<UdpChannelTransport> made = new ConcurrentLinkedQueue<>();
    /** Owner's thread: endpoints taken from {@link #made} whose socket the driver has not opened yet. */
    private final ArrayList<UdpChannelTransport> unopened = new ArrayList<>();
    private final Selector selector;
    /** A ready socket needs nothing from the wait: the driver's next duty cycle reads it. */
    private final Consumer<SelectionKey> onReady = key -> { };

    DriverSockets() {
        try {
            this.selector = Selector.open();
        } catch (final IOException e) {
            throw new UncheckedIOException("cannot open a selector for the media driver's sockets", e);
        }
    }

    ReceiveChannelEndpointSupplier receiveEndpoints() {
        return (channel, dispatcher, status, context) ->
            remember(new ReceiveChannelEndpoint(channel, dispatcher, status, context));
    }

    SendChannelEndpointSupplier sendEndpoints() {
        return (channel, status, context) -> remember(new SendChannelEndpoint(channel, status, context));
    }

    private <T extends UdpChannelTransport> T remember(final T endpoint) {
        made.add(endpoint);
        return endpoint;
    }

    /**
     * Waits until a datagram is waiting on one of the driver's sockets, {@link #wakeUp} is called (or was, since the
     * last wait), or {@code timeoutMs} (at least 1) pass.
     *
     * @return how many sockets have a datagram waiting
     */
    int await(final long timeoutMs) {
        if (timeoutMs < 1) {
            throw new IllegalArgumentException("timeoutMs must be at least 1 (0 would wait for ever): " + timeoutMs);
        }
        joinOpenedSockets();
        try {
            return selector.select(onReady, timeoutMs);
        } catch (final IOException e) {
            throw new UncheckedIOException("waiting on the media driver's sockets failed", e);
        }
    }

    /** Ends the owner's wait under way, or its next one at once (any thread). */
    void wakeUp() {
        selector.wakeup();
    }

    /** How many sockets wait with the owner (tests). */
    int socketsWatched() {
        return selector.keys().size();
    }

    private void joinOpenedSockets() {
        for (UdpChannelTransport endpoint = made.poll(); endpoint != null; endpoint = made.poll()) {
            unopened.add(endpoint);
        }
        for (int i = unopened.size() - 1; i >= 0; i--) {
            // For a unicast endpoint the receiving socket is also the one it sends from.
            final DatagramChannel socket = unopened.get(i).receiveDatagramChannel();
            if (socket == null) {
                continue; // the driver opens it in a later duty cycle
            }
            unopened.remove(i);
            try {
                socket.register(selector, SelectionKey.OP_READ);
            } catch (final ClosedChannelException closed) {
                // the endpoint was closed already (a peer removed): nothing to wait on
            }
        }
    }

    @Override
    public void close() {
        try {
            selector.close();
        } catch (final IOException e) {
            throw new UncheckedIOException("cannot close the selector for the media driver's sockets", e);
        }
    }
}
