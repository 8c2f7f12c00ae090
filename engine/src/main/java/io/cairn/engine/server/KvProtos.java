package io.cairn.engine.server;

import com.google.protobuf.ByteString;
import io.cairn.engine.api.EtcdError;
import io.cairn.engine.api.EtcdException;
import io.cairn.engine.mvcc.Compare;
import io.cairn.engine.mvcc.KeyRange;
import io.cairn.engine.mvcc.KeyValue;
import io.cairn.engine.mvcc.OpResult;
import io.cairn.engine.mvcc.RangeQuery;
import io.cairn.engine.mvcc.RangeResult;
import io.cairn.engine.mvcc.TxnOp;
import io.cairn.etcd.api.etcdserverpb.DeleteRangeRequest;
import io.cairn.etcd.api.etcdserverpb.DeleteRangeResponse;
import io.cairn.etcd.api.etcdserverpb.PutRequest;
import io.cairn.etcd.api.etcdserverpb.PutResponse;
import io.cairn.etcd.api.etcdserverpb.RangeRequest;
import io.cairn.etcd.api.etcdserverpb.RangeResponse;
import io.cairn.etcd.api.etcdserverpb.RequestOp;
import io.cairn.etcd.api.etcdserverpb.ResponseHeader;
import io.cairn.etcd.api.etcdserverpb.ResponseOp;
import io.cairn.etcd.api.etcdserverpb.TxnRequest;
import io.cairn.etcd.api.etcdserverpb.TxnResponse;


/**
 * Translates etcd's KV protobuf messages to the MVCC layer's requests and its results back, so
 * that nothing below the gRPC facade sees protobuf. Response headers carry only the revision here;
 * the server adds cluster id, member id and Raft term.
 */
public final class KvProtos {
    private KvProtos() {
    }

    public static RangeQuery rangeQuery(final RangeRequest request) {
        return new RangeQuery(
            KeyRange.of(request.getKey().toByteArray(), request.getRangeEnd().toByteArray()),
            request.getLimit(),
            request.getRevision(),
            sortOrder(request.getSortOrderValue()),
            sortTarget(request.getSortTargetValue()),
            request.getKeysOnly(),
            request.getCountOnly(),
            request.getMinModRevision(),
            request.getMaxModRevision(),
            request.getMinCreateRevision(),
            request.getMaxCreateRevision());
    }

    private static RangeQuery.SortOrder sortOrder(final int value) {
        return value >= 0 && value <= 2 ? RangeQuery.SortOrder.values()[value] : RangeQuery.SortOrder.OTHER;
    }

    /** etcd crashes on a sort target it does not define; Cairn refuses the request instead. */
    private static RangeQuery.SortTarget sortTarget(final int value) {
        if (value < 0 || value >= RangeQuery.SortTarget.values().length) {
            throw new IllegalArgumentException("cairn: unknown sort target " + value);
        }
        return RangeQuery.SortTarget.values()[value];
    }

    public static TxnOp.Put put(final PutRequest request) {
        return new TxnOp.Put(request.getKey().toByteArray(), request.getValue().toByteArray(), request.getLease(),
            request.getPrevKv(), request.getIgnoreValue(), request.getIgnoreLease());
    }

    public static TxnOp.DeleteRange deleteRange(final DeleteRangeRequest request) {
        return new TxnOp.DeleteRange(
            KeyRange.of(request.getKey().toByteArray(), request.getRangeEnd().toByteArray()), request.getPrevKv());
    }

    public static TxnOp.Txn txn(final TxnRequest request) {
        return new TxnOp.Txn(
            request.getCompareList().stream().map(KvProtos::compare).toList(),
            request.getSuccessList().stream().map(KvProtos::op).toList(),
            request.getFailureList().stream().map(KvProtos::op).toList());
    }

    private static Compare compare(final io.cairn.etcd.api.etcdserverpb.Compare compare) {
        final Compare.Target target = switch (compare.getTarget()) {
            case VERSION -> Compare.Target.VERSION;
            case CREATE -> Compare.Target.CREATE;
            case MOD -> Compare.Target.MOD;
            case VALUE -> Compare.Target.VALUE;
            case LEASE -> Compare.Target.LEASE;
            case UNRECOGNIZED -> Compare.Target.OTHER;
        };
        final long number = switch (target) {
            case VERSION -> compare.getVersion();
            case CREATE -> compare.getCreateRevision();
            case MOD -> compare.getModRevision();
            case LEASE -> compare.getLease();
            case VALUE, OTHER -> 0;
        };
        return new Compare(
            KeyRange.of(compare.getKey().toByteArray(), compare.getRangeEnd().toByteArray()),
            target,
            compare.getResultValue() >= 0 && compare.getResultValue() <= 3
                ? Compare.Result.values()[compare.getResultValue()] : Compare.Result.OTHER,
            number,
            compare.getValue().toByteArray());
    }

    private static TxnOp op(final RequestOp op) {
        return switch (op.getRequestCase()) {
            case REQUEST_RANGE -> new TxnOp.Range(rangeQuery(op.getRequestRange()));
            case REQUEST_PUT -> put(op.getRequestPut());
            case REQUEST_DELETE_RANGE -> deleteRange(op.getRequestDeleteRange());
            case REQUEST_TXN -> txn(op.getRequestTxn());
            case REQUEST_NOT_SET -> throw new EtcdException(EtcdError.KEY_NOT_FOUND); // refused earlier by the checks
        };
    }

    public static RangeResponse rangeResponse(final RangeResult result) {
        final RangeResponse.Builder response = RangeResponse.newBuilder()
            .setHeader(header(result.revision()))
            .setCount(result.count())
            .setMore(result.more());
        for (final KeyValue kv : result.kvs()) {
            response.addKvs(keyValue(kv));
        }
        return response.build();
    }

    public static PutResponse putResponse(final OpResult.Put result) {
        final PutResponse.Builder response = PutResponse.newBuilder().setHeader(header(result.revision()));
        if (result.prevKv() != null) {
            response.setPrevKv(keyValue(result.prevKv()));
        }
        return response.build();
    }

    public static DeleteRangeResponse deleteRangeResponse(final OpResult.DeleteRange result) {
        final DeleteRangeResponse.Builder response = DeleteRangeResponse.newBuilder()
            .setHeader(header(result.revision()))
            .setDeleted(result.deleted());
        for (final KeyValue kv : result.prevKvs()) {
            response.addPrevKvs(keyValue(kv));
        }
        return response.build();
    }

    public static TxnResponse txnResponse(final OpResult.Txn result) {
        final TxnResponse.Builder response = TxnResponse.newBuilder()
            .setHeader(header(result.revision()))
            .setSucceeded(result.succeeded());
        for (final OpResult op : result.responses()) {
            response.addResponses(switch (op) {
                case OpResult.Range range -> ResponseOp.newBuilder().setResponseRange(rangeResponse(range.result()));
                case OpResult.Put put -> ResponseOp.newBuilder().setResponsePut(putResponse(put));
                case OpResult.DeleteRange delete ->
                    ResponseOp.newBuilder().setResponseDeleteRange(deleteRangeResponse(delete));
                case OpResult.Txn txn -> ResponseOp.newBuilder().setResponseTxn(txnResponse(txn));
            });
        }
        return response.build();
    }

    private static ResponseHeader header(final long revision) {
        return ResponseHeader.newBuilder().setRevision(revision).build();
    }

    public static io.cairn.etcd.api.mvccpb.KeyValue keyValue(final KeyValue kv) {
        return io.cairn.etcd.api.mvccpb.KeyValue.newBuilder()
            .setKey(ByteString.copyFrom(kv.key()))
            .setCreateRevision(kv.createRevision())
            .setModRevision(kv.modRevision())
            .setVersion(kv.version())
            .setLease(kv.lease())
            .setValue(ByteString.copyFrom(kv.value()))
            .build();
    }
}
