package io.cairn.engine.watch;

import com.google.protobuf.CodedOutputStream;
import io.cairn.engine.proto.KvProtos;
import io.cairn.engine.mvcc.Change;
import io.cairn.engine.mvcc.KeyValue;
import io.cairn.etcd.api.etcdserverpb.WatchResponse;
import io.cairn.etcd.api.mvccpb.Event;
import java.util.ArrayList;
import java.util.List;

/** Watch events and responses as etcd's protobuf messages, and etcd's fragmenting of large responses. */
final class WatchResponses {
    private static final int EVENTS_FIELD_NUMBER = WatchResponse.EVENTS_FIELD_NUMBER;

    private WatchResponses() {
    }

    static Event event(final Change change, final KeyValue previous) {
        final Event.Builder event = Event.newBuilder()
            .setType(change.deleted() ? Event.EventType.DELETE : Event.EventType.PUT)
            .setKv(KvProtos.keyValue(change.kv()));
        if (previous != null) {
            event.setPrevKv(KvProtos.keyValue(previous));
        }
        return event.build();
    }


    /**
     * etcd's sendFragments: a response of at least {@code fragmentBytes} (etcd: --max-request-bytes
     * + 512 KiB) with two or more events goes out as several, each filled until adding an event would
     * reach the limit (one event at least), all but the last marked {@code fragment}.
     */
    static List<WatchResponse> fragments(final WatchResponse response, final long fragmentBytes) {
        if (response.getSerializedSize() < fragmentBytes || response.getEventsCount() < 2) {
            return List.of(response);
        }
        final WatchResponse empty = response.toBuilder().clearEvents().setFragment(true).build();
        final long emptyBytes = empty.getSerializedSize();
        final List<WatchResponse> out = new ArrayList<>();
        final List<Event> events = response.getEventsList();
        int next = 0;
        while (next < events.size()) {
            final WatchResponse.Builder part = empty.toBuilder();
            long bytes = emptyBytes;
            while (next < events.size()) {
                final long eventBytes = CodedOutputStream.computeMessageSize(EVENTS_FIELD_NUMBER, events.get(next));
                if (part.getEventsCount() > 0 && bytes + eventBytes >= fragmentBytes) {
                    break;
                }
                part.addEvents(events.get(next++));
                bytes += eventBytes;
            }
            out.add(part.setFragment(next < events.size()).build());
        }
        return out;
    }
}
