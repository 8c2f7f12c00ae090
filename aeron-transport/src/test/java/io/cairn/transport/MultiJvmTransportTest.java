package io.cairn.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/** Three members in three JVMs on loopback exchange every message type, snapshots included. */
class MultiJvmTransportTest {
    private static final long DEADLINE_NS = 90_000_000_000L;
    private static final int MEMBERS = 3;

    @Test
    void threeJvmsExchangeEveryMessageType() throws Exception {
        final int[] ports = new int[MEMBERS];
        for (int i = 0; i < MEMBERS; i++) {
            ports[i] = TestNodes.freeUdpPort();
        }
        final List<Process> processes = new ArrayList<>();
        final List<String> lines = new CopyOnWriteArrayList<>();
        try {
            for (int i = 0; i < MEMBERS; i++) {
                final long memberId = i + 1;
                final List<String> command = new ArrayList<>(List.of(javaBinary(), "-ea", "-Xmx256m",
                    "--enable-native-access=ALL-UNNAMED", "--add-exports", "java.base/jdk.internal.misc=ALL-UNNAMED",
                    "--sun-misc-unsafe-memory-access=allow", "-cp", System.getProperty("java.class.path"),
                    TransportNodeMain.class.getName(), Long.toString(TestNodes.CLUSTER_ID), Long.toString(memberId),
                    Integer.toString(ports[i]), Path.of("/dev/shm").toFile().isDirectory()
                        ? "/dev/shm/cairn-aeron-multijvm-" + ProcessHandle.current().pid() + "-" + memberId
                        : System.getProperty("java.io.tmpdir") + "/cairn-aeron-multijvm-" + memberId));
                for (int j = 0; j < MEMBERS; j++) {
                    if (j != i) {
                        command.add((j + 1) + "=" + ports[j]);
                    }
                }
                final Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
                processes.add(process);
                final Thread reader = new Thread(() -> collect(process, memberId, lines), "member-" + memberId);
                reader.setDaemon(true);
                reader.start();
            }
            final long deadline = System.nanoTime() + DEADLINE_NS;
            while (lines.stream().filter(l -> l.contains("DONE")).count() < MEMBERS) {
                assertTrue(System.nanoTime() - deadline < 0, () -> "timed out; output so far: " + lines);
                assertTrue(processes.stream().allMatch(Process::isAlive), () -> "a member died: " + lines);
                Thread.sleep(50); // waiting on other processes' output; there is no condition to block on
            }
            assertTrue(lines.stream().noneMatch(l -> l.contains("MISMATCH")), lines::toString);
        } finally {
            for (final Process process : processes) {
                process.getOutputStream().close(); // the members' signal to stop and clean their driver dirs
            }
            for (final Process process : processes) {
                if (!process.waitFor(30, TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                }
            }
        }
        for (final Process process : processes) {
            assertEquals(0, process.exitValue(), lines::toString);
        }
    }

    private static String javaBinary() {
        return ProcessHandle.current().info().command().orElse(Path.of(System.getProperty("java.home"), "bin", "java")
            .toString());
    }

    private static void collect(final Process process, final long memberId, final List<String> lines) {
        try (BufferedReader reader = new BufferedReader(new InputStreamReader(process.getInputStream(),
            StandardCharsets.UTF_8))) {
            for (String line = reader.readLine(); line != null; line = reader.readLine()) {
                lines.add(memberId + ": " + line);
            }
        } catch (final IOException e) {
            lines.add(memberId + ": output lost: " + e);
        }
    }
}
