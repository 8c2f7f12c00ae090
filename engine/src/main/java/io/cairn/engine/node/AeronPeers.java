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
        try {
            for (final Member member : members) {
                if (member.id() != config.memberId()) {
                    transport.addPeer(member.id(), PeerUrl.of(java.net.URI.create(member.peerUrls().getFirst())));
                }
            }
        } catch (final RuntimeException e) {
            transport.close();
            throw e;
        }
        return new AeronPeers(transport);
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
                image.close();
            }
        };
    }

    @Override
    public boolean send(final Message message) {
        return transport.send(message);
    }

    @Override
    public int poll(final InboundHandler inbound) {
        final int work = transport.poll(inbound);
        if (work == 0) {
            noteForeignFrames();
        }
        return work;
    }

    @Override
    public void flush() {
        transport.flush();
    }

    @Override
    public PeerCounters counters() {
        final var counters = transport.counters();
        return new PeerCounters(counters.messagesSent.get(), counters.messagesReceived.get(),
            counters.sendBackPressured.get(), counters.sendNotConnected.get(), counters.snapshotsSent.get(),
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
