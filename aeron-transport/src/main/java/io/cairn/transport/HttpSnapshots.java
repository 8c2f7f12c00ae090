package io.cairn.transport;

import io.cairn.raft.Message;
import io.cairn.raft.MessageType;
import io.cairn.raft.Snapshot;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.zip.CRC32C;
import org.agrona.collections.Long2LongHashMap;
import org.agrona.collections.Long2ObjectHashMap;
import org.agrona.collections.LongHashSet;

/**
 * Snapshots over TCP, beside the Aeron stream: a member sends each snapshot as one HTTP request on the peer's URL
 * ({@link SnapshotUpload}, {@link SnapshotUploadHead}) and receives them through its peer HTTP listener, which hands
 * each request to {@link #receive}. Measured against the Aeron stream, whose cost is two syscalls per 1,408-byte
 * datagram: engine/README.md, "Snapshots over TCP".
 *
 * <p>Threads: {@link #start}, {@link #drain}, {@link #cancel} and {@link #forget} run on the transport's owner
 * thread; each upload runs on a thread of its own; {@link #receive} runs on the listener's request thread. They
 * meet in two queues the owner drains at each poll: outcomes of uploads, and snapshots received.
 */
final class HttpSnapshots {
    /** What the owner does when a peer turns out to have no endpoint for snapshots over TCP. */
    interface Fallback {
        void overAeron(Message snapshotMessage);
    }

    static final long BACK_OFF_FIRST_MS = 100;
    static final long BACK_OFF_MAX_MS = 5_000;

    private final TransportConfig config;
    private final SnapshotStore store;
    private final PeerTls tlsOrNull;
    /** etcd's --peer-cert-allowed-cn, on both ends of every upload; null without TLS. */
    private final PeerCertificateCheck certificateCheck;
    private final TransportCounters counters;
    private final Runnable wakeOwner;
    /** Owner thread: the upload in flight to each peer. */
    private final Long2ObjectHashMap<SnapshotUpload> uploads = new Long2ObjectHashMap<>();
    /**
     * Owner thread: failed uploads in a row per peer. Raft asks for a new snapshot as soon as one fails; a peer that
     * refuses every one (a certificate it does not accept, a disk it cannot write) would otherwise get a connection
     * and a warning ten times a second.
     */
    private final Long2LongHashMap failuresInARow = new Long2LongHashMap(0);
    /** Owner thread: peers that answered 404 (members of an older version): they get the Aeron stream. */
    private final LongHashSet overAeronOnly = new LongHashSet();
    private final ConcurrentLinkedQueue<SnapshotUpload.Outcome> outcomes = new ConcurrentLinkedQueue<>();
    private final ConcurrentLinkedQueue<Message> received = new ConcurrentLinkedQueue<>();
    /** The current peers, for {@link #receive} on other threads. */
    private final Set<Long> peerIds = ConcurrentHashMap.newKeySet();
    /**
     * Bodies being read by {@link #receive}, each with its thread. The JDK's HTTP server has no read
     * time-out: a sender that vanished without closing its connection (power cut, partition) left
     * the request's thread and its partial file waiting for ever. The owner interrupts a read that
     * has not moved for the upload's stall time, which closes the connection's channel.
     */
    private final Set<BodyRead> bodyReads = ConcurrentHashMap.newKeySet();

    /** One body being read: by which thread, and when it last moved; the owner may cut it off while active. */
    private static final class BodyRead {
        final Thread reader = Thread.currentThread();
        volatile long movedAtNanos = System.nanoTime();
        private boolean active = true; // guarded by this

        synchronized void cutOffIfStalled(final long now, final long stallNanos) {
            if (active && now - movedAtNanos > stallNanos) {
                reader.interrupt(); // a blocked channel read throws ClosedByInterruptException
            }
        }

        /** No cut-off can reach the reader once this returns; one that came before is cleared. */
        void end() {
            synchronized (this) {
                active = false;
            }
            Thread.interrupted();
        }
    }

    HttpSnapshots(final TransportConfig config, final SnapshotStore store, final PeerTls tlsOrNull,
                  final TransportCounters counters, final Runnable wakeOwner) {
        this.config = config;
        this.store = store;
        this.tlsOrNull = tlsOrNull;
        this.certificateCheck = tlsOrNull == null ? null : new PeerCertificateCheck(tlsOrNull.allowedCn());
        this.counters = counters;
        this.wakeOwner = wakeOwner;
    }

    void peerAdded(final long peerId) {
        peerIds.add(peerId);
        overAeronOnly.remove(peerId);
        failuresInARow.remove(peerId);
    }

    /** The peer left: its upload, if any, is cut off. */
    void forget(final long peerId) {
        peerIds.remove(peerId);
        cancel(peerId);
    }

    /** Whether snapshots to {@code peerId} go this way (owner thread). */
    boolean sendsTo(final long peerId) {
        return !overAeronOnly.contains(peerId);
    }

    /** Starts sending {@code described}'s snapshot from {@code source}, replacing an upload still in flight to it. */
    void start(final Message described, final SnapshotSource source, final PeerUrl url) {
        cancel(described.to());
        final SnapshotUpload upload = new SnapshotUpload(url, tlsOrNull, certificateCheck,
            new SnapshotUploadHead(config.clusterId(), described, source.sizeBytes()), source,
            backOffMs(failuresInARow.get(described.to())), outcome -> {
                outcomes.add(outcome);
                wakeOwner.run();
            });
        uploads.put(described.to(), upload);
        Thread.ofPlatform().daemon().name("cairn-snapshot-to-" + Long.toHexString(described.to())).start(upload);
    }

    /** No wait for a first try; then 100 ms, doubling, at most 5 s. */
    static long backOffMs(final long failuresInARow) {
        return failuresInARow == 0 ? 0
            : Math.min(BACK_OFF_MAX_MS, BACK_OFF_FIRST_MS << Math.min(failuresInARow - 1, 16));
    }

    void cancel(final long peerId) {
        final SnapshotUpload upload = uploads.remove(peerId);
        if (upload != null) {
            upload.cancel();
        }
    }

    /** Whether a snapshot to {@code peerId} is on its way (owner thread). */
    boolean isSending(final long peerId) {
        return uploads.containsKey(peerId);
    }

    /**
     * Owner thread, at each poll: hands snapshots received to {@code handler} and reports how uploads ended. An
     * upload the peer had no endpoint for goes to {@code fallback} instead, and that peer gets the Aeron stream from
     * then on.
     */
    int drain(final InboundHandler handler, final Fallback fallback) {
        int work = 0;
        if (!uploads.isEmpty() || !bodyReads.isEmpty()) {
            // A write blocks for as long as the peer does not read, and Java's sockets have no write timeout: an
            // upload that has not moved for the Aeron stream's whole give-up time is cut off, and reported failed.
            // A body being received that has not moved for as long is cut off too.
            final long now = System.nanoTime();
            final long stallNanos = config.snapshot().ackTimeoutNs() * config.snapshot().stallsMax();
            for (final SnapshotUpload upload : uploads.values()) {
                if (upload.stalled(now, stallNanos)) {
                    upload.cancel();
                }
            }
            for (final BodyRead read : bodyReads) {
                read.cutOffIfStalled(now, stallNanos);
            }
        }
        Message message;
        while ((message = received.poll()) != null) {
            counters.snapshotsReceived.increment();
            handler.onMessage(message);
            work++;
        }
        SnapshotUpload.Outcome outcome;
        while ((outcome = outcomes.poll()) != null) {
            work++;
            final Message sent = outcome.upload().head().message();
            if (uploads.get(sent.to()) != outcome.upload()) {
                continue; // replaced or cancelled: a newer upload (or none) speaks for this peer
            }
            uploads.remove(sent.to());
            switch (outcome.result()) {
                case DELIVERED -> {
                    failuresInARow.remove(sent.to());
                    counters.snapshotsSent.increment();
                    handler.onSnapshotStatus(sent.to(), sent.snapshot().index(), true);
                }
                case UNSUPPORTED -> {
                    overAeronOnly.add(sent.to());
                    fallback.overAeron(sent);
                }
                case FAILED -> {
                    failuresInARow.put(sent.to(), failuresInARow.get(sent.to()) + 1);
                    counters.snapshotsFailed.increment();
                    handler.onSnapshotStatus(sent.to(), sent.snapshot().index(), false);
                }
            }
        }
        return work;
    }

    /**
     * One snapshot request, on the listener's thread: checks the head, writes the body to the store's sink while
     * checksumming it, checks the CRC32C that ends it, completes the sink (synced and renamed), and queues the
     * SNAPSHOT message for the owner. A refused request leaves no file behind.
     *
     */
    SnapshotUploadAnswer receive(final SnapshotUploadRequest request) {
        final SnapshotUploadHead head;
        try {
            head = SnapshotUploadHead.parse(request.header());
        } catch (final IllegalArgumentException e) {
            counters.framesMalformed.increment();
            return new SnapshotUploadAnswer(400, e.getMessage());
        }
        final Message m = head.message();
        if (head.clusterId() != config.clusterId()) {
            counters.framesForeignCluster.increment();
            return new SnapshotUploadAnswer(403, "cluster " + Long.toHexString(head.clusterId())
                + " is not this member's");
        }
        if (m.to() != config.memberId()) {
            counters.framesMisaddressed.increment();
            return new SnapshotUploadAnswer(403, "addressed to " + Long.toHexString(m.to()) + ", not to this member");
        }
        if (!peerIds.contains(m.from())) {
            counters.framesUnknownSender.increment();
            return new SnapshotUploadAnswer(403, Long.toHexString(m.from()) + " is not a peer of this member");
        }
        if (tlsOrNull != null) {
            final String refusal = request.sessionOrNull() == null ? "not over TLS"
                : certificateCheck.refusal(request.sessionOrNull());
            if (refusal != null) {
                return new SnapshotUploadAnswer(403, refusal);
            }
        }
        if (request.contentLength() != head.sizeBytes() + SnapshotUploadHead.CRC_BYTES) {
            return new SnapshotUploadAnswer(400, "Content-Length " + request.contentLength()
                + " is not the size and its CRC32C");
        }
        final Snapshot asked = m.snapshot();
        final SnapshotSink sink;
        try {
            sink = store.openSink(m.from(), asked.index(), asked.term(), head.sizeBytes());
        } catch (final IOException | RuntimeException e) {
            counters.snapshotsFailed.increment();
            return new SnapshotUploadAnswer(409, "the store refuses the snapshot: " + e.getMessage());
        }
        final byte[] data;
        try {
            if (!copyWithCutOff(request.body(), head.sizeBytes(), sink)) {
                sink.abort();
                counters.snapshotChunksCorrupt.increment();
                counters.snapshotsFailed.increment();
                return new SnapshotUploadAnswer(422, "the snapshot's CRC32C does not match its bytes");
            }
            data = sink.complete();
        } catch (final IOException | RuntimeException e) {
            sink.abort();
            counters.snapshotsFailed.increment();
            return new SnapshotUploadAnswer(500, "cannot take the snapshot: " + e.getMessage());
        }
        received.add(new Message(MessageType.SNAPSHOT, m.from(), m.to(), m.term(), 0, 0, List.of(), 0,
            false, 0, new Snapshot(asked.index(), asked.term(), asked.confState(), data), 0));
        wakeOwner.run();
        return SnapshotUploadAnswer.TAKEN;
    }

    /** As {@link #copy}, cut off by the owner if the body stops moving for the stall time. */
    private boolean copyWithCutOff(final InputStream body, final long sizeBytes, final SnapshotSink sink)
        throws IOException {
        final BodyRead read = new BodyRead();
        bodyReads.add(read);
        try {
            return copy(body, sizeBytes, sink, read);
        } finally {
            bodyReads.remove(read);
            read.end();
        }
    }

    /** Copies {@code sizeBytes} of {@code body} into {@code sink}; whether the CRC32C after them matches. */
    private static boolean copy(final InputStream body, final long sizeBytes, final SnapshotSink sink,
        final BodyRead read) throws IOException {
        final CRC32C crc = new CRC32C();
        final byte[] buffer = new byte[(int) Math.min(SnapshotUpload.BUFFER_BYTES, Math.max(sizeBytes, 1))];
        long offset = 0;
        while (offset < sizeBytes) {
            final int got = body.readNBytes(buffer, 0, (int) Math.min(buffer.length, sizeBytes - offset));
            if (got == 0) {
                throw new IOException("the body ended at " + offset + " of " + sizeBytes + " bytes");
            }
            read.movedAtNanos = System.nanoTime();
            crc.update(buffer, 0, got);
            sink.write(offset, ByteBuffer.wrap(buffer, 0, got));
            offset += got;
        }
        final byte[] trailer = body.readNBytes(SnapshotUploadHead.CRC_BYTES);
        if (trailer.length != SnapshotUploadHead.CRC_BYTES) {
            throw new IOException("the body ended before its CRC32C");
        }
        return ByteBuffer.wrap(trailer).getInt() == (int) crc.getValue();
    }

    /** Cuts off every upload (the transport closes). */
    void close() {
        for (final SnapshotUpload upload : uploads.values()) {
            upload.cancel();
        }
        uploads.clear();
    }
}
