package io.cairn.chaos.workload;

import com.google.protobuf.ByteString;
import io.cairn.chaos.check.Consistency;
import io.cairn.chaos.check.KvRead;
import io.cairn.chaos.check.KvWrite;
import io.cairn.chaos.check.Mutation;
import io.cairn.chaos.check.Span;
import io.cairn.chaos.linearizability.History;
import io.cairn.chaos.linearizability.Input;
import io.cairn.chaos.linearizability.Output;
import io.cairn.etcd.api.etcdserverpb.Compare;
import io.cairn.etcd.api.etcdserverpb.DeleteRangeRequest;
import io.cairn.etcd.api.etcdserverpb.DeleteRangeResponse;
import io.cairn.etcd.api.etcdserverpb.KVGrpc;
import io.cairn.etcd.api.etcdserverpb.PutRequest;
import io.cairn.etcd.api.etcdserverpb.PutResponse;
import io.cairn.etcd.api.etcdserverpb.RangeRequest;
import io.cairn.etcd.api.etcdserverpb.RangeResponse;
import io.cairn.etcd.api.etcdserverpb.RequestOp;
import io.cairn.etcd.api.etcdserverpb.TxnRequest;
import io.cairn.etcd.api.etcdserverpb.TxnResponse;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

/**
 * One client attached to one member: puts, linearizable and serializable gets, compare-and-swap
 * Txns and deletes over a few keys, one at a time, each recorded with its call and return times.
 * A write whose answer is lost (a deadline, a dropped connection) is recorded as indeterminate; one
 * refused before it was sent (connection refused) as failed; a failed read is dropped (it changed
 * nothing). Everything also goes to {@link Records} for the other checks; serializable reads go
 * only there (they need not be linearizable).
 */
final class KvClient implements Runnable {
    static final long DEADLINE_MILLIS = 2_000;
    private static final long PAUSE_MAX_NANOS = TimeUnit.MILLISECONDS.toNanos(40);

    private final int client;
    private final String memberName;
    private final KVGrpc.KVBlockingStub kv;
    private final List<String> keys;
    private final History history;
    private final Records records;
    private final SplittableRandom random;
    private final BooleanSupplier stopped;
    /** What this client last saw each key hold: the value its next compare-and-swap expects. */
    private final Map<String, String> lastSeen = new HashMap<>();
    private long sequence;

    KvClient(final int client, final int member, final ManagedChannel channel, final List<String> keys,
             final History history, final Records records, final long seed, final BooleanSupplier stopped) {
        this.client = client;
        this.memberName = Records.memberName(member);
        this.kv = KVGrpc.newBlockingStub(channel);
        this.keys = keys;
        this.history = history;
        this.records = records;
        this.random = new SplittableRandom(seed);
        this.stopped = stopped;
    }

    @Override
    public void run() {
        while (!stopped.getAsBoolean()) {
            final String key = keys.get(random.nextInt(keys.size()));
            final int kind = random.nextInt(20);
            if (kind < 7) {
                put(key, value());
            } else if (kind < 12) {
                get(key);
            } else if (kind < 14) {
                serializableGet(key);
            } else if (kind < 18) {
                cas(key, lastSeen.get(key), value());
            } else {
                delete(key);
            }
            LockSupport.parkNanos(random.nextLong(PAUSE_MAX_NANOS));
        }
    }

    private String value() {
        return "c" + client + "-" + sequence++;
    }

    private KVGrpc.KVBlockingStub call() {
        return kv.withDeadlineAfter(DEADLINE_MILLIS, TimeUnit.MILLISECONDS);
    }

    private void put(final String key, final String value) {
        final long op = history.invoke(client, Input.put(key, value));
        final long calledNanos = System.nanoTime();
        try {
            final PutResponse response = call().put(PutRequest.newBuilder().setKey(bytes(key))
                .setValue(bytes(value)).build());
            history.ok(op, Output.written(response.getHeader().getRevision()));
            records.write(KvWrite.acknowledged(records.nextId(), memberName, Mutation.put(key, value),
                response.getHeader().getRevision(), span(calledNanos)));
            lastSeen.put(key, value);
        } catch (final StatusRuntimeException e) {
            writeFailed(op, Mutation.put(key, value), e, calledNanos);
        }
    }

    private void cas(final String key, final String expected, final String value) {
        final Compare compare = expected == null
            ? Compare.newBuilder().setKey(bytes(key)).setTarget(Compare.CompareTarget.CREATE)
                .setResult(Compare.CompareResult.EQUAL).setCreateRevision(0).build()
            : Compare.newBuilder().setKey(bytes(key)).setTarget(Compare.CompareTarget.VALUE)
                .setResult(Compare.CompareResult.EQUAL).setValue(bytes(expected)).build();
        final TxnRequest txn = TxnRequest.newBuilder().addCompare(compare)
            .addSuccess(RequestOp.newBuilder().setRequestPut(PutRequest.newBuilder().setKey(bytes(key))
                .setValue(bytes(value)))).build();
        final long op = history.invoke(client, Input.cas(key, expected, value));
        final long calledNanos = System.nanoTime();
        try {
            final TxnResponse response = call().txn(txn);
            history.ok(op, Output.swapped(response.getSucceeded()));
            if (response.getSucceeded()) {
                records.write(KvWrite.acknowledged(records.nextId(), memberName, Mutation.put(key, value),
                    response.getHeader().getRevision(), span(calledNanos)));
                lastSeen.put(key, value);
            } else {
                lastSeen.remove(key); // unknown now: the next swap expects "absent", and learns
            }
        } catch (final StatusRuntimeException e) {
            writeFailed(op, Mutation.put(key, value), e, calledNanos);
        }
    }

    private void delete(final String key) {
        final long op = history.invoke(client, Input.delete(key));
        final long calledNanos = System.nanoTime();
        try {
            final DeleteRangeResponse response = call().deleteRange(DeleteRangeRequest.newBuilder().setKey(bytes(key))
                .build());
            history.ok(op, Output.deleted(response.getDeleted()));
            records.write(KvWrite.deleteAcknowledged(records.nextId(), memberName, key,
                response.getHeader().getRevision(), response.getDeleted(), span(calledNanos)));
            lastSeen.remove(key);
        } catch (final StatusRuntimeException e) {
            writeFailed(op, Mutation.delete(key), e, calledNanos);
        }
    }

    private void get(final String key) {
        final long op = history.invoke(client, Input.get(key));
        final long calledNanos = System.nanoTime();
        try {
            final RangeResponse response = call().range(RangeRequest.newBuilder().setKey(bytes(key)).build());
            final String value = response.getKvsCount() == 0 ? null : response.getKvs(0).getValue().toStringUtf8();
            history.ok(op, Output.read(value));
            records.read(read(key, Consistency.LINEARIZABLE, response, calledNanos));
            if (value == null) {
                lastSeen.remove(key);
            } else {
                lastSeen.put(key, value);
            }
        } catch (final StatusRuntimeException e) {
            history.fail(op);
        }
    }

    private void serializableGet(final String key) {
        final long calledNanos = System.nanoTime();
        try {
            final RangeResponse response = call().range(RangeRequest.newBuilder().setKey(bytes(key))
                .setSerializable(true).build());
            records.read(read(key, Consistency.SERIALIZABLE, response, calledNanos));
        } catch (final StatusRuntimeException ignored) {
            // A read that failed changed nothing and showed nothing.
        }
    }

    private KvRead read(final String key, final Consistency consistency, final RangeResponse response,
                        final long calledNanos) {
        return records.readOf(memberName, key, consistency, response, span(calledNanos));
    }

    private static Span span(final long calledNanos) {
        return new Span(calledNanos, System.nanoTime());
    }

    private void writeFailed(final long op, final Mutation mutation, final StatusRuntimeException e,
                             final long calledNanos) {
        if (neverSent(e)) {
            history.fail(op);
            records.write(KvWrite.failed(records.nextId(), memberName, mutation, span(calledNanos)));
        } else {
            history.unknown(op);
            records.write(KvWrite.indeterminate(records.nextId(), memberName, mutation, calledNanos));
        }
    }

    /** Refused before the request left: the connection could not be opened. */
    private static boolean neverSent(final StatusRuntimeException e) {
        final Status status = e.getStatus();
        if (status.getCode() != Status.Code.UNAVAILABLE) {
            return false;
        }
        for (Throwable cause = e; cause != null; cause = cause.getCause()) {
            if (cause instanceof java.net.ConnectException) {
                return true;
            }
        }
        return false;
    }

    static ByteString bytes(final String s) {
        return ByteString.copyFrom(s, StandardCharsets.UTF_8);
    }
}
