package io.cairn.posix;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;

/** A thread's nice value set through the system call, read back from /proc. */
class ThreadNiceTest {
    @Test
    void setsTheNiceValueOfOneThreadOnly() throws Exception {
        final AtomicInteger threadId = new AtomicInteger();
        final CountDownLatch started = new CountDownLatch(1);
        final CountDownLatch done = new CountDownLatch(1);
        final Thread thread = Thread.ofPlatform().start(() -> {
            try {
                threadId.set(Integer.parseInt(Path.of("/proc/thread-self").toRealPath().getFileName().toString()));
            } catch (final IOException e) {
                throw new IllegalStateException(e);
            } finally {
                started.countDown();
            }
            try {
                done.await();
            } catch (final InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        started.await();
        final int own = Integer.parseInt(Path.of("/proc/thread-self").toRealPath().getFileName().toString());
        final int ownBefore = nice(own);
        try {
            ThreadNice.set(threadId.get(), ThreadNice.LOWEST_PRIORITY);
            assertEquals(ThreadNice.LOWEST_PRIORITY, nice(threadId.get()));
            assertEquals(ownBefore, nice(own));
        } finally {
            done.countDown();
            thread.join();
        }
    }

    @Test
    void readsTheValueBack() throws Exception {
        final int own = Integer.parseInt(Path.of("/proc/thread-self").toRealPath().getFileName().toString());
        assertEquals(nice(own), ThreadNice.get(own));
        assertEquals(7, ThreadNice.niceOfStat("12 (C2 CompilerThre) S 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 7 30 0"));
        assertEquals(-3, ThreadNice.niceOfStat("12 (a) b) (c) S 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 -3 30 0"));
    }

    @Test
    void mayLowerWithTheCapabilityOrTheLimit() {
        final String noCapability = "Name:\tjava\nCapEff:\t0000000000000000\n";
        final String sysNice = "Name:\tjava\nCapEff:\t0000000000800000\n"; // bit 23 alone
        final String everything = "CapEff:\t000001ffffffffff\n";
        assertTrue(ThreadNice.mayLowerTo(-20, sysNice, limits("0")));
        assertTrue(ThreadNice.mayLowerTo(-20, everything, limits("0")));
        assertFalse(ThreadNice.mayLowerTo(0, noCapability, limits("0")), "Linux's default: no lowering at all");
        assertFalse(ThreadNice.mayLowerTo(18, noCapability, limits("0")));
        assertTrue(ThreadNice.mayLowerTo(0, noCapability, limits("20")), "systemd's LimitNICE=+0");
        assertFalse(ThreadNice.mayLowerTo(-1, noCapability, limits("20")));
        assertTrue(ThreadNice.mayLowerTo(5, noCapability, limits("15")));
        assertTrue(ThreadNice.mayLowerTo(-20, noCapability, limits("unlimited")));
    }

    /** /proc/PID/limits as Linux prints it, with {@code soft} as the soft nice limit and 40 as the hard one. */
    private static String limits(final String soft) {
        return "Limit                     Soft Limit           Hard Limit           Units     \n"
            + "Max open files            1024                 524288               files     \n"
            + String.format("Max nice priority         %-20s 40                   %n", soft)
            + "Max realtime priority     0                    0                    \n";
    }

    @Test
    void aThreadThatIsNotThereIsAnError() {
        final PosixException missing = assertThrows(PosixException.class,
            () -> ThreadNice.set(Integer.MAX_VALUE, ThreadNice.LOWEST_PRIORITY));
        assertTrue(missing.getMessage().contains("setpriority"), missing.getMessage());
    }

    /** Field 19 of the thread's stat line, counted after the name in brackets (which may hold spaces). */
    private static int nice(final int threadId) throws IOException {
        final String stat = Files.readString(Path.of("/proc/self/task/" + threadId + "/stat"));
        final String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return Integer.parseInt(fields[19 - 3]);
    }
}
