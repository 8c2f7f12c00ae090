package io.cairn.transport;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cairn.btree.Bucket;
import io.cairn.btree.Cursor;
import io.cairn.btree.Env;
import io.cairn.btree.EnvOptions;
import io.cairn.btree.ReadTxn;
import io.cairn.btree.TreeImage;
import io.cairn.btree.WriteTxn;
import io.cairn.raft.ConfState;
import io.cairn.raft.Message;
import io.cairn.raft.MessageType;
import io.cairn.raft.Snapshot;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.ValueLayout;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Snapshots streamed from and to a host's {@link SnapshotStore}: a B+tree image in, a file out, nothing on the heap. */
class StoreSnapshotTransferTest {
    private static final long ACK_TIMEOUT_NS = 200_000_000L;

    @TempDir
    Path dir;

    private static Message snapshotMessage(final long index) {
        return new Message(MessageType.SNAPSHOT, 1, 2, 5, 0, 0, List.of(), 0, false, 0,
            new Snapshot(index, 4, ConfState.ofVoters(1L, 2L, 3L), new byte[0]), 0);
    }

    private static TransportConfig config(final long memberId, final int chunkBytes) {
        return TestNodes.config(TestNodes.CLUSTER_ID, memberId, TestNodes.freeUdpPort())
            .withSnapshotFlow(chunkBytes, 8, 4, ACK_TIMEOUT_NS);
    }

    private static TestNodes start(final List<SnapshotStore> stores, final List<FaultPlan> snapshotFaults,
                                   final int chunkBytes) {
        final TestNodes nodes = new TestNodes();
        for (int i = 0; i < stores.size(); i++) {
            nodes.transports.add(AeronTransport.launch(config(i + 1, chunkBytes), stores.get(i), null,
                snapshotFaults == null ? null : snapshotFaults.get(i)));
            nodes.inboxes.add(new TestNodes.Inbox());
        }
        nodes.connectAll();
        return nodes;
    }

    /** A source over an image that the test keeps (to compare with), counting the transport's close. */
    private static SnapshotSource keepOpen(final TreeImage image, final AtomicInteger closes) {
        return new SnapshotSource() {
            @Override
            public long sizeBytes() {
                return image.sizeBytes();
            }

            @Override
            public int read(final long offsetBytes, final ByteBuffer dst) {
                return image.read(offsetBytes, dst);
            }

            @Override
            public void close() {
                closes.incrementAndGet();
            }
        };
    }

    /**
     * A B+tree of a few MiB, streamed from a {@link TreeImage} with 3% of chunks and 3% of acknowledgements lost and
     * 1% of chunks damaged, arrives as a file byte-identical to the image that opens as a valid Env holding the
     * image's contents. (With a writer committing meanwhile the copy is still the image's bytes: the image reads its
     * free pages, which a later commit may rewrite, as zeros; btree-mmap's TreeImageTest shows it.)
     */
    @Test
    void btreeImageArrivesAsAFileThatOpensWithTheSameContents() throws Exception {
        final Path leaderDb = dir.resolve("leader/db");
        final Path followerDir = dir.resolve("follower");
        Files.createDirectories(leaderDb.getParent());
        final AtomicReference<TreeImage> image = new AtomicReference<>();
        final AtomicInteger sourceCloses = new AtomicInteger();
        try (Env leader = Env.open(leaderDb, EnvOptions.defaults().withSyncOnCommit(false))) {
            final SplittableRandom random = new SplittableRandom(16);
            for (int txn = 0; txn < 20; txn++) {
                try (WriteTxn w = leader.beginWrite()) {
                    final Bucket kv = w.createBucketIfAbsent("kv");
                    for (int i = 0; i < 1000; i++) {
                        final byte[] value = new byte[random.nextInt(20) == 0 ? 5000 : 200];
                        random.nextBytes(value);
                        kv.put(("key-" + random.nextInt(30_000)).getBytes(), value);
                    }
                    w.createBucketIfAbsent("meta").put("applied".getBytes(), ("" + txn).getBytes());
                    w.commit();
                }
            }
            final SnapshotStore leaderStore = new FileSnapshotStore(dir.resolve("leader"), m -> {
                try {
                    image.set(leader.openImage());
                } catch (final IOException e) {
                    throw new UncheckedIOException(e);
                }
                return keepOpen(image.get(), sourceCloses);
            });
            final SnapshotStore followerStore = new FileSnapshotStore(followerDir, m -> {
                throw new AssertionError("the follower sends no snapshot");
            });
            final FaultPlan senderSide = new FaultPlan(11).drop(0.03);
            final FaultPlan receiverSide = new FaultPlan(12).drop(0.03).corrupt(0.01);
            final Message received;
            try (TestNodes nodes = start(List.of(leaderStore, followerStore), List.of(senderSide, receiverSide),
                64 * 1024)) {
                nodes.awaitConnected();
                assertTrue(nodes.node(1).send(snapshotMessage(700)));
                nodes.pollUntil("snapshot delivered", () -> !nodes.inbox(2).messages.isEmpty());
                received = nodes.inbox(2).messages.get(0);
                nodes.pollUntil("sender told of delivery", () -> nodes.inbox(1).snapshotStatuses.size() == 1);
                assertEquals("2:700:true", nodes.inbox(1).snapshotStatuses.get(0));
                assertTrue(receiverSide.droppedFrames() > 0 && nodes.node(1).counters().snapshotChunksResent.get() > 0,
                    "lost chunks must have been sent again");
                System.out.printf("%d-byte tree image: %d chunks, %d resent, %d dropped, %d damaged, %d acks lost%n",
                    image.get().sizeBytes(), nodes.node(1).counters().snapshotChunksSent.get(),
                    nodes.node(1).counters().snapshotChunksResent.get(), receiverSide.droppedFrames(),
                    receiverSide.corruptedFrames(), senderSide.droppedFrames());
            }
            assertEquals(1, sourceCloses.get(), "the transport closed the source once, at delivery");
            assertEquals(MessageType.SNAPSHOT, received.type());
            assertEquals(700, received.snapshot().index());
            assertEquals(4, received.snapshot().term());
            assertEquals(ConfState.ofVoters(1L, 2L, 3L), received.snapshot().confState());
            final Path file = FileSnapshotStore.receivedFile(received);
            assertEquals(followerDir.resolve("db.incoming-1-700").toAbsolutePath(), file);
            try (TreeImage sent = image.get()) {
                final byte[] expected = new byte[Math.toIntExact(sent.sizeBytes())];
                sent.read(0, ByteBuffer.wrap(expected));
                assertArrayEquals(expected, Files.readAllBytes(file), "the received file is the image, byte for byte");
                try (Env follower = Env.open(file); ReadTxn theirs = follower.beginRead();
                     ReadTxn ours = sent.beginRead()) {
                    follower.check();
                    assertEquals(sent.txid(), follower.lastTxid());
                    assertEquals(ours.bucketNames(), theirs.bucketNames());
                    for (final String name : ours.bucketNames()) {
                        assertEquals(entries(ours.bucket(name)), entries(theirs.bucket(name)), name);
                    }
                }
            }
            try (var left = Files.list(followerDir)) {
                assertEquals(List.of(file), left.toList(), "no partial file left beside the received one");
            }
        }
    }

    private static List<String> entries(final Bucket bucket) {
        final List<String> out = new ArrayList<>();
        final Cursor c = bucket.cursor();
        for (boolean ok = c.first(); ok; ok = c.next()) {
            final CRC32C crc = new CRC32C();
            crc.update(c.value().asByteBuffer());
            out.add(new String(c.key().toArray(ValueLayout.JAVA_BYTE)) + "=" + c.value().byteSize() + "/"
                + crc.getValue());
        }
        return out;
    }

    private static class PatternStore implements SnapshotStore {
        final long sizeBytes;
        long verifiedBytes;
        final AtomicInteger aborts = new AtomicInteger();

        PatternStore(final long sizeBytes) {
            this.sizeBytes = sizeBytes;
        }

        @Override
        public SnapshotSource openSource(final Message snapshotMessage) {
            return PatternBytes.source(sizeBytes);
        }

        @Override
        public SnapshotSink openSink(final long fromPeer, final long snapshotIndex, final long snapshotTerm,
                                     final long size) {
            verifiedBytes = 0;
            return new SnapshotSink() {
                @Override
                public void write(final long offsetBytes, final ByteBuffer src) {
                    if (offsetBytes != verifiedBytes) {
                        throw new AssertionError("write at " + offsetBytes + ", expected " + verifiedBytes);
                    }
                    while (src.hasRemaining()) {
                        if (src.get() != PatternBytes.at(verifiedBytes)) {
                            throw new AssertionError("wrong byte at " + verifiedBytes);
                        }
                        verifiedBytes++;
                    }
                }

                @Override
                public byte[] complete() {
                    return new byte[] {42};
                }

                @Override
                public void abort() {
                    aborts.incrementAndGet();
                }
            };
        }
    }

    /**
     * Heap use does not grow with the snapshot's size: the Raft loop's thread (this one: it polls both transports;
     * the media driver has a thread of its own) allocates a bounded amount for a 64 MiB snapshot streamed from a
     * store. The in-memory path would allocate the whole snapshot on the receiving side, so the bound bites.
     */
    @Test
    void aLargeStoreBackedSnapshotAllocatesNoHeapInProportionToItsSize() {
        final com.sun.management.ThreadMXBean threads =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        final long size = 64L << 20;
        final PatternStore store = new PatternStore(size);
        try (TestNodes nodes = start(List.of(store, store), null, 1 << 20)) {
            nodes.awaitConnected();
            // A first snapshot lets every buffer reach its size (the fragment assembler's, the staging ones).
            assertTrue(nodes.node(1).send(snapshotMessage(1)));
            nodes.pollUntil("first snapshot delivered", () -> nodes.inbox(2).messages.size() == 1);
            final long thread = Thread.currentThread().threadId();
            final long before = threads.getThreadAllocatedBytes(thread);
            assertTrue(nodes.node(1).send(snapshotMessage(2)));
            nodes.pollUntil("second snapshot delivered", () -> nodes.inbox(2).messages.size() == 2);
            final long allocated = threads.getThreadAllocatedBytes(thread) - before;
            assertEquals(size, store.verifiedBytes, "every byte arrived, in order and intact");
            assertArrayEquals(new byte[] {42}, nodes.inbox(2).messages.get(1).snapshot().data());
            assertTrue(allocated < 4L << 20, allocated + " bytes allocated while streaming a " + size
                + "-byte snapshot");
            System.out.printf("64 MiB store-backed snapshot: %d bytes allocated by the polling thread%n", allocated);
        }
    }

    @Test
    void aSnapshotAbandonedMidStreamDeletesItsPartialFile() throws Exception {
        final Path followerDir = dir.resolve("follower");
        final PatternStore source = new PatternStore(32L << 20);
        final SnapshotStore follower = new FileSnapshotStore(followerDir, m -> {
            throw new AssertionError("the follower sends no snapshot");
        });
        try (TestNodes nodes = start(List.of(source, follower), null, 256 * 1024)) {
            nodes.awaitConnected();
            assertTrue(nodes.node(1).send(snapshotMessage(9)));
            nodes.pollUntil("part of the snapshot received",
                () -> nodes.node(2).counters().snapshotChunksReceived.get() >= 10);
            assertTrue(Files.exists(followerDir.resolve("db.incoming-1-p1.part")));
            nodes.node(2).removePeer(1); // membership change: the transfer is abandoned
            assertFalse(Files.exists(followerDir.resolve("db.incoming-1-p1.part")), "the partial file is deleted");
        }
        Files.writeString(followerDir.resolve("db.incoming-7.part"), "left by a crash");
        new FileSnapshotStore(followerDir, m -> null);
        try (var left = Files.list(followerDir)) {
            assertEquals(List.of(), left.toList(), "partial files a crash left are deleted at start");
        }
    }

    /**
     * A source that reads different bytes each time (as a tree image did when it copied free pages a later commit
     * rewrote) with chunks lost, so that ranges are read again: the receiver's whole-snapshot checksum never
     * matches. Each pass makes progress, which once hid that it never completes and resent the snapshot forever;
     * after a few rejections it is given up and reported, so Raft sends a new snapshot.
     */
    @Test
    void aSnapshotWhoseBytesChangeWhenReadAgainIsGivenUpAfterAFewRejections() {
        final long size = 2L << 20;
        final AtomicInteger reads = new AtomicInteger();
        final SnapshotStore changing = new SnapshotStore() {
            @Override
            public SnapshotSource openSource(final Message snapshotMessage) {
                return new SnapshotSource() {
                    @Override
                    public long sizeBytes() {
                        return size;
                    }

                    @Override
                    public int read(final long offsetBytes, final ByteBuffer dst) {
                        final int length = (int) Math.min(dst.remaining(), size - offsetBytes);
                        final byte value = (byte) reads.incrementAndGet();
                        for (int i = 0; i < length; i++) {
                            dst.put(value);
                        }
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
                throw new AssertionError("not the receiver");
            }
        };
        final PatternStore receiver = new PatternStore(size) {
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
                        throw new AssertionError("the checksum cannot match");
                    }

                    @Override
                    public void abort() {
                        aborts.incrementAndGet();
                    }
                };
            }
        };
        final FaultPlan lossy = new FaultPlan(11).drop(0.2);
        try (TestNodes nodes = start(List.of(changing, receiver), List.of(new FaultPlan(12), lossy), 64 * 1024)) {
            nodes.awaitConnected();
            assertTrue(nodes.node(1).send(snapshotMessage(6)));
            nodes.pollUntil("given up", () -> !nodes.inbox(1).snapshotStatuses.isEmpty());
            assertEquals("2:6:false", nodes.inbox(1).snapshotStatuses.get(0));
            assertEquals(SnapshotSender.REJECTS_MAX, nodes.node(1).counters().snapshotRestarts.get());
            assertTrue(nodes.inbox(2).messages.isEmpty());
            assertFalse(nodes.node(1).isSendingSnapshot(2));
        }
    }

    @Test
    void aSnapshotTheReceiversStoreRefusesIsGivenUpAndReported() {
        final PatternStore source = new PatternStore(1 << 20);
        final SnapshotStore refusing = new SnapshotStore() {
            @Override
            public SnapshotSource openSource(final Message snapshotMessage) {
                throw new AssertionError("not the sender");
            }

            @Override
            public SnapshotSink openSink(final long fromPeer, final long snapshotIndex, final long snapshotTerm,
                                         final long sizeBytes) throws IOException {
                throw new IOException("no space left for " + sizeBytes + " bytes");
            }
        };
        try (TestNodes nodes = start(List.of(source, refusing), null, 64 * 1024)) {
            nodes.awaitConnected();
            assertTrue(nodes.node(1).send(snapshotMessage(5)));
            nodes.pollUntil("given up", () -> !nodes.inbox(1).snapshotStatuses.isEmpty());
            assertEquals("2:5:false", nodes.inbox(1).snapshotStatuses.get(0));
            assertTrue(nodes.inbox(2).messages.isEmpty());
            assertFalse(nodes.node(1).isSendingSnapshot(2));
        }
    }
}
