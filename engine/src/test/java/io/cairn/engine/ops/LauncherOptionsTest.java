package io.cairn.engine.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The JVM options bin/cairn gives a member (.mvn/jvm-options.sh): the memory limits it derives
 * from the quota, the quota as the server would read it, and when it uses the ahead-of-time cache.
 */
class LauncherOptionsTest {
    private static final Path OPTIONS = Path.of("..", ".mvn", "jvm-options.sh").toAbsolutePath();
    private static final long GIB = 1L << 30;
    /** The C heap's free memory goes back to the kernel every 5 s, whatever the quota. */
    private static final String TRIM = " -XX:TrimNativeHeapInterval=5000";

    @TempDir
    Path dir;

    @Test
    void theHeapIsAQuarterGigabyteUpToFourGigabytesOfQuotaThenASixteenthOfIt() throws Exception {
        assertEquals("-Xms32m -Xmx256m -XX:MaxDirectMemorySize=128m" + TRIM, shell("cairn_memory_options 0", Map.of()));
        assertEquals("-Xms32m -Xmx256m -XX:MaxDirectMemorySize=128m" + TRIM,
            shell("cairn_memory_options " + 2 * GIB, Map.of()));
        assertEquals("-Xms32m -Xmx512m -XX:MaxDirectMemorySize=256m" + TRIM,
            shell("cairn_memory_options " + 8 * GIB, Map.of()));
        assertEquals("-Xms32m -Xmx2048m -XX:MaxDirectMemorySize=1024m" + TRIM,
            shell("cairn_memory_options " + 100 * GIB, Map.of()));
    }

    @Test
    void theQuotaComesFromTheFlagThenTheVariable() throws Exception {
        assertEquals("0", shell("cairn_quota_bytes --name a", Map.of()));
        assertEquals("8589934592", shell("cairn_quota_bytes --quota-backend-bytes 8589934592", Map.of()));
        assertEquals("8589934592", shell("cairn_quota_bytes --quota-backend-bytes=8589934592 --name a", Map.of()));
        assertEquals("1024", shell("cairn_quota_bytes", Map.of("ETCD_QUOTA_BACKEND_BYTES", "1024")));
        assertEquals("2048", shell("cairn_quota_bytes --quota-backend-bytes 2048",
            Map.of("ETCD_QUOTA_BACKEND_BYTES", "1024")));
        // Not a number: the launcher picks the default limits, and the server refuses the flag.
        assertEquals("0", shell("cairn_quota_bytes --quota-backend-bytes lots", Map.of()));
    }

    @Test
    void theCacheIsUsedOnlyWhenMadeFromTheJarAsItIsAndByThisJdk() throws Exception {
        final Path jar = Files.writeString(dir.resolve("cairn.jar"), "jar");
        final Path cache = Files.writeString(dir.resolve("cairn.aot"), "cache");
        final String option = "cairn_aot_option " + cache + " " + jar;
        final Map<String, String> jdk = Map.of("JAVA_HOME", System.getProperty("java.home"));
        Files.setLastModifiedTime(jar, FileTime.from(Instant.now().minusSeconds(60)));
        assertEquals("", shell(option, jdk), "no record of the JDK that made it");

        Files.writeString(dir.resolve("cairn.aot.jdk"), shell("cairn_jdk_identity", jdk) + "\n");
        assertEquals("-XX:AOTCache=" + cache, shell(option, jdk));
        assertEquals("", shell(option, Map.of("JAVA_HOME", System.getProperty("java.home"), "CAIRN_AOT", "off")));
        assertEquals("", shell(option, Map.of("JAVA_HOME", dir.toString())), "another JDK");

        Files.setLastModifiedTime(jar, FileTime.from(Instant.now().plusSeconds(60)));
        assertEquals("", shell(option, jdk), "the jar was built again after the cache");
    }

    /** Runs {@code command} in sh after sourcing the options script; its output, trimmed. */
    private static String shell(final String command, final Map<String, String> environment)
        throws IOException, InterruptedException {
        final List<String> argv = new ArrayList<>(List.of("sh", "-c", ". \"$0\"; " + command, OPTIONS.toString()));
        final ProcessBuilder builder = new ProcessBuilder(argv).redirectErrorStream(true);
        builder.environment().remove("ETCD_QUOTA_BACKEND_BYTES");
        builder.environment().remove("CAIRN_AOT");
        builder.environment().putAll(environment);
        final Process process = builder.start();
        final String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        assertEquals(0, process.waitFor(), output);
        return output;
    }
}
