package io.cairn.engine.node;

import io.cairn.btree.Env;
import io.cairn.btree.TreeImage;
import io.cairn.engine.cluster.Member;
import io.cairn.engine.log.LogField;
import io.cairn.raft.Message;
import io.cairn.transport.AeronTransport;
import io.cairn.transport.FaultPlan;
import io.cairn.transport.InboundHandler;
import io.cairn.transport.PeerTls;
import io.cairn.transport.PeerUrl;
import io.cairn.transport.TransportConfig;
import io.cairn.transport.FileSnapshotStore;
import io.cairn.transport.SnapshotSource;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.List;

/**
 * Peers over the Aeron transport: one publication per member, frames stamped with the cluster id.
 * Frames of another cluster (a mismatched --initial-cluster-token) are dropped by the transport;
 * this class turns its counter into a log line an operator can act on.
 */
final class AeronPeers implements Peers {
    private static final System.Logger LOG = System.getLogger(AeronPeers.class.getName());
    private static final long FOREIGN_LOG_EVERY_NANOS = 10_000_000_000L;

    private final AeronTransport transport;
    /** The members the transport has as peers, by id: their peer URL. */
    private final java.util.Map<Long, String> peerUrls = new java.util.HashMap<>();
    /** Since when each peer's link has been up, sampled by the owner's poll; read by any thread. */
    private final java.util.concurrent.ConcurrentHashMap<Long, Long> connectedSince =
        new java.util.concurrent.ConcurrentHashMap<>();
    private static final long CONNECTION_CHECK_EVERY_NANOS = 100_000_000L;
    private long nextConnectionCheckNanos;
    private long foreignFramesLogged;
    private long nextForeignCheckNanos;

    private AeronPeers(final AeronTransport transport) {
        this.transport = transport;
    }

    /**
     * Starts the transport on this member's peer URL and adds every other member; {@code messageFaults}
     * (tests; null for none) acts on the Raft frames received; {@code tls} (null: none) encrypts every
     * frame between peers.
     */
    static AeronPeers start(final TransportConfig config, final List<Member> members, final Path snapshotDir,
        final Env tree, final FaultPlan messageFaults, final PeerTls tls) throws IOException {
        // Snapshots leave as a consistent image of the tree read chunk by chunk, and arrive as a file
        // beside the tree: neither end holds a snapshot in memory.
        final FileSnapshotStore snapshots = new FileSnapshotStore(snapshotDir,
            message -> imageOf(tree, message));
        final AeronTransport transport = AeronTransport.launch(config, snapshots, tls, messageFaults, null);
        final AeronPeers peers = new AeronPeers(transport);
        try {
            peers.members(members, java.util.Set.of());
        } catch (final RuntimeException e) {
            transport.close();
            throw e;
        }
        return peers;
    }

    @Override
    public void members(final List<Member> members, final java.util.Set<Long> removedIds) {
        final long self = transport.config().memberId();
        for (final Member member : members) {
            if (member.id() == self || member.peerUrls().isEmpty() || removedIds.contains(member.id())) {
                continue;
            }
            final String url = member.peerUrls().getFirst();
            if (url.equals(peerUrls.get(member.id()))) {
                continue;
            }
            try {
                transport.addPeer(member.id(), PeerUrl.of(java.net.URI.create(url)));
                peerUrls.put(member.id(), url);
                LOG.log(System.Logger.Level.INFO, "added remote peer", LogField.memberId("local-member-id", self),
                    LogField.memberId("remote-peer-id", member.id()), LogField.of("remote-peer-urls", member.peerUrls()));
            } catch (final RuntimeException e) {
                // A URL the transport cannot use (another scheme than the cluster's): the member stays
                // unreachable from here, and the operator hears why; the loop goes on.
                LOG.log(System.Logger.Level.ERROR, "cannot reach member " + Long.toHexString(member.id()) + " at "
                    + url + ": " + e.getMessage());
            }
        }
        for (final Long id : List.copyOf(peerUrls.keySet())) {
            if (removedIds.contains(id)) {
                transport.removePeer(id);
                peerUrls.remove(id);
                LOG.log(System.Logger.Level.INFO, "removed remote peer", LogField.memberId("local-member-id", self),
                    LogField.memberId("removed-remote-peer-id", id));
            }
        }
    }

    private static SnapshotSource imageOf(final Env tree, final Message message) {
        final TreeImage image;
        try {
            image = tree.openImage();
        } catch (final IOException e) {
            throw new UncheckedIOException("cannot open an image of " + tree.path() + " to send", e);
        }
        LOG.log(System.Logger.Level.INFO, "sending database snapshot", LogField.memberId("local-member-id", message.from()),
            LogField.of("snapshot-index", message.snapshot() == null ? 0 : message.snapshot().index()), LogField.memberId("remote-peer-id", message.to()),
            LogField.of("bytes", image.sizeBytes()));
        final io.cairn.raft.Snapshot imaged = describe(image);
        return new SnapshotSource() {
            @Override
            public io.cairn.raft.Snapshot describe(final io.cairn.raft.Snapshot asked) {
                return imaged == null || imaged.index() < asked.index() ? asked : imaged;
            }

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
                image.close();
            }
        };
    }

    /**
     * The snapshot a tree image is: its applied entry and that entry's term, and the membership its
     * members bucket holds there. Raft asked for the snapshot at the index the log was compacted
     * at, but the image is the tree as it is now, applied further; naming the image's own index lets
     * the follower's Raft start exactly where its tree does, with the membership of that point (the
     * conf changes in between are in the tree, and must not be applied twice). Null for a tree that
     * has applied nothing.
     */
    private static io.cairn.raft.Snapshot describe(final TreeImage image) {
        try (io.cairn.btree.ReadTxn read = image.beginRead()) {
            final io.cairn.engine.backend.BtreeView view = new io.cairn.engine.backend.BtreeView(read);
            final long index = CommandApplier.appliedIndex(view);
            final long term = CommandApplier.appliedTerm(view);
            if (index == 0 || term == 0) {
                return null;
            }
            return new io.cairn.raft.Snapshot(index, term,
                MemberStorage.confStateOf(io.cairn.engine.cluster.MemberTable.all(view)), new byte[0]);
        }
    }

    @Override
    public boolean send(final Message message) {
        return transport.send(message);
    }

    @Override
    public io.cairn.transport.SnapshotUploadAnswer receiveSnapshot(final io.cairn.transport.SnapshotUploadRequest request) {
        return transport.receiveSnapshot(request);
    }

    @Override
    public int poll(final InboundHandler inbound) {
        final int work = transport.poll(inbound);
        if (work == 0) {
            noteForeignFrames();
        }
        noteConnections();
        return work;
    }

    /** Samples each peer's link now and then, for {@link #connectedSinceNanos}. */
    private void noteConnections() {
        final long now = System.nanoTime();
        if (now - nextConnectionCheckNanos < 0) {
            return;
        }
        nextConnectionCheckNanos = now + CONNECTION_CHECK_EVERY_NANOS;
        for (final Long id : peerUrls.keySet()) {
            if (!transport.isConnected(id)) {
                connectedSince.remove(id);
            } else {
                connectedSince.putIfAbsent(id, now);
            }
        }
        connectedSince.keySet().retainAll(peerUrls.keySet());
    }

    @Override
    public long connectedSinceNanos(final long id) {
        final Long since = connectedSince.get(id);
        return since == null ? Long.MIN_VALUE : since;
    }

    @Override
    public boolean streamingSnapshot() {
        return transport.isStreamingSnapshot();
    }

    @Override
    public boolean awaitTraffic(final long timeoutMs) {
        return transport.awaitTraffic(timeoutMs);
    }

    @Override
    public void wakeUp() {
        transport.wakeUp();
    }

    @Override
    public void flush() {
        transport.flush();
    }

    @Override
    public PeerCounters counters() {
        final var counters = transport.counters();
        final long refusedOther = counters.sendFailedOther.get() + counters.sendTooLarge.get()
            + counters.sendUnknownPeer.get() + counters.sendNoTlsSession.get();
        return new PeerCounters(counters.messagesSent.get(), counters.messagesReceived.get(),
            counters.sendBackPressured.get(), counters.sendNotConnected.get(), refusedOther, counters.snapshotsSent.get(),
            counters.snapshotsReceived.get(), counters.snapshotsFailed.get());
    }

    private void noteForeignFrames() {
        final long now = System.nanoTime();
        if (now - nextForeignCheckNanos < 0) {
            return;
        }
        nextForeignCheckNanos = now + FOREIGN_LOG_EVERY_NANOS;
        final long foreign = transport.counters().framesForeignCluster.get();
        if (foreign > foreignFramesLogged) {
            LOG.log(System.Logger.Level.ERROR, (foreign - foreignFramesLogged) + " peer frames from another cluster "
                + "were refused (this member is in cluster " + Long.toHexString(transport.config().clusterId())
                + "): a member was started with another --initial-cluster-token or --initial-cluster, "
                + "or another cluster's member points at this one's peer URL");
            foreignFramesLogged = foreign;
        }
    }

    @Override
    public void close() {
        transport.close();
    }
}
