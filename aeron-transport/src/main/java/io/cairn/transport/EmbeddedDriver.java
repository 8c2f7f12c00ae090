package io.cairn.transport;

import io.aeron.driver.Configuration;
import io.aeron.driver.MediaDriver;
import io.aeron.driver.ThreadingMode;
import io.aeron.driver.status.SystemCounterDescriptor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.agrona.concurrent.AgentInvoker;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.status.AtomicCounter;

/**
 * The process's own Aeron media driver. Its directory (under /dev/shm by default: log buffers are memory the
 * kernel never writes back) is deleted on start, which clears what a killed process left, and on close. A start is
 * refused while another live process runs its driver there ({@link DriverDirectoryOwner}).
 *
 * <p>Each member has its own directory, named after cluster, member and port, so two members on one machine (tests,
 * the benchmark) never share or delete each other's driver.
 */
public final class EmbeddedDriver implements AutoCloseable {
    /** The longest the driver's executor thread sleeps when it has had nothing to do for a while. */
    static final long ASYNC_EXECUTOR_SLEEP_MAX_MS = 100;

    private final MediaDriver driver;
    private final Path dir;
    /** Null unless INVOKER mode. */
    private final DriverSockets sockets;

    private EmbeddedDriver(final MediaDriver driver, final Path dir, final DriverSockets sockets) {
        this.driver = driver;
        this.dir = dir;
        this.sockets = sockets;
    }

    public static EmbeddedDriver launch(final TransportConfig config) {
        DriverDirectoryOwner.checkNoOtherOwner(config.aeronDir(), DriverDirectoryOwner.OWNER_EXIT_WAIT_MS);
        // In INVOKER mode the owner runs the driver, so it may also sleep on the driver's sockets.
        final ThreadingMode threadingMode = config.driver().threadingMode();
        final DriverSockets sockets = threadingMode == ThreadingMode.INVOKER ? new DriverSockets() : null;
        final String idle = config.driver().idleStrategy();
        final MediaDriver.Context context = new MediaDriver.Context()
            .aeronDirectoryName(config.aeronDir().toString())
            .dirDeleteOnStart(true)
            .dirDeleteOnShutdown(true)
            .threadingMode(threadingMode)
            // Sparse log buffers: a peer's 16 MiB terms cost memory only as far as they are written.
            .termBufferSparseFile(true)
            .sharedIdleStrategy(Configuration.agentIdleStrategy(idle, null))
            .conductorIdleStrategy(Configuration.agentIdleStrategy(idle, null))
            .senderIdleStrategy(Configuration.agentIdleStrategy(idle, null))
            .receiverIdleStrategy(Configuration.agentIdleStrategy(idle, null))
            // The driver's executor thread parses channels and resolves host names for the conductor, when a
            // publication or subscription is added and when a peer's name is resolved again. Aeron's idle strategy
            // for it sleeps about 50 us at a time: 1,600 wake-ups a second, 2.5% of a core on an idle member, more
            // than all else it spent. This one sleeps 1 ms after a task, twice as long each time after that, up
            // to 100 ms: the adds of a start or a membership change follow each other within a few milliseconds.
            .asyncExecutorIdleStrategy(new BackoffIdleStrategy(1, 1, TimeUnit.MILLISECONDS.toNanos(1),
                TimeUnit.MILLISECONDS.toNanos(ASYNC_EXECUTOR_SLEEP_MAX_MS)))
            .warnIfDirectoryExists(false)
            // The owner's thread runs driver and client alike in INVOKER mode: a stall of that thread
            // (a disk that hangs an fsync) must not make the driver drop its only client, whose mapped
            // counters then vanish under it (Aeron's default is 10 s; see AeronTransport.LIVENESS_TIMEOUT_MS).
            .clientLivenessTimeoutNs(TimeUnit.MILLISECONDS.toNanos(AeronTransport.LIVENESS_TIMEOUT_MS))
            // Aeron requires it above the client liveness timeout (its default is 15 s against 10 s).
            .publicationUnblockTimeoutNs(TimeUnit.MILLISECONDS.toNanos(AeronTransport.LIVENESS_TIMEOUT_MS * 3 / 2));
        if (sockets != null) {
            context.receiveChannelEndpointSupplier(sockets.receiveEndpoints())
                .sendChannelEndpointSupplier(sockets.sendEndpoints());
        }
        try {
            return new EmbeddedDriver(MediaDriver.launch(context), config.aeronDir(), sockets);
        } catch (final RuntimeException e) {
            if (sockets != null) {
                sockets.close();
            }
            throw e;
        }
    }

    /** Non-null only in INVOKER mode: the owner runs the driver by calling {@code invoke()}. */
    AgentInvoker invoker() {
        return driver.context().threadingMode() == ThreadingMode.INVOKER ? driver.sharedAgentInvoker() : null;
    }

    /** Non-null only in INVOKER mode: the driver's sockets, for the owner to wait on. */
    DriverSockets sockets() {
        return sockets;
    }

    public Path dir() {
        return dir;
    }

    /** Bytes of data the driver received, ever (Aeron's own counter). */
    AtomicCounter bytesReceived() {
        return driver.context().systemCounters().get(SystemCounterDescriptor.BYTES_RECEIVED);
    }

    /** Datagrams the driver threw away as not being Aeron frames (garbage on the port). */
    public long invalidPackets() {
        return driver.context().systemCounters().get(SystemCounterDescriptor.INVALID_PACKETS).get();
    }

    @Override
    public void close() {
        driver.close();
        if (Files.exists(dir)) {
            driver.context().deleteDirectory();
        }
        if (sockets != null) {
            sockets.close();
        }
    }
}
