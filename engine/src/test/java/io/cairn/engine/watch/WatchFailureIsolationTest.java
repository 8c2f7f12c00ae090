package io.cairn.engine.watch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.cairn.engine.mvcc.History;
import io.cairn.engine.server.WatchProtos;
import io.cairn.engine.testing.WatchStreamClient;
import io.cairn.etcd.api.etcdserverpb.WatchCreateRequest;
import io.cairn.etcd.api.etcdserverpb.WatchRequest;
import io.cairn.etcd.api.etcdserverpb.WatchResponse;
import io.grpc.Status;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A failure in one stream's work (its transport throwing, or the read that catches one of its
 * watchers up) ends that stream with an error and nothing else: the other streams keep getting
 * events and a stream opened afterwards is served. A failed read of new revisions, which every
 * synced watcher needs, ends the streams of the synced watchers with an error; a stream without
 * one goes on, and streams opened afterwards are served: none waits forever. An Error outside
 * any one stream's work ends every stream, and the hub goes on; if even ending them fails, the
 * thread is gone and new streams are ended at once rather than left waiting.
 */
class WatchFailureIsolationTest {
    /** Which of the transport's calls throws. */
    enum Throwing { SEND, IS_READY, REQUEST_NEXT }

    @ParameterizedTest
    @EnumSource(Throwing.class)
    void aStreamWhoseTransportThrowsEndsAloneAndTheOthersAreServed(final Throwing where) throws Exception {
        final ThrowingSink sink = new ThrowingSink(where);
        try (InProcessMember member = InProcessMember.start(WatchHub.Settings.defaults(2 << 20));
            WatchStreamClient healthy = WatchStreamClient.open(member.channel)) {
            watch(healthy);
            final WatchStream broken = member.hub.open(sink);
            member.hub.request(broken, WatchProtos.op(WatchRequest.newBuilder().setCreateRequest(prefix()).build()));
            final String message = sink.failed.get(WatchStreamClient.TAKE_TIMEOUT_SECONDS, TimeUnit.SECONDS);
            assertTrue(message.contains("injected " + where), message);

            assertEvent(healthy, "k/1", member.put("k/1", "v"));
            try (WatchStreamClient later = WatchStreamClient.open(member.channel)) {
                watch(later);
                final long revision = member.put("k/2", "v");
                assertEvent(healthy, "k/2", revision);
                assertEvent(later, "k/2", revision);
            }
        }
        assertTrue(!sink.stopped, "the failed stream was kept and stopped again at close");
    }

    @Test
    void aWatcherWhoseCatchUpReadFailsEndsItsStreamAlone() throws Exception {
        final FailingReads reads = new FailingReads();
        try (InProcessMember member = InProcessMember.start(WatchHub.Settings.defaults(2 << 20), reads);
            WatchStreamClient healthy = WatchStreamClient.open(member.channel);
            WatchStreamClient behind = WatchStreamClient.open(member.channel)) {
            watch(healthy);
            assertEvent(healthy, "k/0", member.put("k/0", "v")); // published: no read of new revisions is due
            reads.failNext.set(true);
            behind.create(prefix().setStartRevision(1)); // unsynced: its catch-up read is the next read
            assertInjectedError(behind);
            assertTrue(!reads.failNext.get(), "the catch-up read was not the one that failed");

            assertEvent(healthy, "k/1", member.put("k/1", "v"));
            try (WatchStreamClient later = WatchStreamClient.open(member.channel)) {
                watch(later);
                final long revision = member.put("k/2", "v");
                assertEvent(healthy, "k/2", revision);
                assertEvent(later, "k/2", revision);
            }
        }
    }

    @Test
    void aFailedReadOfNewRevisionsEndsTheSyncedWatchersStreamsAndLaterStreamsAreServed() throws Exception {
        final FailingReads reads = new FailingReads();
        try (InProcessMember member = InProcessMember.start(WatchHub.Settings.defaults(2 << 20), reads);
            WatchStreamClient first = WatchStreamClient.open(member.channel);
            WatchStreamClient second = WatchStreamClient.open(member.channel);
            WatchStreamClient idle = WatchStreamClient.open(member.channel)) {
            watch(first);
            second.create(WatchCreateRequest.newBuilder().setKey(ByteString.copyFromUtf8("elsewhere")));
            assertTrue(second.take().getCreated());
            idle.requestProgress(); // known to the hub, no watcher
            assertEquals(-1, idle.take().getWatchId());
            reads.failNext.set(true);
            final long failed = member.put("k/1", "v"); // nobody can be told whether it holds their keys
            assertInjectedError(first);
            assertInjectedError(second);
            idle.requestProgress();
            final WatchResponse progress = idle.take();
            assertEquals(-1, progress.getWatchId());
            assertTrue(progress.getHeader().getRevision() >= failed, progress.toString());

            try (WatchStreamClient later = WatchStreamClient.open(member.channel)) {
                watch(later);
                assertEvent(later, "k/2", member.put("k/2", "v"));
            }
        }
    }

    @Test
    void anErrorEndsEveryStreamAndLaterStreamsAreServed() throws Exception {
        final ErrorSink sink = new ErrorSink(false);
        try (InProcessMember member = InProcessMember.start(WatchHub.Settings.defaults(2 << 20));
            WatchStreamClient healthy = WatchStreamClient.open(member.channel)) {
            watch(healthy);
            final WatchStream broken = member.hub.open(sink);
            member.hub.request(broken, WatchProtos.op(WatchRequest.newBuilder().setCreateRequest(prefix()).build()));
            assertInjectedError(healthy);
            final String message = sink.failed.get(WatchStreamClient.TAKE_TIMEOUT_SECONDS, TimeUnit.SECONDS);
            assertTrue(message.contains("injected"), message);

            try (WatchStreamClient later = WatchStreamClient.open(member.channel)) {
                watch(later);
                assertEvent(later, "k/1", member.put("k/1", "v"));
            }
        }
    }

    @Test
    void ifEndingEveryStreamFailsTooNewStreamsAreEndedAtOnce() throws Exception {
        try (InProcessMember member = InProcessMember.start(WatchHub.Settings.defaults(2 << 20));
            WatchStreamClient healthy = WatchStreamClient.open(member.channel)) {
            watch(healthy);
            final WatchStream broken = member.hub.open(new ErrorSink(true));
            member.hub.request(broken, WatchProtos.op(WatchRequest.newBuilder().setCreateRequest(prefix()).build()));
            assertInjectedError(healthy);
            try (WatchStreamClient later = WatchStreamClient.open(member.channel)) {
                later.create(prefix());
                final Status status = Status.fromThrowable(later.takeError());
                assertEquals(Status.Code.INTERNAL, status.getCode(), status.toString());
                assertTrue(status.getDescription().contains("injected"), status.toString());
            }
        }
    }

    private static WatchCreateRequest.Builder prefix() {
        return WatchCreateRequest.newBuilder().setKey(ByteString.copyFromUtf8("k/")).setRangeEnd(ByteString.copyFromUtf8("k0"));
    }

    private static void watch(final WatchStreamClient stream) throws InterruptedException {
        stream.create(prefix());
        assertTrue(stream.take().getCreated());
    }

    private static void assertEvent(final WatchStreamClient stream, final String key, final long revision)
        throws InterruptedException {
        final WatchResponse response = stream.take();
        assertEquals(1, response.getEventsCount(), response.toString());
        assertEquals(key, response.getEvents(0).getKv().getKey().toStringUtf8());
        assertEquals(revision, response.getEvents(0).getKv().getModRevision());
    }

    /** The stream ends with an internal error naming the injected failure (a created response may come first). */
    private static void assertInjectedError(final WatchStreamClient stream) throws InterruptedException {
        Throwable error;
        try {
            assertTrue(stream.take().getCreated());
            error = stream.takeError();
        } catch (final AssertionError e) {
            error = e.getCause();
            if (error == null) {
                throw e;
            }
        }
        final Status status = Status.fromThrowable(error);
        assertEquals(Status.Code.INTERNAL, status.getCode(), status.toString());
        assertTrue(status.getDescription() != null && status.getDescription().contains("injected"), status.toString());
    }

    /** A transport one of whose calls always throws. */
    private static final class ThrowingSink implements StreamSink {
        private final Throwing where;
        final CompletableFuture<String> failed = new CompletableFuture<>();
        volatile boolean stopped;

        ThrowingSink(final Throwing where) {
            this.where = where;
        }

        private void maybeThrow(final Throwing call) {
            if (call == where) {
                throw new IllegalStateException("injected " + where);
            }
        }

        @Override
        public boolean isReady() {
            maybeThrow(Throwing.IS_READY);
            return true;
        }

        @Override
        public boolean send(final WatchReply reply) {
            maybeThrow(Throwing.SEND);
            return true;
        }

        @Override
        public void requestNext() {
            maybeThrow(Throwing.REQUEST_NEXT);
        }

        @Override
        public void fail(final String message) {
            failed.complete(message);
        }

        @Override
        public void stop() {
            stopped = true;
        }
    }

    /** A transport whose send throws an Error, and whose fail too if asked. */
    private static final class ErrorSink implements StreamSink {
        private final boolean failThrows;
        final CompletableFuture<String> failed = new CompletableFuture<>();

        ErrorSink(final boolean failThrows) {
            this.failThrows = failThrows;
        }

        @Override
        public boolean isReady() {
            return true;
        }

        @Override
        public boolean send(final WatchReply reply) {
            throw new Error("injected error in send");
        }

        @Override
        public void requestNext() {
        }

        @Override
        public void fail(final String message) {
            if (failThrows) {
                throw new Error("injected error in fail");
            }
            failed.complete(message);
        }

        @Override
        public void stop() {
        }
    }

    /** Lets the test make the hub's next read of the store fail. */
    private static final class FailingReads implements UnaryOperator<HistorySource> {
        final AtomicBoolean failNext = new AtomicBoolean();

        @Override
        public HistorySource apply(final HistorySource source) {
            return new HistorySource() {
                @Override
                public <T> T read(final Function<History, T> reader) {
                    if (failNext.compareAndSet(true, false)) {
                        throw new IllegalStateException("injected: the store cannot be read");
                    }
                    return source.read(reader);
                }
            };
        }
    }
}
