package io.cairn.engine.ops;

import io.cairn.posix.ThreadNice;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * The JIT's compiler threads at the lowest CPU priority (nice 19), so that they compile on CPU the
 * member leaves idle instead of taking it from a start or from requests. The AOT cache's recorded
 * profiles send the training's hot methods to the compiler at once, and on two cores the compiler
 * threads took 45% of a restart's CPU before its first answer (engine/README.md, "Restart: the JIT
 * runs on idle CPU"). HotSpot's own switch for this ({@code -XX:ThreadPriorityPolicy=1
 * -XX:CompilerThreadPriority=19}) warns at every start of a member that does not run as root,
 * though raising a nice value needs no privilege.
 *
 * <p>A compiler thread HotSpot adds later is made by a compiler thread and inherits its nice value.
 */
public final class CompilerThreads {
    /** HotSpot's compiler threads' names, as Linux keeps them (the first 15 characters). */
    private static final List<String> NAMES = List.of("C1 CompilerThre", "C2 CompilerThre");
    private static final Path OWN_THREADS = Path.of("/proc/self/task");

    private CompilerThreads() {
    }

    /** Lowers every compiler thread of this JVM; returns their thread ids (none on a JVM without them). */
    public static List<Integer> lowerPriority() throws IOException {
        final List<Integer> lowered = new ArrayList<>();
        for (final int threadId : find(OWN_THREADS)) {
            ThreadNice.set(threadId, ThreadNice.LOWEST_PRIORITY);
            lowered.add(threadId);
        }
        return lowered;
    }

    /** The thread ids under {@code taskDir} (a /proc/PID/task) whose name is a compiler thread's. */
    static List<Integer> find(final Path taskDir) throws IOException {
        final List<Integer> found = new ArrayList<>();
        try (Stream<Path> threads = Files.list(taskDir)) {
            for (final Path thread : threads.toList()) {
                final String name;
                try {
                    name = Files.readString(thread.resolve("comm")).strip();
                } catch (final IOException ended) {
                    continue; // the thread ended since the listing
                }
                if (NAMES.contains(name)) {
                    found.add(Integer.parseInt(thread.getFileName().toString()));
                }
            }
        }
        return found;
    }
}
