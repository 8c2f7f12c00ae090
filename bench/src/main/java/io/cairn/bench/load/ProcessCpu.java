package io.cairn.bench.load;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.LongSupplier;

/**
 * CPU time a process has used so far (user + system, all threads). On a machine where the load
 * generator shares the cores with the server, requests/s is bounded by the CPU both spend per
 * request; these figures show how that budget splits.
 */
public final class ProcessCpu {
    public static final ProcessCpu UNKNOWN = new ProcessCpu(() -> -1);
    /** Linux reports /proc times in USER_HZ ticks, which the kernel ABI fixes at 100 per second. */
    private static final long NANOS_PER_TICK = 10_000_000L;
    private static final int UTIME_FIELD = 14;

    private final LongSupplier nanos;

    private ProcessCpu(final LongSupplier nanos) {
        this.nanos = nanos;
    }

    /** Nanoseconds of CPU used so far, or -1 when it cannot be read. */
    public long nanos() {
        return nanos.getAsLong();
    }

    public static ProcessCpu self() {
        return new ProcessCpu(() -> ManagementFactory.getOperatingSystemMXBean()
            instanceof com.sun.management.OperatingSystemMXBean os ? os.getProcessCpuTime() : -1);
    }

    /** Another local process by pid (Linux only). */
    public static ProcessCpu of(final long pid) {
        if (pid <= 0) {
            throw new IllegalArgumentException("a process id must be positive: " + pid);
        }
        final ProcessCpu cpu = ofStatFile(Path.of("/proc", Long.toString(pid), "stat"));
        if (cpu.nanos() < 0) {
            throw new IllegalArgumentException("cannot read the CPU time of process " + pid + " from /proc");
        }
        return cpu;
    }

    /**
     * One {@code --server-pids} entry: a pid, or a cluster's pids joined by '+' ("101+102+103"),
     * whose CPU is the sum over its processes.
     */
    public static ProcessCpu ofPids(final String entry) {
        final List<ProcessCpu> processes = new ArrayList<>();
        for (final String pid : entry.split("\\+", -1)) {
            try {
                processes.add(of(Long.parseLong(pid.trim())));
            } catch (final NumberFormatException e) {
                throw new IllegalArgumentException("not a process id: '" + pid + "' in " + entry, e);
            }
        }
        return sum(processes);
    }

    /** The CPU of several processes together; unknown if any one is. */
    static ProcessCpu sum(final List<ProcessCpu> processes) {
        if (processes.size() == 1) {
            return processes.get(0);
        }
        final List<ProcessCpu> all = List.copyOf(processes);
        return new ProcessCpu(() -> {
            long total = 0;
            for (final ProcessCpu process : all) {
                final long nanos = process.nanos();
                if (nanos < 0) {
                    return -1;
                }
                total += nanos;
            }
            return total;
        });
    }

    /** The process whose /proc/PID/stat is {@code stat}. */
    static ProcessCpu ofStatFile(final Path stat) {
        return new ProcessCpu(() -> readStat(stat));
    }

    private static long readStat(final Path stat) {
        final String line;
        try {
            line = Files.readString(stat);
        } catch (final IOException e) {
            return -1;
        }
        // Field 2 (the command name) may hold spaces, so count fields after its closing ')'.
        final String[] after = line.substring(line.lastIndexOf(')') + 2).split(" ");
        final int first = UTIME_FIELD - 3;
        return (Long.parseLong(after[first]) + Long.parseLong(after[first + 1])) * NANOS_PER_TICK;
    }

    /** Nanoseconds used between two readings, or -1 if either was unknown. */
    static long between(final long before, final long after) {
        return before < 0 || after < 0 ? -1 : after - before;
    }
}
