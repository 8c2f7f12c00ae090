package io.cairn.transport;

import io.cairn.raft.Message;
import io.cairn.raft.MessageType;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * One member in its own JVM for {@link MultiJvmTransportTest}: sends every message type to every peer once the
 * peer is connected, checks each message it receives against what that peer must have sent, prints
 * {@code DONE <member>} when it has sent and received everything, and exits when its stdin closes.
 *
 * <p>Arguments: clusterId memberId port aeronDir peerId=port...
 */
public final class TransportNodeMain {
    private static final long RUN_NS_MAX = 120_000_000_000L;

    private TransportNodeMain() {
    }

    public static void main(final String[] args) throws InterruptedException {
        final long clusterId = Long.parseLong(args[0]);
        final long memberId = Long.parseLong(args[1]);
        final int port = Integer.parseInt(args[2]);
        final TransportConfig config = TransportConfig.defaults(clusterId, memberId, new PeerUrl("127.0.0.1", port))
            .withAeronDir(Path.of(args[3]))
            .withSnapshotFlow(16 * 1024, 8, 4, 200_000_000L);
        final Map<Long, List<Message>> toSend = new HashMap<>();
        final Map<Long, EnumSet<MessageType>> received = new HashMap<>();
        final Map<Long, Boolean> snapshotDelivered = new HashMap<>();
        final Thread stdinWatcher = watchStdin();
        try (AeronTransport transport = AeronTransport.launch(config)) {
            for (int i = 4; i < args.length; i++) {
                final String[] peer = args[i].split("=");
                final long peerId = Long.parseLong(peer[0]);
                transport.addPeer(peerId, new PeerUrl("127.0.0.1", Integer.parseInt(peer[1])));
                toSend.put(peerId, new ArrayList<>(SampleMessages.all(memberId, peerId)));
                received.put(peerId, EnumSet.noneOf(MessageType.class));
                snapshotDelivered.put(peerId, false);
            }
            final InboundHandler inbox = new InboundHandler() {
                @Override
                public void onMessage(final Message message) {
                    final Message expected = SampleMessages.all(message.from(), memberId).get(message.type().ordinal());
                    if (!SampleMessages.same(expected, message)) {
                        System.out.println("MISMATCH " + memberId + " got " + message + " expected " + expected);
                    }
                    received.get(message.from()).add(message.type());
                }

                @Override
                public void onSnapshotStatus(final long peerId, final long snapshotIndex, final boolean delivered) {
                    snapshotDelivered.put(peerId, delivered);
                }
            };
            final long deadline = System.nanoTime() + RUN_NS_MAX;
            boolean done = false;
            while (stdinWatcher.isAlive() && System.nanoTime() - deadline < 0) {
                int work = transport.poll(inbox);
                for (final Map.Entry<Long, List<Message>> peer : toSend.entrySet()) {
                    final List<Message> pending = peer.getValue();
                    if (!pending.isEmpty() && transport.isConnected(peer.getKey()) && transport.send(pending.get(0))) {
                        pending.remove(0);
                        work++;
                    }
                }
                if (!done && everything(toSend, received, snapshotDelivered)) {
                    done = true;
                    System.out.println("DONE " + memberId + " counters: sent=" + transport.counters().messagesSent.get()
                        + " received=" + transport.counters().messagesReceived.get() + " rejected="
                        + transport.counters().framesRejected());
                }
                if (work == 0) {
                    Thread.sleep(1);
                }
            }
        }
    }

    private static boolean everything(final Map<Long, List<Message>> toSend,
                                      final Map<Long, EnumSet<MessageType>> received,
                                      final Map<Long, Boolean> snapshotDelivered) {
        for (final long peer : toSend.keySet()) {
            if (!toSend.get(peer).isEmpty() || received.get(peer).size() != MessageType.values().length
                || !snapshotDelivered.get(peer)) {
                return false;
            }
        }
        return true;
    }

    /** A thread that ends when the parent closes our stdin: the signal to stop. */
    private static Thread watchStdin() {
        final Thread watcher = new Thread(() -> {
            final InputStream in = System.in;
            try {
                while (in.read() >= 0) {
                    // discard: only the end of the stream matters
                }
            } catch (final IOException e) {
                // a broken pipe ends the run as well
            }
        }, "stdin-watcher");
        watcher.setDaemon(true);
        watcher.start();
        return watcher;
    }
}
