package io.cairn.transport;

import io.aeron.driver.Configuration;
import io.aeron.driver.MediaDriver;
import io.aeron.driver.ThreadingMode;
import io.aeron.driver.status.SystemCounterDescriptor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.agrona.concurrent.AgentInvoker;

/**
 * The process's own Aeron media driver. Its directory (under /dev/shm by default: log buffers are memory the
 * kernel never writes back) is deleted on start, which clears what a killed process left, and on close.
 *
 * <p>Each member has its own directory, named after cluster, member and port, so two members on one machine (tests,
 * the benchmark) never share or delete each other's driver.
 */
public final class EmbeddedDriver implements AutoCloseable {
    private final MediaDriver driver;
    private final Path dir;

    private EmbeddedDriver(final MediaDriver driver, final Path dir) {
        this.driver = driver;
        this.dir = dir;
    }

    public static EmbeddedDriver launch(final TransportConfig config) {
        final MediaDriver.Context context = new MediaDriver.Context()
            .aeronDirectoryName(config.aeronDir().toString())
            .dirDeleteOnStart(true)
            .dirDeleteOnShutdown(true)
            .threadingMode(config.threadingMode())
            // Sparse log buffers: a peer's 16 MiB terms cost memory only as far as they are written.
            .termBufferSparseFile(true)
            .sharedIdleStrategy(Configuration.agentIdleStrategy(config.idleStrategy(), null))
            .conductorIdleStrategy(Configuration.agentIdleStrategy(config.idleStrategy(), null))
            .senderIdleStrategy(Configuration.agentIdleStrategy(config.idleStrategy(), null))
            .receiverIdleStrategy(Configuration.agentIdleStrategy(config.idleStrategy(), null))
            .warnIfDirectoryExists(false)
            // The owner's thread runs driver and client alike in INVOKER mode: a stall of that thread
            // (a disk that hangs an fsync) must not make the driver drop its only client, whose mapped
            // counters then vanish under it (Aeron's default is 10 s; see AeronTransport.LIVENESS_TIMEOUT_MS).
            .clientLivenessTimeoutNs(TimeUnit.MILLISECONDS.toNanos(AeronTransport.LIVENESS_TIMEOUT_MS))
            // Aeron requires it above the client liveness timeout (its default is 15 s against 10 s).
            .publicationUnblockTimeoutNs(TimeUnit.MILLISECONDS.toNanos(AeronTransport.LIVENESS_TIMEOUT_MS * 3 / 2));
        return new EmbeddedDriver(MediaDriver.launch(context), config.aeronDir());
    }

    /** Non-null only in INVOKER mode: the owner runs the driver by calling {@code invoke()}. */
    AgentInvoker invoker() {
        return driver.context().threadingMode() == ThreadingMode.INVOKER ? driver.sharedAgentInvoker() : null;
    }

    public Path dir() {
        return dir;
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
    }
}
