package io.cairn.engine.durability;

import com.google.protobuf.ByteString;
import io.cairn.etcd.api.etcdserverpb.CompactionRequest;
import io.cairn.etcd.api.etcdserverpb.Compare;
import io.cairn.etcd.api.etcdserverpb.DeleteRangeRequest;
import io.cairn.etcd.api.etcdserverpb.DeleteRangeResponse;
import io.cairn.etcd.api.etcdserverpb.KVGrpc;
import io.cairn.etcd.api.etcdserverpb.LeaseGrantRequest;
import io.cairn.etcd.api.etcdserverpb.LeaseGrpc;
import io.cairn.etcd.api.etcdserverpb.LeaseRevokeRequest;
import io.cairn.etcd.api.etcdserverpb.PutRequest;
import io.cairn.etcd.api.etcdserverpb.RequestOp;
import io.cairn.etcd.api.etcdserverpb.TxnRequest;
import io.cairn.etcd.api.etcdserverpb.TxnResponse;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Concurrent writers (puts that overwrite, deletes, compare-and-swap Txns, leases with keys and
 * revokes, and writes etcd refuses) plus one compaction, against a server through etcd's gRPC API,
 * each writer recording every answer in its {@link WriterModel}. A writer stops at the first
 * answer that is not a result or an expected refusal: then its last operation is in flight. An
 * answer that contradicts the model (a refused write accepted, a wrong branch, a revision going
 * back) is recorded as a failure.
 *
 * <p>One workload runs over several server lifetimes (kill or power cut, restart): each
 * {@link #run} continues from the models as {@link RecoveryCheck} settled them.
 */
final class DurabilityWorkload {
    private static final long CALL_DEADLINE_SECONDS = 10;
    private static final long RUN_DEADLINE_SECONDS = 120;

    final List<WriterModel> writers = new ArrayList<>();
    /** The highest revision a compaction was asked for (applied or not): history below it may be gone. */
    long compactionAskedUpTo;
    /** Problems the workload saw: a wrong answer, or an error no crash explains. */
    final List<String> failures = new ArrayList<>();
    private final Random random;
    private final AtomicLong acknowledgedRevisionMax = new AtomicLong();

    DurabilityWorkload(final int writerCount, final long seed) {
        this.random = new Random(seed);
        for (int w = 0; w < writerCount; w++) {
            writers.add(new WriterModel(w, "w" + w + "/"));
        }
    }

    /**
     * Starts the writers and returns once {@code acknowledgements} operations were acknowledged
     * (then the caller kills the server, or cuts its power) or every writer stopped. A compaction
     * of the history so far is sent after about half of them.
     */
    Running start(final ManagedChannel channel, final int acknowledgements) {
        final CountDownLatch enough = new CountDownLatch(acknowledgements);
        final CountDownLatch halfway = new CountDownLatch(Math.max(1, acknowledgements / 2));
        final List<Thread> threads = new ArrayList<>();
        final long[] seeds = new long[writers.size()];
        for (int w = 0; w < seeds.length; w++) {
            seeds[w] = random.nextLong();
        }
        for (final WriterModel writer : writers) {
            final Random writerRandom = new Random(seeds[writer.writer]);
            threads.add(Thread.ofPlatform().name("durability-writer-" + writer.writer).start(
                () -> write(channel, writer, writerRandom, enough, halfway)));
        }
        final AtomicReference<String> compaction = new AtomicReference<>();
        threads.add(Thread.ofPlatform().name("durability-compactor").start(() -> {
            try {
                if (!halfway.await(RUN_DEADLINE_SECONDS, TimeUnit.SECONDS)) {
                    return;
                }
                final long revision = acknowledgedRevisionMax.get();
                synchronized (this) {
                    compactionAskedUpTo = Math.max(compactionAskedUpTo, revision);
                }
                KVGrpc.newBlockingStub(channel).withDeadlineAfter(CALL_DEADLINE_SECONDS, TimeUnit.SECONDS)
                    .compact(CompactionRequest.newBuilder().setRevision(revision).build());
            } catch (final StatusRuntimeException e) {
                if (!indeterminate(e) && !e.getStatus().getDescription().contains("compacted")) {
                    compaction.set("compaction: " + e.getStatus());
                }
            } catch (final InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }));
        return new Running(threads, enough, compaction);
    }

    /** The writers of one server lifetime. */
    final class Running {
        private final List<Thread> threads;
        private final CountDownLatch enough;
        private final AtomicReference<String> compaction;

        private Running(final List<Thread> threads, final CountDownLatch enough,
            final AtomicReference<String> compaction) {
            this.threads = threads;
            this.enough = enough;
            this.compaction = compaction;
        }

        /** Waits until enough operations were acknowledged; false if the writers stalled or all stopped. */
        boolean awaitAcknowledgements() throws InterruptedException {
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(RUN_DEADLINE_SECONDS);
            while (!enough.await(100, TimeUnit.MILLISECONDS)) {
                if (System.nanoTime() > deadline || threads.stream().limit(writers.size()).noneMatch(Thread::isAlive)) {
                    return false;
                }
            }
            return true;
        }

        /** Waits for every writer to stop (the server is gone, so each meets an error). */
        void awaitStopped() throws InterruptedException {
            for (final Thread thread : threads) {
                thread.join(TimeUnit.SECONDS.toMillis(RUN_DEADLINE_SECONDS));
                if (thread.isAlive()) {
                    failures.add(thread.getName() + " did not stop " + RUN_DEADLINE_SECONDS
                        + " s after the server went away");
                }
            }
            if (compaction.get() != null) {
                failures.add(compaction.get());
            }
            for (final WriterModel writer : writers) {
                for (final String error : writer.errors) {
                    if (error.startsWith("WRONG")) {
                        failures.add("writer " + writer.writer + ": " + error);
                    }
                }
            }
        }
    }

    private void write(final ManagedChannel channel, final WriterModel writer, final Random random,
        final CountDownLatch enough, final CountDownLatch halfway) {
        final KVGrpc.KVBlockingStub kv = KVGrpc.newBlockingStub(channel);
        final LeaseGrpc.LeaseBlockingStub leases = LeaseGrpc.newBlockingStub(channel);
        while (true) {
            final WriterModel.Op op = writer.next(random);
            final WriterModel.Effect effect = writer.effect(op);
            final String expectedRefusal = switch (op) {
                case WriterModel.Op.Refused refused -> refused.error();
                case WriterModel.Op.Grant grant when !effect.succeeded() -> "etcdserver: lease already exists";
                default -> null;
            };
            writer.inFlight = effect;
            final long revision;
            try {
                revision = send(kv.withDeadlineAfter(CALL_DEADLINE_SECONDS, TimeUnit.SECONDS),
                    leases.withDeadlineAfter(CALL_DEADLINE_SECONDS, TimeUnit.SECONDS), writer, effect);
            } catch (final StatusRuntimeException e) {
                final String description = e.getStatus().getDescription();
                if (expectedRefusal != null && expectedRefusal.equals(description)) {
                    writer.inFlight = null; // refused: no trace, and the model stays
                    continue;
                }
                writer.errors.add((indeterminate(e) ? "" : "WRONG unexpected error: ") + e.getStatus().getCode() + " "
                    + description + " for " + op);
                return; // the last operation stays in flight
            } catch (final WrongAnswer e) {
                writer.errors.add("WRONG " + e.getMessage());
                return;
            }
            if (expectedRefusal != null) {
                writer.errors.add("WRONG accepted at revision " + revision + ", though etcd refuses it: " + op);
                return;
            }
            final String problem = writer.acknowledged(effect, revision);
            if (problem != null) {
                writer.errors.add("WRONG " + problem);
                return;
            }
            acknowledgedRevisionMax.accumulateAndGet(revision, Math::max);
            enough.countDown();
            halfway.countDown();
        }
    }

    /** An answer that contradicts the model. */
    private static final class WrongAnswer extends Exception {
        private static final long serialVersionUID = 1L;

        WrongAnswer(final String message) {
            super(message);
        }
    }

    /** Sends the operation; returns the revision of its answer. */
    private static long send(final KVGrpc.KVBlockingStub kv, final LeaseGrpc.LeaseBlockingStub leases,
        final WriterModel writer, final WriterModel.Effect effect) throws WrongAnswer {
        return switch (effect.op()) {
            case WriterModel.Op.Put put -> kv.put(PutRequest.newBuilder().setKey(bytes(put.key()))
                .setValue(bytes(put.value())).setLease(put.lease()).build()).getHeader().getRevision();
            case WriterModel.Op.Delete delete -> {
                final DeleteRangeResponse response = kv.deleteRange(DeleteRangeRequest.newBuilder()
                    .setKey(bytes(delete.key())).build());
                if (response.getDeleted() != effect.events().size()) {
                    throw new WrongAnswer("deleted " + response.getDeleted() + " keys, expected "
                        + effect.events().size() + ": " + delete);
                }
                yield response.getHeader().getRevision();
            }
            case WriterModel.Op.Cas cas -> {
                final TxnResponse response = kv.txn(TxnRequest.newBuilder()
                    .addCompare(Compare.newBuilder().setKey(bytes(cas.a())).setTarget(Compare.CompareTarget.VERSION)
                        .setResult(Compare.CompareResult.EQUAL).setVersion(cas.version()))
                    .addSuccess(put(cas.a(), cas.tag() + ":" + cas.a()))
                    .addSuccess(put(cas.b(), cas.tag() + ":" + cas.b()))
                    .addSuccess(RequestOp.newBuilder().setRequestDeleteRange(DeleteRangeRequest.newBuilder()
                        .setKey(bytes(cas.c()))))
                    .addFailure(put(cas.d(), cas.tag() + ":" + cas.d()))
                    .build());
                if (response.getSucceeded() != effect.succeeded()) {
                    throw new WrongAnswer("txn took the " + (response.getSucceeded() ? "success" : "failure")
                        + " branch, the model the other: " + cas + " on " + writer.state);
                }
                yield response.getHeader().getRevision();
            }
            case WriterModel.Op.Grant grant -> leases.leaseGrant(LeaseGrantRequest.newBuilder().setID(grant.lease())
                .setTTL(WriterModel.leaseTtlSeconds()).build()).getHeader().getRevision();
            case WriterModel.Op.Revoke revoke -> leases.leaseRevoke(LeaseRevokeRequest.newBuilder()
                .setID(revoke.lease()).build()).getHeader().getRevision();
            case WriterModel.Op.Refused refused -> kv.put(PutRequest.newBuilder().setKey(bytes(refused.key()))
                .setIgnoreValue(refused.ignoreValue()).setLease(refused.lease())
                .setValue(refused.ignoreValue() ? ByteString.EMPTY : bytes("refused")).build()).getHeader().getRevision();
        };
    }

    /** An error a server that went away explains: the operation may or may not have been applied. */
    static boolean indeterminate(final StatusRuntimeException e) {
        final Status.Code code = e.getStatus().getCode();
        return code == Status.Code.UNAVAILABLE || code == Status.Code.DEADLINE_EXCEEDED
            || code == Status.Code.CANCELLED || code == Status.Code.UNKNOWN && e.getCause() != null;
    }

    private static RequestOp put(final String key, final String value) {
        return RequestOp.newBuilder().setRequestPut(PutRequest.newBuilder().setKey(bytes(key)).setValue(bytes(value)))
            .build();
    }

    static ByteString bytes(final String text) {
        return ByteString.copyFromUtf8(text);
    }
}
