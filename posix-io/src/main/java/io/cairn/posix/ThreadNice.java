package io.cairn.posix;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A thread's nice value, its share of a contended CPU under Linux's scheduler (-20, the largest,
 * to 19, the smallest; 0 by default). Linux keeps it per thread, and a thread inherits its
 * creator's. Any process may raise its own threads' nice values; lowering one needs
 * {@code CAP_SYS_NICE} or a soft {@code RLIMIT_NICE} of at least {@code 20 - nice}
 * (sched(7); systemd's {@code LimitNICE=+0} gives 20, enough to return to 0).
 */
public final class ThreadNice {
    /** {@code setpriority(2)}'s "which" for one process or, given a thread id, one thread. */
    private static final int PRIO_PROCESS = 0;
    public static final int LOWEST_PRIORITY = 19;
    /** capabilities(7): the bit of CAP_SYS_NICE in /proc's capability masks. */
    private static final int CAP_SYS_NICE = 23;
    /** The nice value's field in /proc/PID/task/TID/stat, counted from 1 (proc(5)). */
    private static final int STAT_FIELD_NICE = 19;

    private ThreadNice() {
    }

    /** Sets the nice value of the thread {@code threadId} (a tid, as /proc/self/task lists them). */
    public static void set(int threadId, int nice) throws IOException {
        MemorySegment state = NativePosix.CAPTURE_STATE.get();
        if (NativePosix.syscall(state, Syscall.SETPRIORITY, PRIO_PROCESS, threadId, nice, 0, 0, 0) < 0) {
            throw PosixException.of(NativePosix.errno(state), "setpriority", Path.of("/proc/self/task/" + threadId));
        }
    }

    /** The nice value of the thread {@code threadId} of this process. */
    public static int get(int threadId) throws IOException {
        return niceOfStat(Files.readString(Path.of("/proc/self/task/" + threadId + "/stat")));
    }

    /** Whether this process may set a thread's nice value down to {@code nice} (its own, read from /proc). */
    public static boolean mayLowerTo(int nice) throws IOException {
        return mayLowerTo(nice, Files.readString(Path.of("/proc/self/status")),
            Files.readString(Path.of("/proc/self/limits")));
    }

    /** The same, from the text of /proc/PID/status and /proc/PID/limits. */
    static boolean mayLowerTo(int nice, String status, String limits) {
        return hasCapability(status, CAP_SYS_NICE) || softNiceLimit(limits) >= 20 - nice;
    }

    /** The nice value in a /proc stat line, counted after the name in brackets (which may hold spaces and brackets). */
    static int niceOfStat(String stat) {
        String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return Integer.parseInt(fields[STAT_FIELD_NICE - 3]);
    }

    private static boolean hasCapability(String status, int capability) {
        for (String line : status.split("\n")) {
            if (line.startsWith("CapEff:")) {
                return (Long.parseUnsignedLong(line.substring("CapEff:".length()).strip(), 16) & (1L << capability)) != 0;
            }
        }
        throw new IllegalArgumentException("no CapEff line in /proc/self/status");
    }

    /** The soft limit on "Max nice priority" (RLIMIT_NICE: 20 - the lowest nice value allowed). */
    private static long softNiceLimit(String limits) {
        for (String line : limits.split("\n")) {
            if (line.startsWith("Max nice priority")) {
                String soft = line.substring("Max nice priority".length()).strip().split("\\s+")[0];
                return soft.equals("unlimited") ? Long.MAX_VALUE : Long.parseLong(soft);
            }
        }
        throw new IllegalArgumentException("no 'Max nice priority' line in /proc/self/limits");
    }
}
