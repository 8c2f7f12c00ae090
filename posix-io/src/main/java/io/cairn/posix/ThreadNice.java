package io.cairn.posix;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;

/**
 * A thread's nice value, its share of a contended CPU under Linux's scheduler (-20, the largest,
 * to 19, the smallest; 0 by default). Linux keeps it per thread, and a thread inherits its
 * creator's. Any process may raise its own threads' nice values; lowering them needs
 * {@code CAP_SYS_NICE}.
 */
public final class ThreadNice {
    /** {@code setpriority(2)}'s "which" for one process or, given a thread id, one thread. */
    private static final int PRIO_PROCESS = 0;
    public static final int LOWEST_PRIORITY = 19;

    private ThreadNice() {
    }

    /** Sets the nice value of the thread {@code threadId} (a tid, as /proc/self/task lists them). */
    public static void set(int threadId, int nice) throws IOException {
        MemorySegment state = NativePosix.CAPTURE_STATE.get();
        if (NativePosix.syscall(state, Syscall.SETPRIORITY, PRIO_PROCESS, threadId, nice, 0, 0, 0) < 0) {
            throw PosixException.of(NativePosix.errno(state), "setpriority", Path.of("/proc/self/task/" + threadId));
        }
    }
}
