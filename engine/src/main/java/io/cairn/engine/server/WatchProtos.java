package io.cairn.engine.server;

import com.google.protobuf.CodedOutputStream;
import io.cairn.engine.mvcc.Change;
import io.cairn.engine.mvcc.KeyValue;
import io.cairn.engine.watch.EncodedEvent;
import io.cairn.engine.watch.WatchEncoding;
import io.cairn.engine.watch.WatchOp;
import io.cairn.engine.watch.WatchReply;
import io.cairn.etcd.api.etcdserverpb.ResponseHeader;
import io.cairn.etcd.api.etcdserverpb.WatchCreateRequest;
import io.cairn.etcd.api.etcdserverpb.WatchRequest;
import io.cairn.etcd.api.etcdserverpb.WatchResponse;
import io.cairn.etcd.api.mvccpb.Event;

/**
 * The watch hub's requests, replies and events as etcd's protobuf messages. As the hub's
 * {@link WatchEncoding} it builds each event's message once per read (the hub shares it among the
 * watchers that get it; a reply only points at it) and sizes replies with protobuf's own size
 * functions, field by field, so the hub fragments and bounds its queues on the bytes that are sent
 * without building a message to measure it ({@code WatchProtosTest} checks the sums against
 * {@code getSerializedSize}).
 *
 * <p>Only the holder of the hub's lock calls an instance (the hub, and {@code StreamSink.send}):
 * the header of the last reply is kept for the next, which usually has the same revision.
 */
public final class WatchProtos implements WatchEncoding {
    private final ResponseHeaders headers;
    private ResponseHeader lastHeader;

    public WatchProtos(final ResponseHeaders headers) {
        this.headers = headers;
    }

    /** An event as the hub holds it: the message and the bytes it adds to a WatchResponse. */
    private record ProtoEvent(Event event, int wireBytes) implements EncodedEvent {
    }

    @Override
    public EncodedEvent event(final Change change, final KeyValue previous) {
        final Event.Builder event = Event.newBuilder()
            .setType(change.deleted() ? Event.EventType.DELETE : Event.EventType.PUT)
            .setKv(KvProtos.keyValue(change.kv()));
        if (previous != null) {
            event.setPrevKv(KvProtos.keyValue(previous));
        }
        final Event built = event.build();
        return new ProtoEvent(built, CodedOutputStream.computeMessageSize(WatchResponse.EVENTS_FIELD_NUMBER, built));
    }

    @Override
    public long envelopeBytes(final WatchReply reply) {
        long bytes = CodedOutputStream.computeMessageSize(WatchResponse.HEADER_FIELD_NUMBER,
            header(reply.headerRevision()));
        if (reply.watchId() != 0) {
            bytes += CodedOutputStream.computeInt64Size(WatchResponse.WATCH_ID_FIELD_NUMBER, reply.watchId());
        }
        if (reply.created()) {
            bytes += CodedOutputStream.computeBoolSize(WatchResponse.CREATED_FIELD_NUMBER, true);
        }
        if (reply.canceled()) {
            bytes += CodedOutputStream.computeBoolSize(WatchResponse.CANCELED_FIELD_NUMBER, true);
        }
        if (reply.compactRevision() != 0) {
            bytes += CodedOutputStream.computeInt64Size(WatchResponse.COMPACT_REVISION_FIELD_NUMBER,
                reply.compactRevision());
        }
        if (!reply.cancelReason().isEmpty()) {
            bytes += CodedOutputStream.computeStringSize(WatchResponse.CANCEL_REASON_FIELD_NUMBER, reply.cancelReason());
        }
        if (reply.fragment()) {
            bytes += CodedOutputStream.computeBoolSize(WatchResponse.FRAGMENT_FIELD_NUMBER, true);
        }
        return bytes;
    }

    /** The reply as etcd's WatchResponse, its header filled at the reply's revision with the current term. */
    public WatchResponse response(final WatchReply reply) {
        final WatchResponse.Builder response = WatchResponse.newBuilder()
            .setHeader(header(reply.headerRevision()))
            .setWatchId(reply.watchId())
            .setCreated(reply.created())
            .setCanceled(reply.canceled())
            .setCompactRevision(reply.compactRevision())
            .setCancelReason(reply.cancelReason())
            .setFragment(reply.fragment());
        for (final EncodedEvent event : reply.events()) {
            response.addEvents(((ProtoEvent)event).event()); // the hub holds only events this class made
        }
        return response.build();
    }

    /** The request as the hub takes it; etcd's filters other than NOPUT and NODELETE are ignored, as etcd does. */
    public static WatchOp op(final WatchRequest request) {
        return switch (request.getRequestUnionCase()) {
            case CREATE_REQUEST -> {
                final WatchCreateRequest create = request.getCreateRequest();
                yield new WatchOp.Create(create.getKey().toByteArray(), create.getRangeEnd().toByteArray(),
                    create.getStartRevision(), create.getWatchId(),
                    create.getFiltersList().contains(WatchCreateRequest.FilterType.NOPUT),
                    create.getFiltersList().contains(WatchCreateRequest.FilterType.NODELETE),
                    create.getPrevKv(), create.getFragment(), create.getProgressNotify());
            }
            case CANCEL_REQUEST -> new WatchOp.Cancel(request.getCancelRequest().getWatchId());
            case PROGRESS_REQUEST -> new WatchOp.Progress();
            case REQUESTUNION_NOT_SET -> new WatchOp.Unknown();
        };
    }

    private ResponseHeader header(final long revision) {
        final long term = headers.raftTerm().getAsLong();
        final ResponseHeader last = lastHeader;
        if (last != null && last.getRevision() == revision && last.getRaftTerm() == term) {
            return last;
        }
        lastHeader = ResponseHeader.newBuilder().setClusterId(headers.clusterId()).setMemberId(headers.memberId())
            .setRaftTerm(term).setRevision(revision).build();
        return lastHeader;
    }
}
