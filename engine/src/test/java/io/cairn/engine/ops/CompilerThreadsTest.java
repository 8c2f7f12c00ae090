package io.cairn.engine.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.cairn.posix.ThreadNice;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The JIT's compiler threads found by name, put at the lowest priority (no other thread) and back. */
class CompilerThreadsTest {
    @TempDir
    Path dir;

    @Test
    void findsTheCompilerThreadsByName() throws IOException {
        thread(101, "main");
        thread(102, "C2 CompilerThre");
        thread(103, "C1 CompilerThre");
        thread(104, "cairn-raft");
        thread(105, "C2 CompilerThread0 but longer"); // Linux cuts names to 15 characters: not one of them
        assertEquals(List.of(102, 103), CompilerThreads.find(dir).stream().sorted().toList());
    }

    @Test
    void lowersThisJvmsCompilerThreadsAndNoOthersThenRestoresThem() throws IOException {
        assumeTrue(ThreadNice.mayLowerTo(0), "needs CAP_SYS_NICE or RLIMIT_NICE of 20 (root, or LimitNICE=+0)");
        final int usual = nice(Path.of("/proc/thread-self")); // what this JVM's threads have otherwise
        final CompilerThreads compilerThreads = new CompilerThreads();
        final List<Integer> lowered = compilerThreads.lowerWhileStarting();
        try {
            assertFalse(lowered.isEmpty(), "a HotSpot JVM has compiler threads");
            assertNiceValues(lowered, ThreadNice.LOWEST_PRIORITY, usual);
        } finally {
            compilerThreads.restore();
        }
        assertNiceValues(lowered, usual, usual);
        assertEquals(List.of(), compilerThreads.lowerWhileStarting(), "once restored, never lowered again");
        assertNiceValues(lowered, usual, usual);
    }

    @Test
    void aProcessThatCouldNotReturnThemLeavesThemAlone() throws IOException {
        final int usual = nice(Path.of("/proc/thread-self"));
        final CompilerThreads compilerThreads = new CompilerThreads(nice -> false); // as under User=etcd
        assertEquals(List.of(), compilerThreads.lowerWhileStarting());
        assertNiceValues(List.of(), usual, usual);
        compilerThreads.restore();
        assertNiceValues(List.of(), usual, usual);
    }

    /** Every thread of this JVM has {@code loweredNice} if in {@code lowered}, else {@code otherNice}. */
    private static void assertNiceValues(final List<Integer> lowered, final int loweredNice, final int otherNice)
            throws IOException {
        try (var threads = Files.list(Path.of("/proc/self/task"))) {
            for (final Path thread : threads.toList()) {
                final int threadId = Integer.parseInt(thread.getFileName().toString());
                final int nice;
                try {
                    nice = nice(thread);
                } catch (final IOException ended) {
                    continue;
                }
                assertEquals(lowered.contains(threadId) ? loweredNice : otherNice, nice, () -> "thread " + threadId);
            }
        }
    }

    private void thread(final int threadId, final String name) throws IOException {
        Files.createDirectories(dir.resolve(Integer.toString(threadId)));
        Files.writeString(dir.resolve(threadId + "/comm"), name + "\n");
    }

    /** The nice value of a thread under /proc (posix-io's reader; ThreadNiceTest checks it against the stat line). */
    private static int nice(final Path thread) throws IOException {
        return ThreadNice.get(Integer.parseInt(thread.toRealPath().getFileName().toString()));
    }
}
