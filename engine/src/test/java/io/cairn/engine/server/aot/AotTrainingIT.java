package io.cairn.engine.server.aot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * bin/cairn's training run (.mvn/jvm-options.sh's cairn_aot_train) makes a cache that the JVM
 * accepts for the member's jar and options: with -XX:AOTMode=on a JVM that cannot use the cache
 * refuses to start. About a minute, so tagged slow (-Pslow).
 */
@Tag("slow")
class AotTrainingIT {
    private static final Path OPTIONS = Path.of("..", ".mvn", "jvm-options.sh").toAbsolutePath();
    private static final Path JAR = Path.of("target", "cairn.jar").toAbsolutePath();

    @TempDir
    Path dir;

    @Test
    void theTrainedCacheIsOneTheJvmUses() throws Exception {
        final Path cache = dir.resolve("cairn.aot");
        final Result training = shell("cairn_aot_train \"$1\" \"$2\"", cache.toString(), JAR.toString());
        assertEquals(0, training.status(), training.output());
        assertTrue(Files.size(cache) > 0, training.output());
        assertEquals(shell("cairn_jdk_identity").output(), Files.readString(dir.resolve("cairn.aot.jdk")).trim());

        final Result run = shell("\"$JAVA_HOME/bin/java\" $cairn_jvm_base_options $(cairn_memory_options 0) "
            + "-XX:AOTCache=\"$1\" -XX:AOTMode=on -jar \"$2\" --version", cache.toString(), JAR.toString());
        assertEquals(0, run.status(), run.output());
        assertTrue(run.output().contains("cairn Version"), run.output());

        // The recorded member started on a data dir with a log in it, as a restarted member does:
        // the WAL's recovery is in the cache (the JVM lists the cache's classes and stops).
        final Result listing = shell("\"$JAVA_HOME/bin/java\" $cairn_jvm_base_options $(cairn_memory_options 0) "
            + "-XX:AOTCache=\"$1\" -XX:+PrintSharedArchiveAndExit -jar \"$2\"", cache.toString(), JAR.toString());
        for (final String recovery : List.of("io.cairn.wal.SegmentScan app_loader", "io.cairn.wal.WalRecovery app_loader")) {
            assertTrue(listing.output().contains(recovery), recovery + " is not in the cache");
        }
    }

    private record Result(int status, String output) {
    }

    /** Runs {@code command} in sh after sourcing the options script, with this JVM's JDK as JAVA_HOME. */
    private Result shell(final String command, final String... args) throws IOException, InterruptedException {
        final List<String> argv = new java.util.ArrayList<>(List.of("sh", "-c", ". " + OPTIONS + "; " + command, "sh"));
        argv.addAll(List.of(args));
        final ProcessBuilder builder = new ProcessBuilder(argv).redirectErrorStream(true);
        builder.environment().put("JAVA_HOME", System.getProperty("java.home"));
        builder.environment().put("TMPDIR", dir.toString());
        final Process process = builder.start();
        final String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        return new Result(process.waitFor(), output);
    }
}
