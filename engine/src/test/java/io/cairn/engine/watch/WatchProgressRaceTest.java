package io.cairn.engine.watch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.google.protobuf.ByteString;
import io.cairn.engine.mvcc.Change;
import io.cairn.engine.mvcc.KeyRange;
import io.cairn.engine.mvcc.KeyValue;
import io.cairn.engine.mvcc.RangeQuery;
import io.cairn.engine.server.WatchProtos;
import io.cairn.chaos.Seeds;
import io.cairn.engine.testing.WatchStreamClient;
import io.cairn.etcd.api.etcdserverpb.WatchCancelRequest;
import io.cairn.etcd.api.etcdserverpb.WatchCreateRequest;
import io.cairn.etcd.api.etcdserverpb.WatchRequest;
import io.cairn.etcd.api.etcdserverpb.WatchResponse;
import io.cairn.etcd.api.mvccpb.Event;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;

/**
 * Writers race one watch stream that asks for progress over and over (etcd 3.4's stream-wide
 * WatchProgressRequest), gets periodic progress_notify every millisecond, and now and then creates
 * another watcher, mostly at revision 0, reading the store at its created header's revision as a
 * Kubernetes watch cache does, sometimes at a past revision, so that it catches up while progress
 * is asked for. Afterwards, against the full history read from the store:
 * <ul>
 *   <li>a progress response (stream-wide or one watcher's) at revision R comes after every event of
 *       the watched range from the watcher's start through R: "you have every event up to R";</li>
 *   <li>a read at a created header's revision succeeds and shows the range as history has it then;</li>
 *   <li>progress and created headers on the stream never go back;</li>
 *   <li>each watcher gets exactly the history from its start on, once, in order.</li>
 * </ul>
 * A second test is a client in this JVM that reads at each created header's revision inside the
 * send itself, so it reads within microseconds of the header being chosen.
 * The seed is printed on failure; {@code -Dwatch.seed=N} replays the writers' choices (the
 * interleaving with the watch thread is up to the scheduler).
 */
class WatchProgressRaceTest {
    private static final int WRITERS = 4;
    private static final int OPS_PER_WRITER = 1_000;
    private static final int KEYS = 32;
    private static final int WATCHERS_MAX = 24;
    /** Every this many progress requests, the stream creates one more watcher instead. */
    private static final int CREATE_EVERY = 20;
    private static final String KEY = "r/";
    private static final String RANGE_END = "r0";

    /** What a created watcher asked for (0: from now on) and what the read at its header's revision gave. */
    private record Created(long requestedStart, Object read) {
    }

    @Test
    void progressAndCreatedHeadersNeverRunAheadOfTheEventsSent() throws Exception {
        Seeds.run("watch.seed", 1, seed -> run(seed));
    }

    private static void run(final long seed) throws Exception {
        final Random random = new Random(seed);
        try (InProcessMember member = InProcessMember.start(new WatchHub.Settings(
            WatchHub.DEFAULT_STREAM_QUEUED_BYTES_MAX, 2 << 20, TimeUnit.MILLISECONDS.toNanos(1)));
            WatchStreamClient stream = WatchStreamClient.open(member.channel)) {
            final List<WatchResponse> log = new ArrayList<>();
            final Map<Long, Created> created = new HashMap<>();
            createWatcher(member, stream, true, 0, log, created);

            final List<Thread> writers = startWriters(member, seed);
            int requests = 0;
            int watchers = 1;
            while (writers.stream().anyMatch(Thread::isAlive)) {
                if (++requests % CREATE_EVERY == 0 && watchers < WATCHERS_MAX) {
                    final long start = random.nextInt(3) == 0 ? 1 + random.nextLong(member.store.currentRevision()) : 0;
                    createWatcher(member, stream, random.nextBoolean(), start, log, created);
                    watchers++;
                } else {
                    stream.requestProgress();
                    takeUntil(stream, log, WatchProgressRaceTest::isStreamProgress);
                }
            }
            for (final Thread writer : writers) {
                writer.join();
            }
            // A last event every watcher sees: once each has it, each has been sent everything.
            final long last = member.put(KEY + "last", "end");
            final Map<Long, Long> lastSeen = new HashMap<>();
            takeUntil(stream, log, response -> {
                for (final Event event : response.getEventsList()) {
                    lastSeen.put(response.getWatchId(), event.getKv().getModRevision());
                }
                return lastSeen.size() == created.size() && lastSeen.values().stream().allMatch(r -> r == last);
            });
            final List<Change> history = member.store.readHistory(h -> h.read(1, Integer.MAX_VALUE, Long.MAX_VALUE))
                .changes().stream().filter(c -> inRange(c.kv().key())).toList();
            assertEquals(last, history.getLast().revision(), "history read through the last put");
            verify(log, created, history, requests);
        }
    }

    /**
     * A client as fast as can be, in this JVM: on each created response it reads the range at the
     * header's revision at once, inside the send, while writers keep committing. The read must find
     * that revision in the store (not "required revision is a future revision").
     */
    @Test
    void theCreatedHeadersRevisionCanBeReadAtOnce() throws Exception {
        final long seed = Long.getLong("watch.seed", System.nanoTime());
        try (InProcessMember member = InProcessMember.start(WatchHub.Settings.defaults(2 << 20))) {
            final ReadingSink sink = new ReadingSink(member);
            final WatchStream stream = member.hub.open(sink);
            final List<Thread> writers = startWriters(member, seed);
            long id = 1;
            while (writers.stream().anyMatch(Thread::isAlive)) {
                sink.requestAllowed.acquire();
                member.hub.request(stream, WatchProtos.op(WatchRequest.newBuilder()
                    .setCreateRequest(WatchCreateRequest.newBuilder()
                    .setKey(ByteString.copyFromUtf8(KEY)).setRangeEnd(ByteString.copyFromUtf8(RANGE_END))
                    .setWatchId(id)).build()));
                sink.await(id, WatchReply::created);
                sink.requestAllowed.acquire();
                member.hub.request(stream, WatchProtos.op(WatchRequest.newBuilder()
                    .setCancelRequest(WatchCancelRequest.newBuilder().setWatchId(id)).build()));
                sink.await(id, WatchReply::canceled);
                id++;
            }
            for (final Thread writer : writers) {
                writer.join();
            }
            System.out.printf("WatchProgressRaceTest: %d watchers created and read at once%n", id - 1);
            if (!sink.failedReads.isEmpty()) {
                fail("seed " + seed + ": " + sink.failedReads.size() + " of " + (id - 1) + " reads at a created header's"
                    + " revision failed, the first: " + sink.failedReads.subList(0, Math.min(3, sink.failedReads.size())));
            }
        }
    }

    /** Reads the range at each created header's revision inside the send; answers one request at a time. */
    private static final class ReadingSink implements StreamSink {
        private final InProcessMember member;
        final Semaphore requestAllowed = new Semaphore(1); // the gRPC service asks for the first request itself
        final List<String> failedReads = new CopyOnWriteArrayList<>();
        private final LinkedBlockingQueue<Object> received = new LinkedBlockingQueue<>();

        ReadingSink(final InProcessMember member) {
            this.member = member;
        }

        @Override
        public boolean isReady() {
            return true;
        }

        @Override
        public boolean send(final WatchReply reply) {
            if (reply.created()) {
                final long revision = reply.headerRevision();
                try {
                    member.store.range(new RangeQuery(KeyRange.of(bytes(KEY), bytes(RANGE_END)), 0, revision,
                        RangeQuery.SortOrder.NONE, RangeQuery.SortTarget.KEY, false, false, 0, 0, 0, 0));
                } catch (final RuntimeException e) {
                    failedReads.add("watcher " + reply.watchId() + " created at " + revision + ": " + e);
                }
            }
            received.add(reply);
            return true;
        }

        @Override
        public void requestNext() {
            requestAllowed.release();
        }

        @Override
        public void fail(final String message) {
            received.add(new AssertionError("the stream failed: " + message));
        }

        @Override
        public void stop() {
            received.add(new AssertionError("the stream stopped"));
        }

        void await(final long id, final Predicate<WatchReply> what) throws InterruptedException {
            while (true) {
                final Object next = received.poll(WatchStreamClient.TAKE_TIMEOUT_SECONDS, TimeUnit.SECONDS);
                if (next == null) {
                    throw new AssertionError("no answer for watcher " + id);
                }
                if (next instanceof AssertionError e) {
                    throw e;
                }
                if (next instanceof WatchReply reply && reply.watchId() == id && what.test(reply)) {
                    return;
                }
            }
        }
    }

    private static List<Thread> startWriters(final InProcessMember member, final long seed) {
        final List<Thread> writers = new ArrayList<>();
        for (int w = 0; w < WRITERS; w++) {
            final Random writerRandom = new Random(seed * 31 + w);
            final int writer = w;
            writers.add(Thread.ofPlatform().name("writer-" + w).start(() -> {
                for (int i = 0; i < OPS_PER_WRITER; i++) {
                    final int kind = writerRandom.nextInt(10);
                    if (kind < 7) {
                        member.put(KEY + writerRandom.nextInt(KEYS), "w" + writer + "-" + i);
                    } else if (kind < 9) {
                        member.delete(KEY + writerRandom.nextInt(KEYS));
                    } else {
                        member.put("s/outside", "w" + writer + "-" + i); // moves the revision, no event
                    }
                }
            }));
        }
        return writers;
    }

    /** Creates a watcher and, as a client would, reads the range at its created header's revision. */
    private static void createWatcher(final InProcessMember member, final WatchStreamClient stream,
        final boolean progressNotify, final long startRevision, final List<WatchResponse> log,
        final Map<Long, Created> createdWatchers) throws InterruptedException {
        stream.create(WatchCreateRequest.newBuilder().setKey(ByteString.copyFromUtf8(KEY))
            .setRangeEnd(ByteString.copyFromUtf8(RANGE_END)).setProgressNotify(progressNotify)
            .setStartRevision(startRevision));
        final WatchResponse created = takeUntil(stream, log, WatchResponse::getCreated);
        assertTrue(!created.getCanceled(), created.toString());
        Object read;
        try {
            read = member.store.range(new RangeQuery(KeyRange.of(bytes(KEY), bytes(RANGE_END)), 0,
                created.getHeader().getRevision(), RangeQuery.SortOrder.NONE, RangeQuery.SortTarget.KEY, false, false,
                0, 0, 0, 0)).kvs();
        } catch (final RuntimeException e) {
            read = e;
        }
        createdWatchers.put(created.getWatchId(), new Created(startRevision, read));
    }

    /** Takes responses into {@code log} until one matches; returns that one. */
    private static WatchResponse takeUntil(final WatchStreamClient stream, final List<WatchResponse> log,
        final Predicate<WatchResponse> until) throws InterruptedException {
        while (true) {
            final WatchResponse response = stream.take();
            log.add(response);
            if (until.test(response)) {
                return response;
            }
        }
    }

    private static void verify(final List<WatchResponse> log, final Map<Long, Created> created,
        final List<Change> history, final int requests) {
        final Map<Long, Long> start = new HashMap<>();
        final Map<Long, List<Long>> delivered = new HashMap<>();
        long lastClaim = 0;
        int streamProgress = 0;
        int watcherProgress = 0;
        for (int i = 0; i < log.size(); i++) {
            final WatchResponse response = log.get(i);
            final long id = response.getWatchId();
            final long revision = response.getHeader().getRevision();
            final String where = "response " + i + " (" + response.toString().replace('\n', ' ') + ")";
            if (response.getCreated()) {
                final long requested = created.get(id).requestedStart();
                start.put(id, requested == 0 ? revision + 1 : requested);
                delivered.put(id, new ArrayList<>());
                checkRead(created.get(id).read(), history, revision, where);
            } else if (response.getEventsCount() > 0) {
                final List<Long> got = delivered.get(id);
                for (final Event event : response.getEventsList()) {
                    final long modRevision = event.getKv().getModRevision();
                    assertTrue(modRevision >= start.get(id), "event before the watcher's start: " + where);
                    got.add(modRevision);
                }
                continue;
            } else if (id == -1) {
                streamProgress++;
                for (final long watcher : start.keySet()) {
                    checkCovered(watcher, start.get(watcher), delivered.get(watcher), history, revision, where);
                }
            } else {
                assertTrue(!response.getCanceled() && response.getCompactRevision() == 0, "unexpected " + where);
                watcherProgress++;
                checkCovered(id, start.get(id), delivered.get(id), history, revision, where);
            }
            assertTrue(revision >= lastClaim, "header revision went back from " + lastClaim + ": " + where);
            lastClaim = revision;
        }
        for (final Map.Entry<Long, Long> watcher : start.entrySet()) {
            final List<Long> expected = history.stream().map(Change::revision)
                .filter(r -> r >= watcher.getValue()).toList();
            assertEquals(expected, delivered.get(watcher.getKey()), "events of watcher " + watcher.getKey());
        }
        System.out.printf("WatchProgressRaceTest: %d requests, %d stream progress responses, %d progress_notify,"
            + " %d watchers (%d from a past revision), %d events in range%n", requests, streamProgress, watcherProgress,
            start.size(), created.values().stream().filter(c -> c.requestedStart() != 0).count(), history.size());
    }

    /** Every event of the range from {@code start} through {@code revision} must be in {@code delivered}. */
    private static void checkCovered(final long watcher, final long start, final List<Long> delivered,
        final List<Change> history, final long revision, final String where) {
        final List<Long> due = history.stream().map(Change::revision).filter(r -> r >= start && r <= revision)
            .toList();
        if (delivered.size() < due.size()) {
            fail("progress at revision " + revision + " reached watcher " + watcher + " before its event at revision "
                + due.get(delivered.size()) + " (" + delivered.size() + " of " + due.size() + " events due were sent): "
                + where);
        }
    }

    /** The read at a created header's revision must succeed and show the range as history has it then. */
    private static void checkRead(final Object read, final List<Change> history, final long revision,
        final String where) {
        if (read instanceof RuntimeException e) {
            fail("reading at the created header's revision " + revision + " failed (" + e + "): " + where);
        }
        final Map<String, String> expected = new TreeMap<>();
        for (final Change change : history) {
            if (change.revision() > revision) {
                break;
            }
            final String key = text(change.kv().key());
            if (change.deleted()) {
                expected.remove(key);
            } else {
                expected.put(key, text(change.kv().value()));
            }
        }
        final Map<String, String> got = new TreeMap<>();
        for (final Object kv : (List<?>)read) {
            got.put(text(((KeyValue)kv).key()), text(((KeyValue)kv).value()));
        }
        assertEquals(expected, got, "the range read at the created header's revision " + revision + ": " + where);
    }

    private static boolean isStreamProgress(final WatchResponse response) {
        return response.getWatchId() == -1 && !response.getCreated() && !response.getCanceled()
            && response.getEventsCount() == 0;
    }

    private static boolean inRange(final byte[] key) {
        return java.util.Arrays.compareUnsigned(key, bytes(KEY)) >= 0
            && java.util.Arrays.compareUnsigned(key, bytes(RANGE_END)) < 0;
    }

    private static byte[] bytes(final String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private static String text(final byte[] bytes) {
        return new String(bytes, StandardCharsets.UTF_8);
    }
}
