package io.cairn.transport;

import io.aeron.driver.ThreadingMode;
import java.nio.file.Path;
import java.util.Objects;

/**
 * Everything a transport needs to start. {@link #defaults} suits a small machine: the media driver runs all its
 * agents on one thread (SHARED) and backs off to 1 ms parks when idle, so an idle member costs almost no CPU.
 *
 * @param clusterId written into every frame; frames with another cluster id are dropped
 * @param memberId  this member; frames addressed to another member are dropped
 * @param listenUrl the {@code --listen-peer-urls} value the subscriptions bind (UDP, same port)
 * @param aeronDir  the media driver's directory (deleted on start and on close)
 * @param driver    how the media driver runs and what it sends
 * @param snapshot  how snapshots stream
 */
public record TransportConfig(long clusterId, long memberId, PeerUrl listenUrl, Path aeronDir, Driver driver,
                              SnapshotFlow snapshot) {
    public static final int SNAPSHOT_CHUNK_HEADROOM_BYTES = 64 * 1024;

    /**
     * @param threadingMode    SHARED (one driver thread, default), DEDICATED, or INVOKER (no driver thread: the owner's
     *                         {@link AeronTransport#poll} runs the driver; how members run)
     * @param idleStrategy     Aeron's idle strategy name for the driver: backoff, sleep-ns, yield, busy, noop
     * @param mtuBytes         UDP payload per Aeron frame; 1408 stays below a 1500-byte network MTU
     * @param messageTermBytes term length of the Raft message publications; the largest message is 1/8 of it
     * @param fragmentsPerPoll fragments read per subscription per {@link AeronTransport#poll}
     */
    public record Driver(ThreadingMode threadingMode, String idleStrategy, int mtuBytes, int messageTermBytes,
                         int fragmentsPerPoll) {
        public Driver {
            Objects.requireNonNull(threadingMode, "threadingMode");
            Objects.requireNonNull(idleStrategy, "idleStrategy");
            if (threadingMode == ThreadingMode.SHARED_NETWORK) {
                throw new IllegalArgumentException("threading mode: SHARED, DEDICATED or INVOKER");
            }
            if (fragmentsPerPoll <= 0) {
                throw new IllegalArgumentException("fragmentsPerPoll must be positive");
            }
        }
    }

    /**
     * @param termBytes    term length of the snapshot publications
     * @param chunkBytes   snapshot bytes per chunk (at most 1/8 of termBytes, minus headers)
     * @param windowChunks chunks sent but not acknowledged, at most (sender flow control)
     * @param chunksPerPoll chunks one {@link AeronTransport#poll} sends at most, so a snapshot never holds up the
     *                     Raft loop
     * @param ackTimeoutNs no acknowledgement for this long: resend from the last acknowledged offset
     * @param stallsMax    that many timeouts in a row without progress: give the snapshot up (reported as not
     *                     delivered; Raft sends it again)
     * @param bytesMax     the largest snapshot the default {@link InMemorySnapshotStore} accepts (one array); a store
     *                     passed to {@link AeronTransport#launch(TransportConfig, SnapshotStore, FaultPlan, FaultPlan)}
     *                     sets its own limits (sizes are longs)
     * @param overTcp      snapshots go as HTTP requests to the peer's URL (its peer listener hands them to
     *                     {@link AeronTransport#receiveSnapshot}), falling back to the Aeron stream for a peer that
     *                     has no such endpoint; false: always the Aeron stream
     */
    public record SnapshotFlow(int termBytes, int chunkBytes, int windowChunks, int chunksPerPoll, long ackTimeoutNs,
                               int stallsMax, int bytesMax, boolean overTcp) {
        public SnapshotFlow {
            if (chunkBytes <= 0 || chunkBytes + SNAPSHOT_CHUNK_HEADROOM_BYTES > termBytes / 8) {
                throw new IllegalArgumentException("chunkBytes " + chunkBytes + " must be positive and fit"
                    + " with " + SNAPSHOT_CHUNK_HEADROOM_BYTES + " bytes of headers in 1/8 of termBytes "
                    + termBytes);
            }
            if (windowChunks <= 0 || chunksPerPoll <= 0 || ackTimeoutNs <= 0 || stallsMax <= 0 || bytesMax < 0) {
                throw new IllegalArgumentException("snapshot bounds must be positive");
            }
        }
    }

    public TransportConfig {
        Objects.requireNonNull(listenUrl, "listenUrl");
        Objects.requireNonNull(aeronDir, "aeronDir");
        Objects.requireNonNull(driver, "driver");
        Objects.requireNonNull(snapshot, "snapshot");
        if (memberId == 0) {
            throw new IllegalArgumentException("member id 0 means 'none' in Raft");
        }
    }

    /** Defaults for a member listening on {@code listenUrl}, its driver under /dev/shm. */
    public static TransportConfig defaults(final long clusterId, final long memberId, final PeerUrl listenUrl) {
        final Path shm = Path.of("/dev/shm");
        final Path base = shm.toFile().isDirectory() ? shm : Path.of(System.getProperty("java.io.tmpdir"));
        final Path dir = base.resolve("cairn-aeron-" + Long.toHexString(clusterId) + "-" + Long.toHexString(memberId)
            + "-" + listenUrl.port());
        final Driver driver = new Driver(ThreadingMode.SHARED, "backoff", 1408, 16 << 20, 64);
        final SnapshotFlow snapshot = new SnapshotFlow(16 << 20, 1 << 20, 8, 4, 1_000_000_000L, 30,
            Integer.MAX_VALUE - 64, false);
        return new TransportConfig(clusterId, memberId, listenUrl, dir, driver, snapshot);
    }

    public TransportConfig withAeronDir(final Path value) {
        return new TransportConfig(clusterId, memberId, listenUrl, value, driver, snapshot);
    }

    public TransportConfig withDriver(final ThreadingMode mode, final String idle) {
        return withDriver(new Driver(mode, idle, driver.mtuBytes, driver.messageTermBytes, driver.fragmentsPerPoll));
    }

    public TransportConfig withMessageTermBytes(final int value) {
        return withDriver(new Driver(driver.threadingMode, driver.idleStrategy, driver.mtuBytes, value,
            driver.fragmentsPerPoll));
    }

    public TransportConfig withMtuBytes(final int value) {
        return withDriver(new Driver(driver.threadingMode, driver.idleStrategy, value, driver.messageTermBytes,
            driver.fragmentsPerPoll));
    }

    public TransportConfig withFragmentsPerPoll(final int value) {
        return withDriver(new Driver(driver.threadingMode, driver.idleStrategy, driver.mtuBytes,
            driver.messageTermBytes, value));
    }

    public TransportConfig withSnapshotFlow(final int chunkBytes, final int windowChunks, final int chunksPerPoll,
                                            final long ackTimeoutNs) {
        return new TransportConfig(clusterId, memberId, listenUrl, aeronDir, driver, new SnapshotFlow(
            snapshot.termBytes, chunkBytes, windowChunks, chunksPerPoll, ackTimeoutNs, snapshot.stallsMax,
            snapshot.bytesMax, snapshot.overTcp));
    }

    /** Snapshots over TCP when {@code value} (see {@link SnapshotFlow#overTcp}). */
    public TransportConfig withSnapshotsOverTcp(final boolean value) {
        return new TransportConfig(clusterId, memberId, listenUrl, aeronDir, driver, new SnapshotFlow(
            snapshot.termBytes, snapshot.chunkBytes, snapshot.windowChunks, snapshot.chunksPerPoll,
            snapshot.ackTimeoutNs, snapshot.stallsMax, snapshot.bytesMax, value));
    }

    private TransportConfig withDriver(final Driver value) {
        return new TransportConfig(clusterId, memberId, listenUrl, aeronDir, value, snapshot);
    }
}
