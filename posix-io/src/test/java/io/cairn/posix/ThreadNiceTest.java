package io.cairn.posix;

import static org.junit.jupiter.api.Assertions.assertEquals;
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
