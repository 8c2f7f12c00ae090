package io.cairn.transport;

import io.aeron.driver.ThreadingMode;
import io.cairn.raft.ConfState;
import io.cairn.raft.Entry;
import io.cairn.raft.EntryType;
import io.cairn.raft.Message;
import io.cairn.raft.MessageType;
import io.cairn.raft.Snapshot;
import io.cairn.transport.TestCertificates.Authority;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * TLS against plaintext, side by side, through the real transport on loopback: round trips and one-way throughput
 * of APPENDs carrying one entry of 100 B or 4 KiB, and a 32 MiB snapshot. Both members run in this JVM with their
 * drivers in INVOKER mode, so one thread does all the work of both ends (encode, encrypt, Aeron, decrypt, decode)
 * and the figures compare CPU cost per message rather than scheduling on a shared 2-core machine. Prints a table;
 * asserts nothing about time. Tagged slow: run it with -Pslow (command in the module README).
 */
@Tag("slow")
class TlsTransportMeasurement {
    private static final int WARMUP_ROUND_TRIPS = 2_000;
    private static final int ROUND_TRIPS = 10_000;
    private static final int ONE_WAY_MESSAGES = 50_000;
    private static final int SNAPSHOT_BYTES = 32 << 20;
    private static final long DEADLINE_NS = 120_000_000_000L;

    /** Counts what arrives; echoes APPENDs back when asked. */
    private static final class Counter implements InboundHandler {
        long received;
        long snapshotsDelivered;
        AeronTransport echoFrom;
        /** An echo the transport dropped (term rotation, back pressure): sent again from the polling loop. */
        Message pendingEcho;

        @Override
        public void onMessage(final Message message) {
            received++;
            if (echoFrom != null) {
                final Message echo = new Message(MessageType.APPEND, message.to(), message.from(), message.term(),
                    message.logTerm(), message.index(), message.entries(), message.commit(), false, 0, null, 0);
                if (!echoFrom.send(echo)) {
                    pendingEcho = echo;
                }
            }
        }

        @Override
        public void onSnapshotStatus(final long peerId, final long snapshotIndex, final boolean delivered) {
            if (delivered) {
                snapshotsDelivered++;
            }
        }
    }

    @Test
    void tlsAgainstPlaintext() {
        final Authority ca = Authority.create("measurement CA");
        final StringBuilder table = new StringBuilder(String.format(Locale.ROOT,
            "%n| transport | entry | round trip p50 us | p99 us | p99.9 us | one way msg/s | one way MiB/s |%n"
                + "|---|---|---|---|---|---|---|%n"));
        final StringBuilder snapshots = new StringBuilder();
        // Two passes, reported from the second: the first warms the JIT for both modes alike (whichever mode ran
        // first paid for compiling Aeron's and the codec's paths in a single pass).
        for (int pass = 0; pass < 2; pass++) {
            if (pass == 1) {
                table.setLength(0);
                table.append(String.format(Locale.ROOT, "%n| transport | entry | round trip p50 us | p99 us"
                    + " | p99.9 us | one way msg/s | one way MiB/s |%n|---|---|---|---|---|---|---|%n"));
                snapshots.setLength(0);
            }
            measure(ca, table, snapshots);
        }
        System.out.println(table + "\n| transport | what | time | throughput |\n|---|---|---|---|\n" + snapshots);
    }

    private static void measure(final Authority ca, final StringBuilder table, final StringBuilder snapshots) {
        for (final boolean tls : new boolean[] {false, true}) {
            final PeerTls peer1 = tls ? new PeerTls(TestCertificates.context(ca.issue("m1"), ca.certificate()), true,
                null) : null;
            final PeerTls peer2 = tls ? new PeerTls(TestCertificates.context(ca.issue("m2"), ca.certificate()), true,
                null) : null;
            final TransportConfig c1 = invoker(1, tls);
            final TransportConfig c2 = invoker(2, tls);
            try (AeronTransport t1 = AeronTransport.launch(c1, new InMemorySnapshotStore(Integer.MAX_VALUE - 64),
                     peer1);
                 AeronTransport t2 = AeronTransport.launch(c2, new InMemorySnapshotStore(Integer.MAX_VALUE - 64),
                     peer2)) {
                t1.addPeer(2, c2.listenUrl());
                t2.addPeer(1, c1.listenUrl());
                final Counter at1 = new Counter();
                final Counter at2 = new Counter();
                until(t1, t2, at1, at2, () -> t1.isConnected(2) && t2.isConnected(1));
                for (final int entryBytes : new int[] {100, 4096}) {
                    final Message append = new Message(MessageType.APPEND, 1, 2, 5, 5, 100, List.of(
                        new Entry(5, 101, EntryType.NORMAL, new byte[entryBytes])), 99, false, 0, null, 0);
                    final long[] roundTripNs = roundTrips(t1, t2, at1, at2, append);
                    final double messagesPerSecond = oneWay(t1, t2, at1, at2, append);
                    table.append(String.format(Locale.ROOT, "| %s | %d B (%d B frame) | %.1f | %.1f | %.1f | %,.0f | %.1f |%n",
                        tls ? "TLS 1.3" : "plaintext", entryBytes, AeronTransport.frameBytes(append),
                        percentile(roundTripNs, 0.50) / 1e3, percentile(roundTripNs, 0.99) / 1e3,
                        percentile(roundTripNs, 0.999) / 1e3, messagesPerSecond,
                        messagesPerSecond * AeronTransport.frameBytes(append) / (1 << 20)));
                }
                final byte[] data = new byte[SNAPSHOT_BYTES];
                new Random(3).nextBytes(data);
                final Message snapshot = new Message(MessageType.SNAPSHOT, 1, 2, 5, 0, 0, List.of(), 0, false, 0,
                    new Snapshot(200, 5, new ConfState(List.of(1L, 2L), List.of(), List.of(), List.of(), false),
                        data), 0);
                final long startNs = System.nanoTime();
                t1.send(snapshot);
                until(t1, t2, at1, at2, () -> at1.snapshotsDelivered == 1);
                final double seconds = (System.nanoTime() - startNs) / 1e9;
                snapshots.append(String.format(Locale.ROOT, "| %s | 32 MiB snapshot | %.2f s | %.0f MiB/s |%n",
                    tls ? "TLS 1.3" : "plaintext", seconds, 32 / seconds));
            }
        }
    }

    private static TransportConfig invoker(final long memberId, final boolean secure) {
        final PeerUrl url = new PeerUrl("127.0.0.1", TestNodes.freeUdpPort(), secure);
        return TestNodes.config(TestNodes.CLUSTER_ID, memberId, url).withDriver(ThreadingMode.INVOKER, "noop");
    }

    private static long[] roundTrips(final AeronTransport t1, final AeronTransport t2, final Counter at1,
                                     final Counter at2, final Message append) {
        at2.echoFrom = t2;
        final long[] samplesNs = new long[ROUND_TRIPS];
        for (int i = -WARMUP_ROUND_TRIPS; i < ROUND_TRIPS; i++) {
            final long expected = at1.received + 1;
            final long startNs = System.nanoTime();
            until(t1, t2, at1, at2, () -> t1.send(append));
            until(t1, t2, at1, at2, () -> at1.received == expected);
            if (i >= 0) {
                samplesNs[i] = System.nanoTime() - startNs;
            }
        }
        at2.echoFrom = null;
        Arrays.sort(samplesNs);
        return samplesNs;
    }

    private static double oneWay(final AeronTransport t1, final AeronTransport t2, final Counter at1,
                                 final Counter at2, final Message append) {
        final long expected = at2.received + ONE_WAY_MESSAGES;
        final long startNs = System.nanoTime();
        int sent = 0;
        while (sent < ONE_WAY_MESSAGES) {
            if (t1.send(append)) {
                sent++;
            } else {
                t1.poll(at1); // back pressure: let the drivers move the data on
                t2.poll(at2);
            }
        }
        until(t1, t2, at1, at2, () -> at2.received == expected);
        return ONE_WAY_MESSAGES / ((System.nanoTime() - startNs) / 1e9);
    }

    private static void until(final AeronTransport t1, final AeronTransport t2, final Counter at1, final Counter at2,
                              final java.util.function.BooleanSupplier condition) {
        final long deadlineNs = System.nanoTime() + DEADLINE_NS;
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadlineNs > 0) {
                throw new AssertionError("timed out: " + describe(t1) + "; " + describe(t2) + "; received "
                    + at1.received + ", " + at2.received);
            }
            t1.poll(at1);
            t2.poll(at2);
            if (at2.pendingEcho != null && t2.send(at2.pendingEcho)) {
                at2.pendingEcho = null;
            }
        }
    }

    private static String describe(final AeronTransport t) {
        final TransportCounters c = t.counters();
        return "member " + t.config().memberId() + " sent " + c.messagesSent.get() + " received "
            + c.messagesReceived.get() + " back-pressured " + c.sendBackPressured.get() + " not connected "
            + c.sendNotConnected.get() + " no session " + c.sendNoTlsSession.get() + " rejected "
            + c.framesRejected();
    }

    private static long percentile(final long[] sortedNs, final double fraction) {
        return sortedNs[Math.min(sortedNs.length - 1, (int) (fraction * sortedNs.length))];
    }
}
