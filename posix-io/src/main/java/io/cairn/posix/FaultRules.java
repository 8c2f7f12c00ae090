package io.cairn.posix;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.locks.LockSupport;

/** The injected errors and delays of a {@link FaultyPosix}, checked before each call reaches the disk. */
final class FaultRules {
    private final List<Fault> faults = new CopyOnWriteArrayList<>();

    Fault add(Fault fault) {
        faults.add(fault);
        return fault;
    }

    void clear() {
        for (Fault fault : faults) {
            fault.clear();
        }
        faults.clear();
    }

    /** Sleeps for every delay rule that applies (outside any lock: a slow sync must not hold up a power cut). */
    void delay(Call call, Path path) {
        for (Fault fault : faults) {
            if (!fault.injectsError() && fault.take(call, path)) {
                sleep(fault.delayNanos());
            }
        }
    }

    /** Throws the error of the first error rule that applies. */
    void fail(Call call, Path path) throws PosixException {
        for (Fault fault : faults) {
            if (fault.injectsError() && fault.take(call, path)) {
                throw PosixException.of(fault.errno(), call.libcName(), path, "injected");
            }
        }
    }

    private static void sleep(long nanos) {
        long deadline = System.nanoTime() + nanos;
        for (long left = nanos; left > 0; left = deadline - System.nanoTime()) {
            LockSupport.parkNanos(left);
            if (Thread.currentThread().isInterrupted()) {
                return;
            }
        }
    }
}
