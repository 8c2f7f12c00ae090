package io.cairn.transport;

import io.aeron.Aeron;
import io.aeron.ExclusivePublication;
import io.aeron.FragmentAssembler;
import io.aeron.Publication;
import io.aeron.Subscription;
import io.aeron.logbuffer.BufferClaim;
import io.cairn.raft.Message;
import io.cairn.raft.MessageType;
import io.cairn.sbe.raft.MessageHeaderDecoder;
import io.cairn.sbe.raft.SnapshotChunkAckDecoder;
import io.cairn.sbe.raft.SnapshotChunkDecoder;
import java.io.IOException;
import java.util.Objects;
import org.agrona.DirectBuffer;
import org.agrona.ExpandableDirectByteBuffer;
import org.agrona.collections.Long2ObjectHashMap;
import org.agrona.concurrent.AgentInvoker;
import org.agrona.concurrent.status.AtomicCounter;

/**
 * Raft messages between members over Aeron UDP, SBE-encoded. One subscription per stream on the member's listen
 * URL, one exclusive publication per peer and stream; the snapshot stream is separate so a 256 MiB snapshot never
 * queues in front of heartbeats.
 *
 * <p>Single-threaded by design, like Aeron's agents: the Raft loop owns the transport and calls {@link #send} and
 * {@link #poll} itself. Neither ever waits: a message that cannot be written at once (peer away, publication full)
 * is dropped and counted, and Raft's own retries recover it; snapshots advance a few chunks per {@code poll}.
 * {@link #addPeer} and {@link #removePeer} wait briefly for the media driver (membership changes, not the hot path).
 *
 * <p>With a {@link PeerTls}, every frame to and from a peer travels inside a TLS 1.3 session per peer and stream
 * ({@link TlsLink}); the frames themselves, their admission and decoding are the same as without.
 */
public final class AeronTransport implements AutoCloseable {
    public static final int MESSAGE_STREAM_ID = 1001;
    public static final int SNAPSHOT_STREAM_ID = 1002;
    /**
     * How long the client and the embedded driver may go without hearing from each other before
     * either gives the other up. Both run on the owner's thread in INVOKER mode, so this is how long
     * that thread may stall; past it the client closes itself ({@link #poll} then throws).
     */
    static final long LIVENESS_TIMEOUT_MS = 60_000;
    /** Driver duty cycles one poll or flush may run while they find work (INVOKER mode); see invokeDriver. */
    static final int DRIVER_CYCLES_PER_POLL_MAX = 64;

    private final TransportConfig config;
    private final EmbeddedDriver driver;
    private final Aeron aeron;
    private final AgentInvoker driverInvoker;
    private final AgentInvoker clientInvoker;
    private final TransportCounters counters;
    private final Long2ObjectHashMap<Peer> peers = new Long2ObjectHashMap<>();
    private final FrameAdmission admission;
    private final RaftMessageEncoder encoder;
    private final RaftMessageDecoder decoder = new RaftMessageDecoder();
    private final SnapshotChunkDecoder chunkDecoder = new SnapshotChunkDecoder();
    private final SnapshotChunkAckDecoder ackDecoder = new SnapshotChunkAckDecoder();
    private final BufferClaim claim = new BufferClaim();
    private final ExpandableDirectByteBuffer largeMessage = new ExpandableDirectByteBuffer(64 * 1024);
    private final Subscription messageSubscription;
    private final Subscription snapshotSubscription;
    private final FragmentAssembler messageAssembler;
    private final FragmentAssembler snapshotAssembler;
    private final FaultInjectingFrameHandler messageFaults;
    private final FaultInjectingFrameHandler snapshotFaults;
    private final SnapshotStore store;
    /** Null without TLS. */
    private final TlsLinks tlsLinks;
    private final FrameHandler messageTarget;
    private final FrameHandler snapshotTarget;
    /** Null unless snapshots go over TCP ({@link TransportConfig.SnapshotFlow#overTcp}). */
    private final HttpSnapshots httpSnapshots;
    /** The thread that last polled: woken, besides the socket wait, when a snapshot over TCP arrives or ends. */
    private volatile Thread owner;
    private InboundHandler handler;
    private long nowNs;
    /** Null unless INVOKER mode: the driver's sockets, for {@link #awaitTraffic}. */
    private final DriverSockets sockets;
    /** Null unless INVOKER mode: the bytes of data the driver has received, ever. */
    private final AtomicCounter bytesReceived;
    /** Whether the last {@link #poll} left something for the next one (see {@link #awaitTraffic}). */
    private boolean workLeftByPoll;
    /**
     * Whether the driver has not run since something was sent, or since the last poll read fragments (whose
     * status messages it sends): {@link #awaitTraffic} runs it first then.
     */
    private boolean driverOwed;

    private AeronTransport(final TransportConfig config, final SnapshotStore store, final PeerTls tls,
                           final FaultPlan messageFaultPlan, final FaultPlan snapshotFaultPlan) {
        this.config = config;
        this.store = store;
        this.encoder = new RaftMessageEncoder(config.clusterId());
        this.driver = EmbeddedDriver.launch(config);
        this.driverInvoker = driver.invoker();
        this.sockets = driver.sockets();
        this.bytesReceived = sockets == null ? null : driver.bytesReceived();
        final Aeron.Context context = new Aeron.Context().aeronDirectoryName(config.aeronDir().toString())
            .driverTimeoutMs(LIVENESS_TIMEOUT_MS);
        if (driverInvoker != null) {
            context.useConductorAgentInvoker(true).driverAgentInvoker(driverInvoker);
        }
        this.aeron = Aeron.connect(context);
        this.clientInvoker = driverInvoker != null ? aeron.conductorAgentInvoker() : null;
        this.counters = new TransportCounters(aeron, config.memberId());
        this.admission = new FrameAdmission(config.clusterId(), config.memberId(), peers, counters);
        final String listen = "aeron:udp?endpoint=" + config.listenUrl().udpEndpoint();
        this.messageSubscription = aeron.addSubscription(listen, MESSAGE_STREAM_ID);
        this.snapshotSubscription = aeron.addSubscription(listen, SNAPSHOT_STREAM_ID);
        final FrameHandler onMessageFrame = this::onMessageFrame;
        final FrameHandler onSnapshotFrame = this::onSnapshotFrame;
        this.messageFaults = messageFaultPlan == null ? null
            : new FaultInjectingFrameHandler(messageFaultPlan, onMessageFrame);
        this.snapshotFaults = snapshotFaultPlan == null ? null
            : new FaultInjectingFrameHandler(snapshotFaultPlan, onSnapshotFrame);
        this.messageTarget = messageFaults != null ? messageFaults : onMessageFrame;
        this.snapshotTarget = snapshotFaults != null ? snapshotFaults : onSnapshotFrame;
        if (tls == null) {
            this.tlsLinks = null;
            this.messageAssembler = new FragmentAssembler((buffer, offset, length, header) ->
                messageTarget.onFrame(buffer, offset, length));
            this.snapshotAssembler = new FragmentAssembler((buffer, offset, length, header) ->
                snapshotTarget.onFrame(buffer, offset, length));
        } else {
            // Frames reach the targets (faults, then admission and decoding) only once a peer's TlsLink decrypted them.
            this.tlsLinks = new TlsLinks(tls, config.clusterId(), config.memberId(), counters);
            final FrameAdmission envelopes = new FrameAdmission(TlsEnvelope.SCHEMA_ID, config.clusterId(),
                config.memberId(), peers, counters);
            this.messageAssembler = new FragmentAssembler(new TlsInbound(envelopes, counters, false));
            this.snapshotAssembler = new FragmentAssembler(new TlsInbound(envelopes, counters, true));
        }
        this.httpSnapshots = config.snapshot().overTcp()
            ? new HttpSnapshots(config, store, tls, counters, this::wakeOwner) : null;
    }

    /**
     * Starts the member's media driver and subscriptions. Snapshots are held in memory: a SNAPSHOT message's data is
     * the snapshot ({@link InMemorySnapshotStore}, up to {@code snapshotBytesMax}).
     */
    public static AeronTransport launch(final TransportConfig config) {
        return launch(config, (FaultPlan) null, null);
    }

    /** As {@link #launch(TransportConfig)}, with faults injected into what arrives on each stream (tests). */
    public static AeronTransport launch(final TransportConfig config, final FaultPlan messageFaults,
                                        final FaultPlan snapshotFaults) {
        return launch(config, new InMemorySnapshotStore(config.snapshot().bytesMax()), messageFaults, snapshotFaults);
    }

    /**
     * Starts the member's media driver and subscriptions, streaming snapshots from and to {@code store}: a SNAPSHOT
     * message sent is handed to {@link SnapshotStore#openSource}, and one received carries what the store's sink
     * returned. The fault plans are for tests (null: none).
     */
    public static AeronTransport launch(final TransportConfig config, final SnapshotStore store,
                                        final FaultPlan messageFaults, final FaultPlan snapshotFaults) {
        return launch(config, store, null, messageFaults, snapshotFaults);
    }

    /**
     * As {@link #launch(TransportConfig, SnapshotStore, FaultPlan, FaultPlan)}, with TLS between peers when
     * {@code tls} is not null ({@code https://} peer URLs): every frame to and from a peer is carried in a TLS 1.3
     * session, and a peer whose certificate fails the checks is never heard. Null: plaintext ({@code http://}).
     */
    public static AeronTransport launch(final TransportConfig config, final SnapshotStore store, final PeerTls tls) {
        return launch(config, store, tls, null, null);
    }

    /** As {@link #launch(TransportConfig, SnapshotStore, PeerTls)}, with faults injected after decryption (tests). */
    public static AeronTransport launch(final TransportConfig config, final SnapshotStore store, final PeerTls tls,
                                        final FaultPlan messageFaults, final FaultPlan snapshotFaults) {
        return new AeronTransport(config, Objects.requireNonNull(store, "store"), tls, messageFaults,
            snapshotFaults);
    }

    /** Adds a member, or moves it to a new URL. Frames from members not added here are dropped. */
    public void addPeer(final long memberId, final PeerUrl url) {
        if (memberId == config.memberId() || memberId == 0) {
            throw new IllegalArgumentException("peer id " + memberId + " is this member or none");
        }
        final Peer existing = peers.get(memberId);
        if (existing != null && existing.url.equals(url)) {
            return;
        }
        if (existing != null) {
            existing.close();
        }
        peers.put(memberId, new Peer(aeron, config, counters, memberId, url, store, tlsLinks, messageTarget,
            snapshotTarget));
        if (httpSnapshots != null) {
            httpSnapshots.cancel(memberId); // one to its old URL
            httpSnapshots.peerAdded(memberId);
        }
    }

    /** Forgets a member: closes its publications and abandons its snapshot streams. */
    public void removePeer(final long memberId) {
        final Peer peer = peers.remove(memberId);
        if (peer != null) {
            peer.close();
        }
        if (httpSnapshots != null) {
            httpSnapshots.forget(memberId);
        }
    }

    /**
     * Whether the peer's subscription is currently reachable (Aeron has an image at the other end) and, with TLS,
     * both sessions with it are established.
     */
    public boolean isConnected(final long memberId) {
        final Peer peer = peers.get(memberId);
        return peer != null && peer.isConnected();
    }

    /** Whether this transport runs TLS between peers. */
    public boolean isTls() {
        return tlsLinks != null;
    }

    /**
     * Sends {@code m} to {@code m.to()} without waiting. Small frames are encoded straight into the publication's
     * log buffer (tryClaim); frames above one MTU are encoded once and offered. SNAPSHOT messages start a chunked
     * transfer driven by {@link #poll}, replacing one still in flight to that peer; its bytes come from the
     * store's {@link SnapshotStore#openSource}.
     *
     * @return false when the message was dropped (unknown peer, peer away, back pressure, too large, a snapshot
     *     source that could not be opened, no TLS session with the peer yet); counted.
     */
    public boolean send(final Message m) {
        driverOwed = true;
        final Peer peer = peers.get(m.to());
        if (peer == null) {
            counters.sendUnknownPeer.increment();
            return false;
        }
        if (m.type() == MessageType.SNAPSHOT) {
            return sendSnapshot(m, peer, httpSnapshots != null && httpSnapshots.sendsTo(m.to()));
        }
        if (m.entries().size() > 0xFFFF) {
            counters.sendTooLarge.increment();
            return false;
        }
        final ExclusivePublication publication = peer.messages;
        final int length = RaftMessageEncoder.encodedLength(m);
        if (length > publication.maxMessageLength()) {
            counters.sendTooLarge.increment();
            return false;
        }
        long result = writeOnce(m, peer, publication, length);
        if (result == Publication.ADMIN_ACTION) {
            // The message did not fit the rest of the term, so the publication rotated to the next one, which has
            // room: write it there. Dropped instead, a follower's forwarded proposal was lost for good (Raft does not
            // resend it) and its clients' writes timed out (engine/README.md, "Three members, warm").
            result = writeOnce(m, peer, publication, length);
        }
        if (result > 0) {
            counters.messagesSent.increment();
            return true;
        }
        if (result == Publication.BACK_PRESSURED) {
            counters.sendBackPressured.increment();
        } else if (result == Publication.NOT_CONNECTED) {
            counters.sendNotConnected.increment();
        } else if (result == FrameOutput.NO_SESSION) {
            counters.sendNoTlsSession.increment();
        } else {
            counters.sendFailedOther.increment();
        }
        return false;
    }

    /** One attempt to write {@code m} ({@code length} bytes encoded) to the peer: Aeron's position, or its refusal. */
    private long writeOnce(final Message m, final Peer peer, final ExclusivePublication publication, final int length) {
        if (peer.messageLink != null) {
            encoder.encode(m, largeMessage, 0); // TLS copies it into its records; tryClaim would save nothing
            return peer.messageLink.offer(largeMessage, 0, length);
        }
        if (length <= publication.maxPayloadLength()) {
            final long result = publication.tryClaim(length, claim);
            if (result > 0) {
                encoder.encode(m, claim.buffer(), claim.offset());
                claim.commit();
            }
            return result;
        }
        encoder.encode(m, largeMessage, 0);
        return publication.offer(largeMessage, 0, length);
    }

    /**
     * Starts sending {@code m}'s snapshot, over TCP or on the Aeron stream, replacing one still in flight to the
     * peer either way; false when its source could not be opened.
     */
    private boolean sendSnapshot(final Message m, final Peer peer, final boolean overTcp) {
        final SnapshotSource source;
        try {
            source = store.openSource(m);
        } catch (final IOException | RuntimeException e) {
            System.getLogger(AeronTransport.class.getName()).log(System.Logger.Level.WARNING, "snapshot "
                + m.snapshot().index() + " to " + Long.toHexString(m.to()) + ": cannot open its source: " + e);
            counters.snapshotsFailed.increment();
            return false;
        }
        final io.cairn.raft.Snapshot described = source.describe(m.snapshot());
        final Message sent = described == m.snapshot() ? m : new Message(m.type(), m.from(), m.to(), m.term(),
            m.logTerm(), m.index(), m.entries(), m.commit(), m.reject(), m.rejectHint(), described, m.context());
        if (overTcp) {
            peer.snapshotSender.end();
            httpSnapshots.start(sent, source, peer.url);
        } else {
            if (httpSnapshots != null) {
                httpSnapshots.cancel(m.to());
            }
            peer.snapshotSender.start(sent, source, System.nanoTime());
        }
        counters.messagesSent.increment();
        return true;
    }

    /** A peer had no endpoint for snapshots over TCP: the same snapshot again, on the Aeron stream. */
    private void sendOverAeron(final Message snapshotMessage) {
        final Peer peer = peers.get(snapshotMessage.to());
        if (peer == null || !sendSnapshot(snapshotMessage, peer, false)) {
            handler.onSnapshotStatus(snapshotMessage.to(), snapshotMessage.snapshot().index(), false);
        }
    }

    /**
     * A snapshot a peer sent over TCP ({@link TransportConfig.SnapshotFlow#overTcp}), for the member's peer HTTP
     * listener to call on its request thread with {@code POST /cairn/snapshot}'s headers and body: the snapshot is
     * written to the store's sink, checked, and queued for the owner's next {@link #poll}, which delivers it as the
     * Aeron stream's are. Any thread.
     *
     * @return the status and text to answer with (503 when this transport takes no snapshots over TCP)
     */
    public SnapshotUploadAnswer receiveSnapshot(final SnapshotUploadRequest request) {
        if (httpSnapshots == null) {
            return new SnapshotUploadAnswer(503, "this member takes snapshots on the Aeron stream only");
        }
        return httpSnapshots.receive(request);
    }

    /** Wakes the owner for the queues of snapshots over TCP: out of a socket wait or a park. */
    private void wakeOwner() {
        wakeUp();
        final Thread thread = owner;
        if (thread != null) {
            java.util.concurrent.locks.LockSupport.unpark(thread);
        }
    }

    /**
     * One duty cycle: delivers up to {@code fragmentsPerPoll} received fragments per stream to {@code handler},
     * advances outgoing snapshots by a few chunks, and (INVOKER mode) runs the media driver. Never blocks.
     *
     * @return work done; 0 lets the caller's idle strategy back off
     */
    public int poll(final InboundHandler inbound) {
        handler = inbound;
        owner = Thread.currentThread();
        nowNs = System.nanoTime();
        int work = 0;
        if (httpSnapshots != null) {
            work += httpSnapshots.drain(inbound, this::sendOverAeron);
        }
        if (driverInvoker != null) {
            work += invokeDriver();
            work += clientInvoker.invoke();
            if (aeron.isClosed()) {
                // Its counters and buffers are unmapped: touching them would crash the process.
                throw new IllegalStateException("the Aeron client closed itself: its thread stalled for longer than "
                    + LIVENESS_TIMEOUT_MS + " ms, or the media driver failed");
            }
        }
        final int fragmentsPerPoll = config.driver().fragmentsPerPoll();
        final int messageFragments = messageSubscription.poll(messageAssembler, fragmentsPerPoll);
        final int snapshotFragments = snapshotSubscription.poll(snapshotAssembler, fragmentsPerPoll);
        int leftWork = 0;
        if (messageFaults != null) {
            leftWork += messageFaults.releaseDue(nowNs);
        }
        if (snapshotFaults != null) {
            leftWork += snapshotFaults.releaseDue(nowNs);
        }
        for (final Peer peer : peers.values()) {
            leftWork += peer.doWork(nowNs, inbound);
        }
        // Fragments up to the limit may mean more are waiting in the log buffers, where no socket shows them;
        // a TLS step or a released frame may have made more to do.
        workLeftByPoll = messageFragments == fragmentsPerPoll || snapshotFragments == fragmentsPerPoll || leftWork > 0;
        driverOwed |= messageFragments + snapshotFragments > 0;
        return work + messageFragments + snapshotFragments + leftWork;
    }

    /**
     * INVOKER mode, on the owner's thread, in place of a park when a duty cycle found nothing to do: sleeps until
     * there is something to poll. First, if something was sent or read since the driver last ran, it runs the
     * driver until it finds nothing more to do, so that what was sent leaves and the status messages for what was
     * read go out. It returns at once if that received data, or if the last {@link #poll} left work behind
     * (fragments up to {@code fragmentsPerPoll}, a TLS step, a frame the fault layer released). Otherwise it waits
     * until a datagram reaches one of the driver's sockets, {@link #wakeUp} is called (or was, since the last
     * wait), or {@code timeoutMs} (at least 1) pass; at most 1 ms while the fault layer holds frames back.
     *
     * <p>A member that polled on a timer instead spent most of an idle member's CPU on the driver's duty cycles:
     * one {@code recvfrom} per socket per cycle (README, "Waiting for traffic").
     *
     * @return false, at once and without running the driver, in the other modes: the driver's own threads read
     *         the sockets, so the owner must park instead
     */
    public boolean awaitTraffic(final long timeoutMs) {
        if (sockets == null) {
            return false;
        }
        if (workLeftByPoll) {
            return true;
        }
        if (driverOwed) {
            final long receivedBefore = bytesReceived.get();
            flush();
            if (bytesReceived.get() != receivedBefore) {
                return true;
            }
        }
        final boolean framesHeld = messageFaults != null && messageFaults.holdsFrames()
            || snapshotFaults != null && snapshotFaults.holdsFrames();
        sockets.await(framesHeld ? 1 : timeoutMs);
        return true;
    }

    /** Ends an {@link #awaitTraffic} under way, or makes the next one return at once (any thread). */
    public void wakeUp() {
        if (sockets != null) {
            sockets.wakeUp();
        }
    }

    /** How many of the driver's sockets {@link #awaitTraffic} waits on (tests). */
    int socketsWatched() {
        return sockets == null ? 0 : sockets.socketsWatched();
    }

    /**
     * INVOKER mode: runs the media driver's duty cycle once, so what {@link #send} just wrote into
     * the publications leaves on the wire now rather than at the next {@link #poll} (a leader flushes
     * its appends before its own fsync, or the followers would start theirs only after it). Delivers
     * nothing inbound. Returns the work done; 0 in the other modes.
     */
    public int flush() {
        if (driverInvoker == null) {
            return 0;
        }
        return invokeDriver() + clientInvoker.invoke();
    }

    /**
     * INVOKER mode: runs the driver's duty cycle until it finds nothing to do, at most
     * {@link #DRIVER_CYCLES_PER_POLL_MAX} times. One cycle moves about one datagram per
     * publication and per receiving endpoint, so a single cycle per poll sent and received one
     * MTU per Raft loop cycle: a new member catching up by log took 9.3 s for 30,000 1 KiB puts
     * (about 3 MB/s); with this loop, 4.0 s (engine/README.md, "Catch-up throughput").
     */
    private int invokeDriver() {
        driverOwed = false;
        int work = 0;
        for (int i = 0; i < DRIVER_CYCLES_PER_POLL_MAX; i++) {
            final int done = driverInvoker.invoke();
            work += done;
            if (done == 0) {
                break;
            }
        }
        return work;
    }

    private void onMessageFrame(final DirectBuffer buffer, final int offset, final int length) {
        if (admission.admit(buffer, offset, length) == null) {
            return;
        }
        final Message message = decoder.decode(buffer, offset, length);
        if (message == null) {
            counters.framesMalformed.increment();
            return;
        }
        counters.messagesReceived.increment();
        handler.onMessage(message);
    }

    private void onSnapshotFrame(final DirectBuffer buffer, final int offset, final int length) {
        final Peer peer = admission.admit(buffer, offset, length);
        if (peer == null) {
            return;
        }
        final int block = admission.blockLength();
        final int version = admission.version();
        final int body = offset + MessageHeaderDecoder.ENCODED_LENGTH;
        try {
            switch (admission.templateId()) {
                case SnapshotChunkDecoder.TEMPLATE_ID -> {
                    chunkDecoder.wrap(buffer, body, block, version);
                    peer.snapshotReceiver.onChunk(chunkDecoder, offset + length, handler);
                }
                case SnapshotChunkAckDecoder.TEMPLATE_ID -> {
                    ackDecoder.wrap(buffer, body, block, version);
                    peer.snapshotSender.onAck(ackDecoder.snapshotIndex(), ackDecoder.nextOffset(),
                        RaftMessageDecoder.bool(ackDecoder.reject()), nowNs, handler);
                }
                default -> counters.framesMalformed.increment();
            }
        } catch (final IndexOutOfBoundsException | IllegalArgumentException | IllegalStateException malformed) {
            counters.framesMalformed.increment();
        }
    }

    /** Bytes {@code m} takes on the wire as one SBE frame (not SNAPSHOT, which is chunked), before Aeron's header. */
    public static int frameBytes(final Message m) {
        return RaftMessageEncoder.encodedLength(m);
    }

    public TransportCounters counters() {
        return counters;
    }

    public EmbeddedDriver driver() {
        return driver;
    }

    public TransportConfig config() {
        return config;
    }

    /** Whether a snapshot to {@code memberId} is still being streamed. */
    public boolean isSendingSnapshot(final long memberId) {
        final Peer peer = peers.get(memberId);
        return peer != null && peer.snapshotSender.isActive()
            || httpSnapshots != null && httpSnapshots.isSending(memberId);
    }

    /**
     * Whether a snapshot is being streamed to or from any member (owner thread). A stream moves only
     * as fast as the owner polls: an owner that parks between polls while this is true slows it down
     * (1 ms parks held a 512 MiB snapshot to 47 MiB/s, README "Snapshot throughput").
     */
    public boolean isStreamingSnapshot() {
        for (final Peer peer : peers.values()) {
            if (peer.isStreamingSnapshot()) {
                return true;
            }
        }
        return false;
    }

    @Override
    public void close() {
        if (httpSnapshots != null) {
            httpSnapshots.close();
        }
        for (final Peer peer : peers.values()) {
            peer.close();
        }
        peers.clear();
        aeron.close();
        driver.close();
    }
}
