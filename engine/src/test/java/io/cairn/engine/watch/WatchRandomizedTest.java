package io.cairn.engine.watch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.google.protobuf.ByteString;
import io.cairn.engine.mvcc.KeyRange;
import io.cairn.engine.mvcc.OpResult;
import io.cairn.engine.mvcc.TxnOp;
import io.cairn.chaos.Seeds;
import io.cairn.engine.testing.WatchStreamClient;
import io.cairn.etcd.api.etcdserverpb.WatchCreateRequest;
import io.cairn.etcd.api.etcdserverpb.WatchResponse;
import io.cairn.etcd.api.mvccpb.Event;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Several writers (puts, deletes, Txns of two writes in one revision) and watchers created while
 * they run: single keys, prefixes, ranges, from-key and the whole key space; starting now or at a
 * past revision; with filters and prev_kv; on streams that read at once and on streams that read
 * only in bursts, with small stream queues so watchers fall out of sync and catch up. Each watcher
 * must see exactly the history the writers recorded from its start revision on: every event once,
 * in revision order, all events of one revision in one response. The seed is printed on failure;
 * {@code -Dwatch.seed=N} replays the same choices.
 */
class WatchRandomizedTest {
    private static final int WRITERS = 3;
    private static final int OPS_PER_WRITER = 400;
    private static final int STREAMS = 4;
    private static final int WATCHERS = 16;
    private static final long STREAM_QUEUED_BYTES_MAX = 8 << 10;
    private static final int KEYS_PER_PREFIX = 8;

    /** One change as the writer saw it committed: revision, position in the revision, key, value. */
    private record Change(long revision, int sub, String key, boolean deleted, String value) {
    }

    /** A watcher as created: its range, filters and requested start (0 = from the created revision on). */
    private record Spec(int stream, long id, String key, String rangeEnd, boolean noPut, boolean noDelete,
        boolean prevKv, long startRevision) {
        boolean contains(final String k) {
            final byte[] key = k.getBytes(StandardCharsets.UTF_8);
            final byte[] start = this.key.getBytes(StandardCharsets.UTF_8);
            if (rangeEnd.isEmpty()) {
                return k.equals(this.key);
            }
            final boolean fromKey = rangeEnd.equals("\0");
            return java.util.Arrays.compareUnsigned(key, start) >= 0 && (fromKey
                || java.util.Arrays.compareUnsigned(key, rangeEnd.getBytes(StandardCharsets.UTF_8)) < 0);
        }

        boolean wants(final Change change) {
            return contains(change.key()) && (change.deleted() ? !noDelete : !noPut);
        }
    }

    @Test
    void everyWatcherSeesExactlyTheHistoryFromItsStart() throws Exception {
        Seeds.run("watch.seed", 1, seed -> run(seed));
    }

    private static void run(final long seed) throws Exception {
        final Random random = new Random(seed);
        final ConcurrentLinkedQueue<Change> history = new ConcurrentLinkedQueue<>();
        final Semaphore opsDone = new Semaphore(0);
        try (InProcessMember member = InProcessMember.start(
            new WatchHub.Settings(STREAM_QUEUED_BYTES_MAX, 2 << 20, TimeUnit.MINUTES.toNanos(10)))) {
            final List<WatchStreamClient> streams = new ArrayList<>();
            for (int s = 0; s < STREAMS; s++) {
                // Odd streams read only when a writer lets them (bursts), so they fall behind.
                streams.add(s % 2 == 0 ? WatchStreamClient.open(member.channel)
                    : WatchStreamClient.openPaused(member.channel));
            }
            final List<Thread> writers = new ArrayList<>();
            for (int w = 0; w < WRITERS; w++) {
                final Random writerRandom = new Random(seed * 31 + w);
                final int writer = w;
                writers.add(Thread.ofPlatform().name("writer-" + w).start(() -> {
                    for (int i = 0; i < OPS_PER_WRITER; i++) {
                        write(member, writerRandom, "w" + writer + "-" + i + "|" + "v".repeat(writerRandom.nextInt(300)),
                            history);
                        if (i % 50 == 49) {
                            streams.get(1 + 2 * writerRandom.nextInt(STREAMS / 2)).allow(20);
                        }
                        opsDone.release();
                    }
                }));
            }
            final List<Spec> specs = new ArrayList<>();
            for (int i = 0; i < WATCHERS; i++) {
                opsDone.acquire(WRITERS * OPS_PER_WRITER / (WATCHERS + 1));
                final Spec spec = randomSpec(random, i, member.store.currentRevision());
                specs.add(spec);
                final WatchCreateRequest.Builder create = WatchCreateRequest.newBuilder()
                    .setKey(ByteString.copyFromUtf8(spec.key())).setRangeEnd(ByteString.copyFromUtf8(spec.rangeEnd()))
                    .setWatchId(spec.id()).setPrevKv(spec.prevKv()).setStartRevision(spec.startRevision());
                if (spec.noPut()) {
                    create.addFilters(WatchCreateRequest.FilterType.NOPUT);
                }
                if (spec.noDelete()) {
                    create.addFilters(WatchCreateRequest.FilterType.NODELETE);
                }
                streams.get(spec.stream()).create(create);
            }
            for (final Thread writer : writers) {
                writer.join();
            }
            final List<Change> all = new ArrayList<>(history);
            all.sort(Comparator.comparingLong(Change::revision).thenComparingInt(Change::sub));
            assertEquals(member.store.currentRevision(), all.getLast().revision(), "writers recorded every revision");
            for (int s = 0; s < STREAMS; s++) {
                streams.get(s).allow(Integer.MAX_VALUE / 2);
                final int stream = s;
                checkStream(streams.get(s), specs.stream().filter(spec -> spec.stream() == stream).toList(), all);
                streams.get(s).close();
            }
            assertTrue(member.hub.watchersFellBehind() > 0, "no watcher ever fell out of sync: the test lost its edge");
        }
    }

    private static Spec randomSpec(final Random random, final int index, final long current) {
        final String[] range = switch (random.nextInt(5)) {
            case 0 -> new String[] {"a/" + random.nextInt(KEYS_PER_PREFIX), ""};
            case 1 -> new String[] {"a/", "a0"};
            case 2 -> new String[] {"a/3", "b/5"};
            case 3 -> new String[] {"b/", "\0"};
            default -> new String[] {"", "\0"};
        };
        final int filter = random.nextInt(5);
        final long start = random.nextBoolean() ? 0 : 1 + random.nextLong(current);
        if (index == 1) {
            // The test's edge, whatever the seed: a synced watcher of every key, without filters, on a
            // stream that reads in bursts (stream 1) gets several times what its queue holds, and falls
            // out of sync. Drawn as the others are first, so that a seed makes the same other choices.
            return new Spec(1, 100 + index, "", "\0", false, false, random.nextBoolean(), 0);
        }
        return new Spec(index % STREAMS, 100 + index, range[0], range[1], filter == 0, filter == 1,
            random.nextBoolean(), start);
    }

    private static String randomKey(final Random random) {
        return (random.nextBoolean() ? "a/" : "b/") + random.nextInt(KEYS_PER_PREFIX);
    }

    /** One put, delete, or Txn of a put and a delete, recorded with the revision it got. */
    private static void write(final InProcessMember member, final Random random, final String value,
        final ConcurrentLinkedQueue<Change> history) {
        final int kind = random.nextInt(10);
        final String key = randomKey(random);
        if (kind < 6) {
            history.add(new Change(member.put(key, value), 0, key, false, value));
        } else if (kind < 8) {
            final OpResult.DeleteRange deleted = member.delete(key);
            if (deleted.deleted() > 0) {
                history.add(new Change(deleted.revision(), 0, key, true, ""));
            }
        } else {
            String other = randomKey(random);
            while (other.equals(key)) {
                other = randomKey(random);
            }
            final OpResult.Txn txn = member.store.txn(new TxnOp.Txn(List.of(), List.of(
                new TxnOp.Put(key.getBytes(StandardCharsets.UTF_8), value.getBytes(StandardCharsets.UTF_8), 0, false,
                    false, false),
                new TxnOp.DeleteRange(KeyRange.of(other.getBytes(StandardCharsets.UTF_8), new byte[0]), false)),
                List.of())).join();
            history.add(new Change(txn.revision(), 0, key, false, value));
            if (((OpResult.DeleteRange)txn.responses().get(1)).deleted() > 0) {
                history.add(new Change(txn.revision(), 1, other, true, ""));
            }
        }
    }

    /** Reads the stream until each of its watchers has all it must see, then compares. */
    private static void checkStream(final WatchStreamClient stream, final List<Spec> specs, final List<Change> all)
        throws InterruptedException {
        final Map<Long, List<Event>> received = new HashMap<>();
        final Map<Long, Long> createdAt = new HashMap<>();
        final Map<Long, Long> lastRevisionOfResponse = new HashMap<>();
        final Map<Long, List<Change>> expected = new HashMap<>();
        int missing = 0;
        for (final Spec spec : specs) {
            received.put(spec.id(), new ArrayList<>());
        }
        while (createdAt.size() < specs.size() || missing > 0) {
            final WatchResponse response = stream.take();
            final long id = response.getWatchId();
            if (response.getCreated()) {
                assertTrue(!response.getCanceled(), "watcher " + id + " refused: " + response);
                createdAt.put(id, response.getHeader().getRevision());
                final Spec spec = specs.stream().filter(s -> s.id() == id).findFirst().orElseThrow();
                final long start = spec.startRevision() == 0 ? response.getHeader().getRevision() + 1
                    : spec.startRevision();
                final List<Change> wanted = all.stream().filter(c -> c.revision() >= start && spec.wants(c)).toList();
                expected.put(id, wanted);
                missing += wanted.size() - received.get(id).size();
                continue;
            }
            assertTrue(response.getEventsCount() > 0, "unexpected response " + response);
            final long first = response.getEvents(0).getKv().getModRevision();
            final Long previousLast = lastRevisionOfResponse.get(id);
            assertTrue(previousLast == null || previousLast < first,
                "watcher " + id + ": revision " + first + " split across responses or out of order");
            lastRevisionOfResponse.put(id, response.getEvents(response.getEventsCount() - 1).getKv().getModRevision());
            received.get(id).addAll(response.getEventsList());
            if (expected.containsKey(id)) {
                missing -= response.getEventsCount();
            }
            if (missing < 0) {
                fail("watcher " + id + " got more events than the history holds");
            }
        }
        for (final Spec spec : specs) {
            compare(spec, expected.get(spec.id()), received.get(spec.id()), all);
        }
    }

    private static void compare(final Spec spec, final List<Change> expected, final List<Event> received,
        final List<Change> all) {
        assertEquals(expected.size(), received.size(), "events of " + spec);
        for (int i = 0; i < expected.size(); i++) {
            final Change want = expected.get(i);
            final Event got = received.get(i);
            final String where = spec + " event " + i + " " + want;
            assertEquals(want.revision(), got.getKv().getModRevision(), where);
            assertEquals(want.key(), got.getKv().getKey().toStringUtf8(), where);
            assertEquals(want.deleted() ? Event.EventType.DELETE : Event.EventType.PUT, got.getType(), where);
            assertEquals(want.value(), got.getKv().getValue().toStringUtf8(), where);
            if (spec.prevKv()) {
                final Change previous = previousVersion(all, want);
                assertEquals(previous == null ? "" : previous.value(),
                    got.hasPrevKv() ? got.getPrevKv().getValue().toStringUtf8() : "", "prev_kv of " + where);
                assertEquals(previous != null, got.hasPrevKv(), "prev_kv of " + where);
            }
        }
    }

    /** The live version a change replaced: the key's latest change before it, unless that was a delete. */
    private static Change previousVersion(final List<Change> all, final Change change) {
        Change previous = null;
        for (final Change c : all) {
            if (c.revision() >= change.revision()) {
                break;
            }
            if (c.key().equals(change.key())) {
                previous = c;
            }
        }
        return previous == null || previous.deleted() ? null : previous;
    }
}
