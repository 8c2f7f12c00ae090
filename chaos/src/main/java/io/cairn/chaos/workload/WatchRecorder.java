package io.cairn.chaos.workload;

import com.google.protobuf.ByteString;
import io.cairn.chaos.check.KeyRange;
import io.cairn.chaos.check.WatchEnd;
import io.cairn.chaos.check.WatchEvent;
import io.cairn.chaos.check.WatchLog;
import io.cairn.etcd.api.etcdserverpb.WatchCreateRequest;
import io.cairn.etcd.api.etcdserverpb.WatchGrpc;
import io.cairn.etcd.api.etcdserverpb.WatchRequest;
import io.cairn.etcd.api.etcdserverpb.WatchResponse;
import io.cairn.etcd.api.mvccpb.Event;
import io.grpc.ManagedChannel;
import io.grpc.stub.StreamObserver;
import java.util.ArrayList;
import java.util.List;

/**
 * A watch on one member over a key range, from a start revision, keeping every event in the order
 * it arrived. When the stream breaks (the member was killed, paused past its keep-alive, ...) the
 * log ends there and {@link #resume} opens a new watch from the revision after the last event, as
 * etcd clients do, so every log is one watch stream from its start revision.
 */
public final class WatchRecorder {
    /** One watch stream: its member, start revision and the events it delivered, and how it ended. */
    static final class Log {
        private final int member;
        private final long startRevision;
        private final List<WatchEvent> events = new ArrayList<>();
        private WatchEnd end = WatchEnd.OPEN;

        Log(final int member, final long startRevision) {
            this.member = member;
            this.startRevision = startRevision;
        }

        synchronized boolean ended() {
            return end.endedEarly();
        }

        synchronized void add(final WatchEvent event) {
            events.add(event);
        }

        synchronized void end(final WatchEnd.Reason reason, final long compactRevision) {
            if (!end.endedEarly()) {
                end = new WatchEnd(reason, compactRevision, System.nanoTime());
            }
        }

        synchronized WatchLog toWatchLog(final long id, final KeyRange range) {
            return new WatchLog(id, Records.memberName(member), range, startRevision, List.copyOf(events), end);
        }

        synchronized long nextRevision() {
            return events.isEmpty() ? startRevision : events.get(events.size() - 1).modRevision() + 1;
        }
    }

    private final int member;
    private final WatchGrpc.WatchStub watch;
    private final ByteString key;
    private final ByteString rangeEnd;
    private final List<Log> logs = new ArrayList<>();
    private StreamObserver<WatchRequest> requests;

    public WatchRecorder(final int member, final ManagedChannel channel, final String prefix) {
        this.member = member;
        this.watch = WatchGrpc.newStub(channel);
        this.key = ByteString.copyFromUtf8(prefix);
        final byte[] end = prefix.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        end[end.length - 1]++;
        this.rangeEnd = ByteString.copyFrom(end);
    }

    /** Opens the first watch, from {@code startRevision}. */
    public synchronized void start(final long startRevision) {
        open(new Log(member, startRevision));
    }

    /** If the current stream ended, opens a new one from after its last event. */
    public synchronized void resume() {
        final Log last = logs.get(logs.size() - 1);
        if (last.ended()) {
            open(new Log(member, last.nextRevision()));
        }
    }

    synchronized List<Log> logs() {
        return List.copyOf(logs);
    }

    public synchronized void close() {
        if (requests != null) {
            try {
                requests.onCompleted();
            } catch (final IllegalStateException alreadyClosed) {
                // the stream ended on its own
            }
        }
    }

    private void open(final Log log) {
        logs.add(log);
        requests = watch.watch(new StreamObserver<>() {
            @Override
            public void onNext(final WatchResponse response) {
                if (response.getCanceled()) {
                    log.end(response.getCompactRevision() > 0 ? WatchEnd.Reason.COMPACTED : WatchEnd.Reason.CANCELLED,
                        response.getCompactRevision());
                    return;
                }
                for (final Event event : response.getEventsList()) {
                    final String key = event.getKv().getKey().toStringUtf8();
                    log.add(event.getType() == Event.EventType.DELETE
                        ? WatchEvent.delete(key, event.getKv().getModRevision())
                        : WatchEvent.put(key, event.getKv().getValue().toStringUtf8(), event.getKv().getModRevision()));
                }
            }

            @Override
            public void onError(final Throwable t) {
                log.end(WatchEnd.Reason.ERROR, 0);
            }

            @Override
            public void onCompleted() {
                log.end(WatchEnd.Reason.ERROR, 0); // a server ends a watch stream only when it fails
            }
        });
        requests.onNext(WatchRequest.newBuilder().setCreateRequest(WatchCreateRequest.newBuilder().setKey(key)
            .setRangeEnd(rangeEnd).setStartRevision(log.startRevision)).build());
    }
}
