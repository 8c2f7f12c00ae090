package io.cairn.transport;

import io.aeron.driver.ThreadingMode;
import java.nio.file.Path;
import java.util.Objects;

/**
 * Everything a transport needs to start. {@link #defaults} suits a small machine: the media driver runs all its
 * agents on one thread (SHARED) and backs off to 1 ms parks when idle, so an idle member costs almost no CPU.
 *
 * @param clusterId               written into every frame; frames with another cluster id are dropped
 * @param memberId                this member; frames addressed to another member are dropped
 * @param listenUrl               the {@code --listen-peer-urls} value the subscriptions bind (UDP, same port)
 * @param aeronDir                the media driver's directory (deleted on start and on close)
 * @param threadingMode           SHARED (one driver thread, default), DEDICATED, or INVOKER (no driver thread: the
 *                                owner's {@link AeronTransport#poll} runs the driver; for benchmarks on few cores)
 * @param idleStrategy            Aeron's idle strategy name for the driver: backoff, sleep-ns, yield, busy, noop
 * @param mtuBytes                UDP payload per Aeron frame; 1408 stays below a 1500-byte network MTU
 * @param messageTermBytes        term length of the Raft message publications; the largest message is 1/8 of it
 * @param snapshotTermBytes       term length of the snapshot publications
 * @param snapshotChunkBytes      snapshot bytes per chunk (at most 1/8 of snapshotTermBytes, minus headers)
 * @param snapshotWindowChunks    chunks sent but not acknowledged, at most (sender flow control)
 * @param snapshotChunksPerPoll   chunks one {@link AeronTransport#poll} sends at most, so a snapshot never holds up
 *                                the Raft loop
 * @param snapshotAckTimeoutNs    no acknowledgement for this long: resend from the last acknowledged offset
 * @param snapshotStallsMax       that many timeouts in a row without progress: give the snapshot up (reported as
 *                                not delivered; Raft sends it again)
 * @param snapshotBytesMax        the largest snapshot the default {@link InMemorySnapshotStore} accepts (one array);
 *                                a store passed to {@link AeronTransport#launch(TransportConfig, SnapshotStore,
 *                                FaultPlan, FaultPlan)} sets its own limits (sizes are longs)
 * @param fragmentsPerPoll        fragments read per subscription per {@link AeronTransport#poll}
 */
public record TransportConfig(long clusterId, long memberId, PeerUrl listenUrl, Path aeronDir,
                              ThreadingMode threadingMode, String idleStrategy, int mtuBytes, int messageTermBytes,
                              int snapshotTermBytes, int snapshotChunkBytes, int snapshotWindowChunks,
                              int snapshotChunksPerPoll, long snapshotAckTimeoutNs, int snapshotStallsMax,
                              int snapshotBytesMax, int fragmentsPerPoll) {
    public static final int SNAPSHOT_CHUNK_HEADROOM_BYTES = 64 * 1024;

    public TransportConfig {
        Objects.requireNonNull(listenUrl, "listenUrl");
        Objects.requireNonNull(aeronDir, "aeronDir");
        Objects.requireNonNull(threadingMode, "threadingMode");
        Objects.requireNonNull(idleStrategy, "idleStrategy");
        if (memberId == 0) {
            throw new IllegalArgumentException("member id 0 means 'none' in Raft");
        }
        if (threadingMode == ThreadingMode.SHARED_NETWORK) {
            throw new IllegalArgumentException("threading mode: SHARED, DEDICATED or INVOKER");
        }
        if (snapshotChunkBytes <= 0 || snapshotChunkBytes + SNAPSHOT_CHUNK_HEADROOM_BYTES > snapshotTermBytes / 8) {
            throw new IllegalArgumentException("snapshotChunkBytes " + snapshotChunkBytes + " must be positive and fit"
                + " with " + SNAPSHOT_CHUNK_HEADROOM_BYTES + " bytes of headers in 1/8 of snapshotTermBytes "
                + snapshotTermBytes);
        }
        if (snapshotWindowChunks <= 0 || snapshotChunksPerPoll <= 0 || snapshotAckTimeoutNs <= 0
            || snapshotStallsMax <= 0 || snapshotBytesMax < 0 || fragmentsPerPoll <= 0) {
            throw new IllegalArgumentException("snapshot and poll bounds must be positive");
        }
    }

    /** Defaults for a member listening on {@code listenUrl}, its driver under /dev/shm. */
    public static TransportConfig defaults(final long clusterId, final long memberId, final PeerUrl listenUrl) {
        final Path shm = Path.of("/dev/shm");
        final Path base = shm.toFile().isDirectory() ? shm : Path.of(System.getProperty("java.io.tmpdir"));
        final Path dir = base.resolve("cairn-aeron-" + Long.toHexString(clusterId) + "-" + Long.toHexString(memberId)
            + "-" + listenUrl.port());
        return new TransportConfig(clusterId, memberId, listenUrl, dir, ThreadingMode.SHARED, "backoff", 1408,
            16 << 20, 16 << 20, 1 << 20, 8, 4, 1_000_000_000L, 30, Integer.MAX_VALUE - 64, 64);
    }

    public TransportConfig withAeronDir(final Path value) {
        return new TransportConfig(clusterId, memberId, listenUrl, value, threadingMode, idleStrategy, mtuBytes,
            messageTermBytes, snapshotTermBytes, snapshotChunkBytes, snapshotWindowChunks, snapshotChunksPerPoll,
            snapshotAckTimeoutNs, snapshotStallsMax, snapshotBytesMax, fragmentsPerPoll);
    }

    public TransportConfig withDriver(final ThreadingMode mode, final String idle) {
        return new TransportConfig(clusterId, memberId, listenUrl, aeronDir, mode, idle, mtuBytes,
            messageTermBytes, snapshotTermBytes, snapshotChunkBytes, snapshotWindowChunks, snapshotChunksPerPoll,
            snapshotAckTimeoutNs, snapshotStallsMax, snapshotBytesMax, fragmentsPerPoll);
    }

    public TransportConfig withMessageTermBytes(final int value) {
        return new TransportConfig(clusterId, memberId, listenUrl, aeronDir, threadingMode, idleStrategy, mtuBytes,
            value, snapshotTermBytes, snapshotChunkBytes, snapshotWindowChunks, snapshotChunksPerPoll,
            snapshotAckTimeoutNs, snapshotStallsMax, snapshotBytesMax, fragmentsPerPoll);
    }

    public TransportConfig withSnapshotFlow(final int chunkBytes, final int windowChunks, final int chunksPerPoll,
                                            final long ackTimeoutNs) {
        return new TransportConfig(clusterId, memberId, listenUrl, aeronDir, threadingMode, idleStrategy, mtuBytes,
            messageTermBytes, snapshotTermBytes, chunkBytes, windowChunks, chunksPerPoll, ackTimeoutNs,
            snapshotStallsMax, snapshotBytesMax, fragmentsPerPoll);
    }

    public TransportConfig withMtuBytes(final int value) {
        return new TransportConfig(clusterId, memberId, listenUrl, aeronDir, threadingMode, idleStrategy, value,
            messageTermBytes, snapshotTermBytes, snapshotChunkBytes, snapshotWindowChunks, snapshotChunksPerPoll,
            snapshotAckTimeoutNs, snapshotStallsMax, snapshotBytesMax, fragmentsPerPoll);
    }

    public TransportConfig withFragmentsPerPoll(final int value) {
        return new TransportConfig(clusterId, memberId, listenUrl, aeronDir, threadingMode, idleStrategy, mtuBytes,
            messageTermBytes, snapshotTermBytes, snapshotChunkBytes, snapshotWindowChunks, snapshotChunksPerPoll,
            snapshotAckTimeoutNs, snapshotStallsMax, snapshotBytesMax, value);
    }
}
