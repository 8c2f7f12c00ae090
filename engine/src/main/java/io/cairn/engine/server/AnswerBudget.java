package io.cairn.engine.server;

import com.google.protobuf.MessageLite;
import com.sun.management.HotSpotDiagnosticMXBean;
import io.cairn.engine.api.EtcdError;
import io.cairn.engine.api.EtcdException;
import io.grpc.stub.ServerCallStreamObserver;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * A bound on the bytes of large scan answers that wait to be written. gRPC serialises an answer
 * into pooled direct buffers on the thread that sends it, and nothing holds a sender back: two scan
 * threads made 3 MB answers faster than a connection's event loop wrote them, 64 of them waited at
 * once against 128 MiB of direct memory, and calls failed with {@code OutOfMemoryError}
 * (engine/README.md, "Found: many large ranges at once run out of direct memory"). A scan now takes
 * room for its answer before sending it and gives it back when its call closes (the answer written)
 * or is cancelled. Answers below {@link #SMALL_ANSWER_BYTES} take none. A scan that finds no room
 * within the wait is refused with etcd's "too many requests", so a client that stops reading holds
 * the others back for that long at most.
 */
final class AnswerBudget {
    static final int SMALL_ANSWER_BYTES = 64 * 1024;
    private static final Duration WAIT = Duration.ofSeconds(5);
    /** The budget's share of the JVM's direct memory: Netty's pools hold more than the answers in them. */
    private static final int DIRECT_MEMORY_SHARE = 4;

    private final Semaphore freeKib;
    private final int totalKib;
    private final long waitNanos;

    AnswerBudget(final long totalBytes, final Duration wait) {
        this.totalKib = (int)Math.max(1, Math.min(Integer.MAX_VALUE, totalBytes / 1024));
        this.freeKib = new Semaphore(totalKib);
        this.waitNanos = wait.toNanos();
    }

    /** A quarter of the JVM's direct memory (-XX:MaxDirectMemorySize, or the heap's maximum without it). */
    static AnswerBudget forThisJvm() {
        final long option = Long.parseLong(ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class)
            .getVMOption("MaxDirectMemorySize").getValue());
        final long directBytes = option > 0 ? option : Runtime.getRuntime().maxMemory();
        return new AnswerBudget(directBytes / DIRECT_MEMORY_SHARE, WAIT);
    }

    /** The call's hold, given back by the call's close and cancel handlers: set them before the handler returns. */
    Hold holdFor(final ServerCallStreamObserver<?> call) {
        final Hold hold = new Hold();
        call.setOnCloseHandler(hold::giveBack);
        call.setOnCancelHandler(hold::giveBack);
        return hold;
    }

    /** Room free now, in KiB (tests). */
    int freeKib() {
        return freeKib.availablePermits();
    }

    /** One call's share: taken once before its answer is sent, given back once. */
    final class Hold {
        private int heldKib;
        private boolean ended;

        /**
         * Takes room for an answer of {@code bytes} (all of the budget at most, so one answer larger
         * than it still goes, alone); false when none was free within the wait.
         */
        boolean take(final int bytes) throws InterruptedException {
            if (bytes < SMALL_ANSWER_BYTES) {
                return true;
            }
            final int kib = Math.min(totalKib, Math.ceilDiv(bytes, 1024));
            if (!freeKib.tryAcquire(kib, waitNanos, TimeUnit.NANOSECONDS)) {
                return false;
            }
            synchronized (this) {
                if (!ended) {
                    heldKib += kib;
                    return true;
                }
            }
            freeKib.release(kib); // cancelled meanwhile: the answer goes nowhere
            return true;
        }

        /** {@code answer}, once it has room; etcd's "too many requests" when it found none within the wait. */
        <T extends MessageLite> T admit(final T answer) {
            try {
                if (take(answer.getSerializedSize())) {
                    return answer;
                }
            } catch (final InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            throw new EtcdException(EtcdError.TOO_MANY_REQUESTS);
        }

        synchronized void giveBack() {
            ended = true;
            freeKib.release(heldKib);
            heldKib = 0;
        }
    }
}
