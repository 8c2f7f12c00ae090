package io.cairn.engine.ops;

import io.cairn.posix.PosixException;
import io.cairn.posix.ThreadNice;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * The JIT's compiler threads at the lowest CPU priority (nice 19) while a member starts, and back
 * at their own once it serves. During the start they compile on CPU the member leaves idle instead
 * of taking it from the main thread: on two cores the compiler threads took 45% of a restart's
 * CPU before its first answer (engine/README.md, "Restart: the JIT runs on idle CPU"). After it
 * they must not stay there: under a load that keeps every core busy a compiler at nice 19 gets
 * almost nothing, the member runs its profiling code for as long as the load lasts, and three
 * members on two cores ran at half their speed ("The JIT back at its priority once the member
 * serves"). Returning to a lower nice value needs a privilege, so the threads are lowered only in a
 * process that holds it (root, or the unit's {@code LimitNICE=+0}); elsewhere they are left alone.
 * HotSpot's own switch ({@code -XX:ThreadPriorityPolicy=1 -XX:CompilerThreadPriority=19}) warns at
 * every start of a member that does not run as root and lasts the JVM's life.
 *
 * <p>A compiler thread HotSpot adds later is made by a compiler thread and inherits its nice value;
 * {@link #restore} finds the threads by name again, so it returns those too.
 */
public final class CompilerThreads {
    /** HotSpot's compiler threads' names, as Linux keeps them (the first 15 characters). */
    private static final List<String> NAMES = List.of("C1 CompilerThre", "C2 CompilerThre");
    private static final Path OWN_THREADS = Path.of("/proc/self/task");
    private static final int NOT_LOWERED = Integer.MIN_VALUE;

    /** Whether this process may set a thread's nice value down to the one given (ThreadNice's rule; tests give their own). */
    @FunctionalInterface
    interface Permission {
        boolean mayLowerTo(int nice) throws IOException;
    }

    private final Permission permission;
    private int niceBefore = NOT_LOWERED;
    private boolean restored;

    public CompilerThreads() {
        this(ThreadNice::mayLowerTo);
    }

    CompilerThreads(final Permission permission) {
        this.permission = permission;
    }

    /**
     * Lowers every compiler thread of this JVM, if the process may later return them to their nice
     * value; returns the thread ids lowered (none on a JVM without them, without the privilege, or
     * after {@link #restore}).
     */
    public synchronized List<Integer> lowerWhileStarting() throws IOException {
        if (restored) {
            return List.of();
        }
        final List<Integer> threads = find(OWN_THREADS);
        if (threads.isEmpty()) {
            return List.of();
        }
        final int nice = ThreadNice.get(threads.getFirst());
        if (!permission.mayLowerTo(nice)) {
            return List.of();
        }
        niceBefore = nice;
        for (final int threadId : threads) {
            setNice(threadId, ThreadNice.LOWEST_PRIORITY);
        }
        return threads;
    }

    /** Returns every compiler thread to the nice value they had before {@link #lowerWhileStarting}; later calls do nothing. */
    public synchronized void restore() throws IOException {
        if (restored) {
            return;
        }
        restored = true;
        if (niceBefore == NOT_LOWERED) {
            return;
        }
        for (final int threadId : find(OWN_THREADS)) {
            setNice(threadId, niceBefore);
        }
    }

    /** HotSpot ends a compiler thread it no longer needs: one that ended since the listing is no error. */
    private static void setNice(final int threadId, final int nice) throws IOException {
        try {
            ThreadNice.set(threadId, nice);
        } catch (final PosixException e) {
            if (Files.exists(OWN_THREADS.resolve(Integer.toString(threadId)))) {
                throw e;
            }
        }
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
