package io.cairn.engine.testfaults;

import io.cairn.posix.Call;
import io.cairn.posix.FaultyPosix;
import io.cairn.posix.FileTrees;
import io.cairn.posix.Posix;
import io.cairn.posix.RevertReport;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * TESTS ONLY. The storage fault layer ({@link FaultyPosix}) of a member process, steered by the
 * chaos harness through a control file named in {@value #ENVIRONMENT}. The harness replaces the
 * file (write, then rename) with one line, {@code <sequence> <command> [argument]}; a new sequence
 * number is a new command:
 * <ul>
 *   <li>{@code slow-fdatasync <millis>}: every fdatasync waits that long first;</li>
 *   <li>{@code healthy}: no more delays;</li>
 *   <li>{@code power-cut <seed>}: the power goes out. Every later write fails; the member closes
 *       its server and store (their writes fail too), the layer reverts what was not synced (each
 *       write kept, dropped or torn, chosen by the seed), and the process halts with
 *       {@value #POWER_CUT_EXIT}. The harness restarts it as after a kill.</li>
 * </ul>
 * The harness removes the file before it starts a member, so whatever the member finds there is
 * meant for it, even a command written while it was still starting.
 */
public final class StorageFaultControl {
    public static final String ENVIRONMENT = "CAIRN_TEST_FAULT_CONTROL";
    /** What a member that lost its power exits with: 128 + SIGKILL, as a killed one. */
    public static final int POWER_CUT_EXIT = 137;

    private static final long POLL_MILLIS = 20;
    private static final long CLOSE_WAIT_SECONDS = 10;

    /** Null when the layer is off: then {@link #disk} is the plain disk and nothing reads a file. */
    private final FaultyPosix faulty;
    private final Posix plain;
    private final Path controlFile;
    private volatile Runnable closeForPowerCut = () -> { };
    /** The last command obeyed; the harness numbers them from 1. */
    private long lastSequence;

    private StorageFaultControl(final FaultyPosix faulty, final Posix plain, final Path controlFile) {
        this.faulty = faulty;
        this.plain = plain;
        this.controlFile = controlFile;
    }

    /**
     * Off (the plain {@code disk}) unless {@code environment} names a control file; then the fault
     * layer over {@code disk}, with the thread that reads the file started.
     */
    public static StorageFaultControl fromEnvironment(final Map<String, String> environment, final Posix disk)
        throws IOException {
        final String control = environment.getOrDefault(ENVIRONMENT, "").strip();
        if (control.isEmpty()) {
            return new StorageFaultControl(null, disk, null);
        }
        final Path controlFile = Path.of(control).toAbsolutePath();
        final Path stash = controlFile.resolveSibling(controlFile.getFileName() + ".stash");
        FileTrees.deleteIfPresent(stash); // the previous life's unlinked files: that life is over
        final FaultyPosix faulty = new FaultyPosix(disk, stash);
        final StorageFaultControl started = new StorageFaultControl(faulty, disk, controlFile);
        System.err.println("cairn: TEST ONLY: the storage fault layer is on (" + ENVIRONMENT + "=" + controlFile
            + "); never run a member like this outside tests");
        Thread.ofPlatform().name("cairn-test-faults").daemon().start(started::run);
        return started;
    }

    /** What the member's files go through. */
    public Posix disk() {
        return faulty != null ? faulty : plain;
    }

    /**
     * What the member runs once the power is cut, before the revert: it closes whatever maps the
     * files, since a revert that shrinks a mapped file would make its readers SIGBUS.
     */
    public void onPowerCut(final Runnable close) {
        closeForPowerCut = close;
    }

    private void run() {
        while (true) {
            try {
                final Command command = Command.read(controlFile);
                if (command.sequence() != lastSequence) {
                    lastSequence = command.sequence();
                    obey(command);
                }
                Thread.sleep(POLL_MILLIS);
            } catch (final InterruptedException e) {
                return;
            } catch (final IOException | RuntimeException e) {
                System.err.println("cairn: TEST fault control: " + e);
            }
        }
    }

    private void obey(final Command command) throws IOException {
        System.err.println("cairn: TEST fault control: " + command.line());
        switch (command.name()) {
            case "slow-fdatasync" -> {
                faulty.clearFaults();
                faulty.delay(Call.FDATASYNC, path -> true, Duration.ofMillis(command.argument()));
            }
            case "healthy" -> faulty.clearFaults();
            // Not a daemon: the close lets main return, and the JVM must wait for the revert.
            case "power-cut" -> Thread.ofPlatform().name("cairn-test-power-cut").daemon(false).start(
                () -> powerCut(command.argument()));
            case "" -> { }
            default -> throw new IllegalArgumentException("unknown command: " + command.line());
        }
    }

    private void powerCut(final long seed) {
        faulty.cutPower();
        final Thread closing = Thread.ofPlatform().name("cairn-test-power-cut-close").daemon().start(closeForPowerCut);
        try {
            closing.join(TimeUnit.SECONDS.toMillis(CLOSE_WAIT_SECONDS));
            final RevertReport report = faulty.revertUnsynced(seed);
            System.err.println("cairn: TEST power cut: " + report);
        } catch (final InterruptedException | IOException | RuntimeException e) {
            // Keeping every unsynced write is also a state a power cut can leave.
            System.err.println("cairn: TEST power cut without a revert (every unsynced write kept): " + e);
        }
        System.err.flush();
        Runtime.getRuntime().halt(POWER_CUT_EXIT);
    }

    /** One line of the control file; sequence 0 and no name when there is no file. */
    private record Command(long sequence, String name, long argument, String line) {
        static Command read(final Path file) throws IOException {
            final String line;
            try {
                line = Files.readString(file, StandardCharsets.UTF_8).strip();
            } catch (final NoSuchFileException e) {
                return new Command(0, "", 0, "");
            }
            final String[] words = line.split("\\s+");
            if (line.isEmpty() || words.length > 3) {
                throw new IllegalArgumentException("expected '<sequence> <command> [argument]', got: " + line);
            }
            return new Command(Long.parseLong(words[0]), words.length > 1 ? words[1] : "",
                words.length > 2 ? Long.parseLong(words[2]) : 0, line);
        }
    }
}
