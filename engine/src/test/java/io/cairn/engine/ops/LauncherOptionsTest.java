package io.cairn.engine.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
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
    private static final Path FIND_JDK = Path.of("..", ".mvn", "find-jdk.sh").toAbsolutePath();
    private static final Path BUILD_IF_STALE = Path.of("..", ".mvn", "build-if-stale.sh").toAbsolutePath();
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
        final Path cache = dir.resolve("cairn.aot");
        final String option = "cairn_aot_option " + cache + " " + jar;
        final String home = System.getProperty("java.home");
        final Map<String, String> jdk = Map.of("JAVA_HOME", home);
        assertEquals("", shell(option, jdk), "no cache: nothing to say");

        Files.writeString(cache, "cache");
        Files.setLastModifiedTime(jar, FileTime.from(Instant.now().minusSeconds(60)));
        final String otherJdk = "cairn: the ahead-of-time cache " + cache + " was made by another JDK than %s or with"
            + " other JVM options; the member starts without it (bin/cairn --aot-train makes it again)";
        assertEquals(otherJdk.formatted(home), shell(option, jdk), "no record of the JDK that made it");

        Files.writeString(dir.resolve("cairn.aot.jdk"), shell("cairn_jdk_identity", jdk) + "\n");
        assertEquals("-XX:AOTCache=" + cache, shell(option, jdk));
        assertEquals("", shell(option, Map.of("JAVA_HOME", home, "CAIRN_AOT", "off")));
        assertEquals(otherJdk.formatted(dir), shell(option, Map.of("JAVA_HOME", dir.toString())), "another JDK");

        // The same JDK, other options: a cache made without compact object headers is refused by a
        // JVM started with them (and the other way round); one trained with other training options
        // (method profiles recorded) is left out so that the change takes effect.
        final String identity = shell("cairn_jdk_identity", jdk);
        for (final String jvmOption : List.of(" -XX:+UseCompactObjectHeaders", " -XX:-AOTRecordTraining")) {
            assertTrue(identity.contains(jvmOption), identity);
            Files.writeString(dir.resolve("cairn.aot.jdk"), identity.replace(jvmOption, "") + "\n");
            assertEquals(otherJdk.formatted(home), shell(option, jdk), "without" + jvmOption);
        }
        Files.writeString(dir.resolve("cairn.aot.jdk"), identity + "\n");

        Files.setLastModifiedTime(jar, FileTime.from(Instant.now().plusSeconds(60)));
        assertEquals("cairn: " + jar + " is newer than its ahead-of-time cache; the member starts without the cache"
            + " (bin/cairn --aot-train makes it again)", shell(option, jdk), "the jar was built again after the cache");
    }

    @Test
    void aJdksFeatureReleaseIsReadFromItsReleaseFile() throws Exception {
        final Path jdk = fakeJdk("JAVA_VERSION=\"25.0.3\"\nJAVA_RUNTIME_VERSION=\"25.0.3+9-LTS\"\n");
        final Map<String, String> home = Map.of("JAVA_HOME", System.getProperty("java.home"));
        assertEquals("25", shell(FIND_JDK, "cairn_jdk_feature " + jdk + "; echo $cairn_jdk_found", home));
        Files.writeString(jdk.resolve("release"), "IMPLEMENTOR=\"x\"\nJAVA_VERSION=\"17.0.2\""); // no newline at the end
        assertEquals("17", shell(FIND_JDK, "cairn_jdk_feature " + jdk + "; echo $cairn_jdk_found", home));
        assertEquals("no", shell(FIND_JDK, "cairn_jdk_is_suitable " + jdk + " && echo yes || echo no", home));
        Files.delete(jdk.resolve("bin").resolve("javac"));
        assertEquals("", shell(FIND_JDK, "cairn_jdk_feature " + jdk + "; echo $cairn_jdk_found", home), "a JRE");
    }

    @Test
    void theJarIsStaleWhenAMainSourceOrAPomIsNewer() throws Exception {
        final Path root = Files.createDirectories(dir.resolve("checkout"));
        final Path source = write(root.resolve("engine/src/main/java/A.java"));
        final Path pom = write(root.resolve("engine/pom.xml"));
        final Path test = write(root.resolve("engine/src/test/java/ATest.java"));
        final Path built = write(root.resolve("engine/target/classes/src/main/B.java"));
        final Path git = write(root.resolve(".git/src/main/objects"));
        final Path jar = write(root.resolve("engine/target/cairn.jar"));
        final Instant now = Instant.now();
        for (final Path file : List.of(source, pom, test, built, git)) {
            Files.setLastModifiedTime(file, FileTime.from(now.minusSeconds(60)));
        }
        Files.setLastModifiedTime(jar, FileTime.from(now));
        final String stale = "cairn_jar_is_stale " + root + " " + jar + " && echo stale || echo fresh";
        assertEquals("fresh", shell(BUILD_IF_STALE, stale, Map.of()));
        for (final Path ignored : List.of(test, built, git)) {
            Files.setLastModifiedTime(ignored, FileTime.from(now.plusSeconds(60)));
        }
        assertEquals("fresh", shell(BUILD_IF_STALE, stale, Map.of()), "tests, build output and .git do not count");
        Files.setLastModifiedTime(pom, FileTime.from(now.plusSeconds(60)));
        assertEquals("stale", shell(BUILD_IF_STALE, stale, Map.of()));
        Files.setLastModifiedTime(pom, FileTime.from(now.minusSeconds(60)));
        Files.setLastModifiedTime(source, FileTime.from(now.plusSeconds(60)));
        assertEquals("stale", shell(BUILD_IF_STALE, stale, Map.of()));
        assertEquals("stale", shell(BUILD_IF_STALE, "set -f; " + stale, Map.of()), "a caller without globs");
        Files.delete(jar);
        assertEquals("stale", shell(BUILD_IF_STALE, stale, Map.of()), "no jar");
    }

    private Path fakeJdk(final String release) throws IOException {
        final Path jdk = Files.createDirectories(dir.resolve("jdk"));
        final Path bin = Files.createDirectories(jdk.resolve("bin"));
        for (final String tool : List.of("java", "javac")) {
            Files.writeString(bin.resolve(tool), "#!/bin/sh\nexit 0\n");
            Files.setPosixFilePermissions(bin.resolve(tool), PosixFilePermissions.fromString("rwxr-xr-x"));
        }
        Files.writeString(jdk.resolve("release"), release);
        return jdk;
    }

    private static Path write(final Path file) throws IOException {
        Files.createDirectories(file.getParent());
        return Files.writeString(file, "x");
    }

    /** Runs {@code command} in sh after sourcing the options script; its output, trimmed. */
    private static String shell(final String command, final Map<String, String> environment)
        throws IOException, InterruptedException {
        return shell(OPTIONS, command, environment);
    }

    /** Runs {@code command} in sh after sourcing {@code script}; its output, trimmed. */
    private static String shell(final Path script, final String command, final Map<String, String> environment)
        throws IOException, InterruptedException {
        final List<String> argv = new ArrayList<>(List.of("sh", "-c", ". \"$0\"; " + command, script.toString()));
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
