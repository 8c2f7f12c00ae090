package io.cairn.transport;

import io.aeron.driver.ThreadingMode;
import io.cairn.raft.ConfState;
import io.cairn.raft.Message;
import io.cairn.raft.MessageType;
import io.cairn.raft.Snapshot;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * How fast a snapshot crosses between two members, each transport polled by a thread of its own in
 * INVOKER mode, as members run them: a 512 MiB snapshot from a source that repeats one 4 MiB block
 * into a sink that keeps nothing, so only the transport's work is measured (its chunk copies and
 * CRC32Cs, Aeron's fragmentation and flow control, the polling loops). The loops park the way a
 * member's Raft loop does when a poll found nothing (see {@link Park}). Prints a table; asserts
 * nothing about time. Tagged slow: {@code -Pslow -Dtest=SnapshotStreamMeasurement}.
 */
@Tag("slow")
class SnapshotStreamMeasurement {
    private static final long SNAPSHOT_BYTES = 512L << 20;
    private static final int BLOCK_BYTES = 4 << 20;
    private static final long DEADLINE_NS = 300_000_000_000L;

    /** What a polling loop does after a poll that reported no work. */
    enum Park {
        /** 1 ms after every poll: a member's Raft loop idle for clients (the transport's work does not count). */
        ALWAYS_1MS(1_000_000, true),
        /** 50 us after every poll: a member's Raft loop busy for clients. */
        ALWAYS_50US(50_000, true),
        /** 50 us after a poll that found no work. */
        IDLE_50US(50_000, false),
        /** No parking at all. */
        SPIN(0, false);

        final long nanos;
        final boolean always;

        Park(final long nanos, final boolean always) {
            this.nanos = nanos;
            this.always = always;
        }
    }

    @Test
    void snapshotThroughput() throws Exception {
        final String header = String.format(Locale.ROOT,
            "%n| transport | loop parks | chunk | window | mtu | time | MiB/s |%n|---|---|---|---|---|---|---|%n");
        final StringBuilder table = new StringBuilder();
        // A first pass warms the JIT; only the second is reported.
        for (int pass = 0; pass < 2; pass++) {
            if (pass == 1) {
                table.setLength(0);
            }
            for (final Park park : Park.values()) {
                measure(false, park, 1 << 20, 8, 1408, table);
            }
            measure(false, Park.SPIN, 1 << 20, 8, 8192, table);
            measure(false, Park.SPIN, 1 << 20, 16, 1408, table);
            measure(true, Park.SPIN, 1 << 20, 8, 1408, table);
            measure(true, Park.ALWAYS_1MS, 1 << 20, 8, 1408, table);
        }
        System.out.println(header + table);
    }

    private static void measure(final boolean tls, final Park park, final int chunkBytes, final int window,
                                final int mtuBytes, final StringBuilder table) throws Exception {
        final TestCertificates.Authority ca = tls ? TestCertificates.Authority.create("measurement CA") : null;
        final PeerTls tls1 = tls ? new PeerTls(TestCertificates.context(ca.issue("m1"), ca.certificate()), true, null)
            : null;
        final PeerTls tls2 = tls ? new PeerTls(TestCertificates.context(ca.issue("m2"), ca.certificate()), true, null)
            : null;
        final TransportConfig c1 = config(1, tls, chunkBytes, window, mtuBytes);
        final TransportConfig c2 = config(2, tls, chunkBytes, window, mtuBytes);
        try (AeronTransport t1 = AeronTransport.launch(c1, new RepeatingStore(), tls1);
             AeronTransport t2 = AeronTransport.launch(c2, new RepeatingStore(), tls2)) {
            t1.addPeer(2, c2.listenUrl());
            t2.addPeer(1, c1.listenUrl());
            final AtomicBoolean done = new AtomicBoolean();
            final AtomicBoolean connected = new AtomicBoolean();
            final long[] startNs = new long[1];
            final Thread receiver = Thread.ofPlatform().name("receiver").start(() -> {
                final TestNodes.Inbox inbox = new TestNodes.Inbox();
                while (!done.get()) {
                    park(t2.poll(inbox), park);
                }
            });
            final TestNodes.Inbox inbox = new TestNodes.Inbox();
            final long deadlineNs = System.nanoTime() + DEADLINE_NS;
            while (!t1.isConnected(2) || !connected.get()) {
                t1.poll(inbox);
                connected.set(t2.isConnected(1) || connected.get());
                LockSupport.parkNanos(100_000);
                if (System.nanoTime() > deadlineNs) {
                    throw new AssertionError("never connected");
                }
            }
            startNs[0] = System.nanoTime();
            t1.send(new Message(MessageType.SNAPSHOT, 1, 2, 5, 0, 0, List.of(), 0, false, 0,
                new Snapshot(200, 5, new ConfState(List.of(1L, 2L), List.of(), List.of(), List.of(), false),
                    new byte[0]), 0));
            while (inbox.snapshotStatuses.isEmpty()) {
                park(t1.poll(inbox), park);
                if (System.nanoTime() > deadlineNs) {
                    throw new AssertionError("timed out");
                }
            }
            final double seconds = (System.nanoTime() - startNs[0]) / 1e9;
            done.set(true);
            receiver.join();
            table.append(String.format(Locale.ROOT, "| %s | %s | %d KiB | %d | %d | %.2f s | %.0f |%n",
                tls ? "TLS 1.3" : "plaintext", park, chunkBytes >> 10, window, mtuBytes, seconds,
                SNAPSHOT_BYTES / (double) (1 << 20) / seconds));
        }
    }

    private static void park(final int work, final Park park) {
        if (park.nanos > 0 && (park.always || work == 0)) {
            LockSupport.parkNanos(park.nanos);
        }
    }

    private static TransportConfig config(final long memberId, final boolean secure, final int chunkBytes,
                                          final int window, final int mtuBytes) {
        final PeerUrl url = new PeerUrl("127.0.0.1", TestNodes.freeUdpPort(), secure);
        return TestNodes.config(TestNodes.CLUSTER_ID, memberId, url).withDriver(ThreadingMode.INVOKER, "noop")
            .withSnapshotFlow(chunkBytes, window, 4, 1_000_000_000L).withMtuBytes(mtuBytes);
    }

    /** Sends SNAPSHOT_BYTES of one repeated block; receives into nothing. */
    private static final class RepeatingStore implements SnapshotStore {
        private final ByteBuffer block = ByteBuffer.allocateDirect(BLOCK_BYTES);

        RepeatingStore() {
            final java.util.Random random = new java.util.Random(5);
            while (block.hasRemaining()) {
                block.put((byte) random.nextInt());
            }
        }

        @Override
        public SnapshotSource openSource(final Message snapshotMessage) {
            return new SnapshotSource() {
                @Override
                public long sizeBytes() {
                    return SNAPSHOT_BYTES;
                }

                @Override
                public int read(final long offsetBytes, final ByteBuffer dst) {
                    final int at = (int) (offsetBytes % BLOCK_BYTES);
                    final int length = (int) Math.min(Math.min(dst.remaining(), BLOCK_BYTES - at),
                        SNAPSHOT_BYTES - offsetBytes);
                    dst.put(dst.position(), block, at, length).position(dst.position() + length);
                    return length;
                }

                @Override
                public void close() {
                }
            };
        }

        @Override
        public SnapshotSink openSink(final long fromPeer, final long snapshotIndex, final long snapshotTerm,
                                     final long sizeBytes) {
            return new SnapshotSink() {
                @Override
                public void write(final long offsetBytes, final ByteBuffer src) {
                    src.position(src.limit());
                }

                @Override
                public byte[] complete() {
                    return new byte[0];
                }

                @Override
                public void abort() {
                }
            };
        }
    }
}
