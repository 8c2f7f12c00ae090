package io.cairn.engine.watch;

import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.cairn.engine.testing.ServerProcess;
import io.cairn.engine.testing.SideBySide;
import io.cairn.engine.testing.WatchStreamClient;
import io.cairn.etcd.api.etcdserverpb.CompactionRequest;
import io.cairn.etcd.api.etcdserverpb.DeleteRangeRequest;
import io.cairn.etcd.api.etcdserverpb.KVGrpc;
import io.cairn.etcd.api.etcdserverpb.PutRequest;
import io.cairn.etcd.api.etcdserverpb.WatchCreateRequest;
import io.cairn.etcd.api.etcdserverpb.WatchResponse;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Drives one watch stream through etcd's watch protocol against Debian etcd and against Cairn (same
 * ports and flags, so the same ids) and requires the same responses: created headers, server- and
 * client-chosen ids, the duplicate-id and empty-range errors, catch-up from a past revision,
 * prev_kv, filters, cancel (known and unknown id), progress requests, compaction and fragments.
 *
 * <p>After each step a progress request marks the end of what the step caused; responses of one
 * step are compared as a sorted set, because etcd orders watchers of one revision at random.
 */
class WatchGrpcDifferentialIT {
    private static final String BIG_VALUE = "v".repeat(1_000_000);

    @Test
    void watchStreamAnswersTheSameAgainstBoth() throws Exception {
        final List<String> etcd = SideBySide.assertSame(WatchGrpcDifferentialIT::runSession, i -> "step " + i);
        assertTrue(String.join("", etcd).contains("compact_revision: 6"), "the compaction step ran: " + etcd);
    }

    private static List<String> runSession(final ServerProcess.Kind kind, final int clientPort, final int peerPort)
        throws Exception {
        try (ServerProcess server = ServerProcess.start(kind, clientPort, peerPort);
            WatchStreamClient watch = WatchStreamClient.open(server.channel())) {
            final KVGrpc.KVBlockingStub kv = KVGrpc.newBlockingStub(server.channel());
            final List<String> steps = new ArrayList<>();
            put(kv, "foo", "1"); // revision 2
            put(kv, "foo", "2");
            put(kv, "bar", "1");
            kv.deleteRange(DeleteRangeRequest.newBuilder().setKey(bytes("foo")).build()); // revision 5

            // Catch-up from a past revision, prev_kv, server-chosen id 0.
            watch.create(create("foo").setStartRevision(2).setPrevKv(true));
            steps.add(step(watch, 2));
            // Client-chosen id, every key ("" to "\0").
            watch.create(create("").setRangeEnd(bytes("\0")).setWatchId(7));
            steps.add(step(watch, 1));
            watch.create(create("x").setWatchId(7));
            steps.add(step(watch, 1));
            watch.create(create("zzz"));
            steps.add(step(watch, 1));
            watch.create(create("b").setRangeEnd(bytes("a")));
            steps.add(step(watch, 1));
            // Prefix "f" without puts.
            watch.create(create("f").setRangeEnd(bytes("g")).addFilters(WatchCreateRequest.FilterType.NOPUT));
            steps.add(step(watch, 1));
            watch.create(create("a").setRangeEnd(bytes("c")).addFilters(WatchCreateRequest.FilterType.NODELETE)
                .setPrevKv(true));
            steps.add(step(watch, 1));

            put(kv, "foo", "3"); // revision 6: watchers 0 and 7
            steps.add(step(watch, 2));
            put(kv, "bar", "2"); // revision 7: watchers 7 and the a..c one
            steps.add(step(watch, 2));
            kv.deleteRange(DeleteRangeRequest.newBuilder().setKey(bytes("a")).setRangeEnd(bytes("g")).build());
            steps.add(step(watch, 3)); // revision 8: bar and foo deleted in one revision; a..c filters deletes

            watch.cancel(7);
            steps.add(step(watch, 1));
            watch.cancel(99);
            steps.add(step(watch, 0));

            kv.compact(CompactionRequest.newBuilder().setRevision(6).setPhysical(true).build());
            watch.create(create("foo").setStartRevision(3));
            steps.add(step(watch, 2)); // created, then compact_revision 6 and canceled
            watch.create(create("foo").setStartRevision(6).setWatchId(20));
            steps.add(step(watch, 2));

            // Fragments: etcd splits at --max-request-bytes plus its 512 KiB gRPC allowance (2 MiB here), so
            // three values of 1 MB caught up in one response go as two events and then one.
            final long firstBig = put(kv, "big/0", BIG_VALUE);
            for (int i = 1; i < 3; i++) {
                put(kv, "big/" + i, BIG_VALUE);
            }
            steps.add(step(watch, 3)); // the a..c watcher sees them live
            watch.create(create("big/").setRangeEnd(bytes("big0")).setStartRevision(firstBig).setFragment(true));
            steps.add(step(watch, 3)); // created and two fragments
            watch.create(create("big/").setRangeEnd(bytes("big0")).setStartRevision(firstBig));
            steps.add(step(watch, 2)); // created and one whole response
            return steps;
        }
    }

    private static long put(final KVGrpc.KVBlockingStub kv, final String key, final String value) {
        return kv.put(PutRequest.newBuilder().setKey(bytes(key)).setValue(bytes(value)).build())
            .getHeader().getRevision();
    }

    private static WatchCreateRequest.Builder create(final String key) {
        return WatchCreateRequest.newBuilder().setKey(bytes(key));
    }

    private static ByteString bytes(final String text) {
        return ByteString.copyFromUtf8(text);
    }

    /**
     * The {@code expected} responses a step caused and the progress response that follows them, as
     * text. Any extra response shows up in the next step and fails the comparison there.
     */
    private static String step(final WatchStreamClient watch, final int expected) throws InterruptedException {
        watch.requestProgress();
        final List<WatchResponse> caused = new ArrayList<>();
        WatchResponse progress = null;
        while (progress == null || caused.size() < expected) {
            final WatchResponse response;
            try {
                response = watch.take();
            } catch (final AssertionError e) {
                throw new AssertionError(e.getMessage() + "; got " + caused + " and progress " + progress, e);
            }
            if (progress == null && isProgress(response)) {
                progress = response;
            } else {
                caused.add(response);
            }
        }
        final StringBuilder text = new StringBuilder();
        caused.stream().map(WatchResponse::toString).sorted(Comparator.naturalOrder())
            .forEach(r -> text.append(r).append("--\n"));
        return text.append("progress: ").append(progress).toString();
    }

    private static boolean isProgress(final WatchResponse response) {
        return response.getWatchId() == -1 && !response.getCreated() && !response.getCanceled()
            && response.getEventsCount() == 0;
    }
}
