package io.cairn.chaos.workload;

import com.google.protobuf.ByteString;
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
    /** One event as delivered. {@code value} is null for a DELETE. */
    public record Delivered(String key, String value, long modRevision) {
    }

    /** One watch stream: its member, start revision and the events it delivered, and how it ended. */
    public static final class Log {
        public final int member;
        public final long startRevision;
        private final List<Delivered> events = new ArrayList<>();
        private String end;

        Log(final int member, final long startRevision) {
            this.member = member;
            this.startRevision = startRevision;
        }

        public synchronized List<Delivered> events() {
            return List.copyOf(events);
        }

        /** Null while the stream is open; else why it ended. */
        public synchronized String end() {
            return end;
        }

        synchronized void add(final Delivered event) {
            events.add(event);
        }

        synchronized void end(final String why) {
            if (end == null) {
                end = why;
            }
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
        if (last.end() != null) {
            open(new Log(member, last.nextRevision()));
        }
    }

    public synchronized List<Log> logs() {
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
        for (final Log log : logs) {
            log.end("closed at the end of the run");
        }
    }

    private void open(final Log log) {
        logs.add(log);
        requests = watch.watch(new StreamObserver<>() {
            @Override
            public void onNext(final WatchResponse response) {
                if (response.getCanceled()) {
                    log.end("canceled: " + response.getCancelReason() + " (compact revision "
                        + response.getCompactRevision() + ")");
                    return;
                }
                for (final Event event : response.getEventsList()) {
                    log.add(new Delivered(event.getKv().getKey().toStringUtf8(),
                        event.getType() == Event.EventType.DELETE ? null : event.getKv().getValue().toStringUtf8(),
                        event.getKv().getModRevision()));
                }
            }

            @Override
            public void onError(final Throwable t) {
                log.end("stream failed: " + t);
            }

            @Override
            public void onCompleted() {
                log.end("stream completed by the server");
            }
        });
        requests.onNext(WatchRequest.newBuilder().setCreateRequest(WatchCreateRequest.newBuilder().setKey(key)
            .setRangeEnd(rangeEnd).setStartRevision(log.startRevision)).build());
    }
}
