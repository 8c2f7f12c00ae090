package io.cairn.bench.transport;

import io.aeron.driver.ThreadingMode;
import io.cairn.raft.Entry;
import io.cairn.raft.EntryType;
import io.cairn.raft.Message;
import io.cairn.raft.MessageType;
import io.cairn.transport.AeronTransport;
import io.cairn.transport.InboundHandler;
import io.cairn.transport.PeerUrl;
import io.cairn.transport.TransportConfig;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;
import org.HdrHistogram.Histogram;
import org.agrona.concurrent.IdleStrategy;

/**
 * Both sides of the Aeron measurements, through the real {@link AeronTransport}: SBE encode, Aeron UDP on loopback,
 * admission, decode into Raft {@link Message}s. Member 1 measures; member 2 (another process) echoes every APPEND
 * or, as a sink, counts entries and answers a HEARTBEAT with the count.
 */
final class AeronPingPong implements InboundHandler, AutoCloseable {
    static final long CLUSTER_ID = 0xBE7C4L;
    /** The one-way sender still polls now and then, as a Raft loop would between batches. */
    private static final int POLL_EVERY_SENDS_MASK = 63;

    private final AeronTransport transport;
    private final IdleStrategy idle;
    private final long memberId;
    private final long peerId;
    private final boolean sink;
    private long receivedMessages;
    private Message lastReceived;
    private long entriesSinceMarker;
    private Message pendingReply;
    private Message cachedEcho;

    AeronPingPong(final long memberId, final int listenPort, final int peerPort, final ThreadingMode mode,
                  final int mtuBytes, final IdleStrategy idle, final boolean sink) {
        final TransportConfig defaults = TransportConfig.defaults(CLUSTER_ID, memberId, new PeerUrl("127.0.0.1",
            listenPort));
        final TransportConfig config = defaults.withAeronDir(Path.of(defaults.aeronDir() + "-bench-"
            + ProcessHandle.current().pid())).withDriver(mode, mode == ThreadingMode.INVOKER ? "noop" : "backoff").withMtuBytes(mtuBytes);
        this.transport = AeronTransport.launch(config);
        this.memberId = memberId;
        this.peerId = memberId == 1 ? 2 : 1;
        this.transport.addPeer(peerId, new PeerUrl("127.0.0.1", peerPort));
        this.idle = idle;
        this.sink = sink;
    }

    @Override
    public void onMessage(final Message message) {
        receivedMessages++;
        lastReceived = message;
        if (memberId == 1) {
            return;
        }
        if (message.type() == MessageType.HEARTBEAT) {
            pendingReply = new Message(MessageType.HEARTBEAT_RESPONSE, 2, 1, 3, 0, entriesSinceMarker, List.of(), 0,
                false, 0, null, 1);
            entriesSinceMarker = 0;
        } else if (sink) {
            entriesSinceMarker += message.entries().size();
        } else {
            if (cachedEcho == null || !cachedEcho.entries().equals(message.entries())) {
                cachedEcho = new Message(MessageType.APPEND, 2, 1, message.term(), message.logTerm(), message.index(),
                    message.entries(), message.commit(), false, 0, null, 0);
            }
            pendingReply = cachedEcho;
        }
    }

    void awaitConnected() {
        while (!transport.isConnected(peerId)) {
            idle.idle(transport.poll(this));
        }
    }

    static Message append(final long from, final long to, final int entries, final int entryBytes) {
        final byte[] payload = new byte[entryBytes];
        final List<Entry> list = new ArrayList<>(entries);
        for (int i = 0; i < entries; i++) {
            list.add(new Entry(3, 100 + i, EntryType.NORMAL, payload));
        }
        return new Message(MessageType.APPEND, from, to, 3, 3, 99, List.copyOf(list), 98, false, 0, null, 0);
    }

    private void sendUntilAccepted(final Message message) {
        while (!transport.send(message)) {
            idle.idle(transport.poll(this));
        }
    }

    /** Round trips of one APPEND carrying one entry of {@code entryBytes}; the echo returns an equal APPEND. */
    Histogram pingPong(final int entryBytes, final int warmup, final int measured) {
        final Message ping = append(1, 2, 1, entryBytes);
        final Histogram histogram = new Histogram(3);
        for (int i = 0; i < warmup + measured; i++) {
            final long before = receivedMessages;
            final long startNs = System.nanoTime();
            sendUntilAccepted(ping);
            while (receivedMessages == before) {
                idle.idle(transport.poll(this));
            }
            if (i >= warmup) {
                histogram.recordValue(System.nanoTime() - startNs);
            }
        }
        return histogram;
    }

    /** Sends APPENDs one way, then a HEARTBEAT whose answer carries the entries that arrived; nanoseconds taken. */
    long oneWay(final int messages, final int entriesPerMessage, final int entryBytes) {
        final Message append = append(1, 2, entriesPerMessage, entryBytes);
        final Message marker = new Message(MessageType.HEARTBEAT, 1, 2, 3, 3, 99, List.of(), 98, false, 0, null, 1);
        final long startNs = System.nanoTime();
        for (int i = 0; i < messages; i++) {
            sendUntilAccepted(append); // polls (and so runs an INVOKER driver) only while the publication is full
            if ((i & POLL_EVERY_SENDS_MASK) == 0) {
                transport.poll(this);
            }
        }
        final long before = receivedMessages;
        sendUntilAccepted(marker);
        while (receivedMessages == before) {
            idle.idle(transport.poll(this));
        }
        final long elapsedNs = System.nanoTime() - startNs;
        final long expected = (long) messages * entriesPerMessage;
        if (lastReceived.type() != MessageType.HEARTBEAT_RESPONSE || lastReceived.index() != expected) {
            throw new IllegalStateException("sink counted " + lastReceived + ", sent " + expected + " entries");
        }
        return elapsedNs;
    }

    long backPressured() {
        return transport.counters().sendBackPressured.get();
    }

    /** The echo or sink side's loop. */
    void serveUntil(final BooleanSupplier stop) {
        while (!stop.getAsBoolean()) {
            int work = transport.poll(this);
            if (pendingReply != null && transport.send(pendingReply)) {
                pendingReply = null;
                work++;
            }
            idle.idle(work);
        }
    }

    @Override
    public void close() {
        transport.close();
    }
}
