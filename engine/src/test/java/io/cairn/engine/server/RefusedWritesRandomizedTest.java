package io.cairn.engine.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.cairn.engine.Main;
import io.cairn.engine.api.EtcdError;
import io.cairn.engine.config.ServerCommandLine;
import io.cairn.engine.config.ServerConfig;
import io.cairn.engine.node.RaftKeyValueStore;
import io.cairn.chaos.Seeds;
import io.cairn.engine.testing.ServerProcess;
import io.cairn.engine.testing.WatchStreamClient;
import io.cairn.etcd.api.etcdserverpb.Compare;
import io.cairn.etcd.api.etcdserverpb.DeleteRangeRequest;
import io.cairn.etcd.api.etcdserverpb.KVGrpc;
import io.cairn.etcd.api.etcdserverpb.LeaseGrantRequest;
import io.cairn.etcd.api.etcdserverpb.LeaseGrpc;
import io.cairn.etcd.api.etcdserverpb.LeaseLeasesRequest;
import io.cairn.etcd.api.etcdserverpb.LeaseRevokeRequest;
import io.cairn.etcd.api.etcdserverpb.PutRequest;
import io.cairn.etcd.api.etcdserverpb.RangeRequest;
import io.cairn.etcd.api.etcdserverpb.RequestOp;
import io.cairn.etcd.api.etcdserverpb.TxnRequest;
import io.cairn.etcd.api.etcdserverpb.TxnResponse;
import io.cairn.etcd.api.etcdserverpb.WatchCreateRequest;
import io.cairn.etcd.api.mvccpb.Event;
import io.cairn.etcd.api.mvccpb.KeyValue;
import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * Random writes through the real server (gRPC, request checks, Raft, WAL, B+tree), mixing valid
 * operations with refused ones: oversized requests, unknown leases, ignore_value/ignore_lease puts
 * of missing keys, values and leases given where they must not be, duplicate keys. A model of
 * etcd 3.4's rules predicts every answer; afterwards the whole history is checked against it:
 * every revision's keys, the lease list, and a watch from revision 1 (a refused write must leave
 * no key, no revision and no event behind).
 *
 * <p>The seed is printed; replay one with {@code -Dcairn.refused.seed=<seed>}.
 */
class RefusedWritesRandomizedTest {
    private static final int MAX_REQUEST_BYTES = 4_096;
    private static final int SEEDS = 3;
    private static final int OPERATIONS_PER_SEED = 400;
    private static final List<String> KEYS = List.of("k0", "k1", "k2", "k3", "k4", "k5", "k6", "k7");
    /** A request this far under the limit is never too large (etcd's header is at most 14 bytes, plus 4 of wrapping). */
    private static final int SURELY_FITS_MARGIN_BYTES = 32;

    @Test
    void refusedWritesLeaveNoTrace() throws Exception {
        Seeds.run("cairn.refused.seed", SEEDS, RefusedWritesRandomizedTest::run);
    }

    private static void run(final long seed) throws Exception {
        final Path dir = Files.createTempDirectory("cairn-refused");
        final int port = ServerProcess.freePort();
        final String url = "http://127.0.0.1:" + port;
        final ServerConfig config = ((ServerCommandLine.Outcome.Run)ServerCommandLine.parse(List.of(
            "--data-dir", dir.toString(), "--listen-client-urls", url, "--advertise-client-urls", url,
            "--max-request-bytes", Integer.toString(MAX_REQUEST_BYTES)), Map.of(), "test", warning -> { }))
            .config();
        final RaftKeyValueStore store = RaftKeyValueStore.open(config.storage().dataDir(), config.storage().walDir(),
            Main.memberOptions(config));
        final CairnServer server = CairnServer.start(config, store);
        final ManagedChannel channel = NettyChannelBuilder.forAddress("127.0.0.1", port).usePlaintext().build();
        try {
            final Model model = new Model();
            final Random random = new Random(seed);
            final KVGrpc.KVBlockingStub kv = KVGrpc.newBlockingStub(channel);
            final LeaseGrpc.LeaseBlockingStub leases = LeaseGrpc.newBlockingStub(channel);
            for (int op = 0; op < OPERATIONS_PER_SEED; op++) {
                step(random, model, kv, leases, op);
            }
            checkHistory(kv, model);
            assertEquals(model.leases, new HashSet<>(leases.leaseLeases(LeaseLeasesRequest.getDefaultInstance())
                .getLeasesList().stream().map(l -> l.getID()).toList()), "leases");
            checkWatch(channel, model);
        } finally {
            channel.shutdownNow();
            server.close();
            store.close();
            ServerProcess.deleteRecursively(dir);
        }
    }

    private static void step(final Random random, final Model model, final KVGrpc.KVBlockingStub kv,
        final LeaseGrpc.LeaseBlockingStub leases, final int op) {
        final int dice = random.nextInt(100);
        if (dice < 6) {
            final long id = 1000 + random.nextInt(20);
            final String expected = model.leases.contains(id) ? EtcdError.LEASE_EXISTS.message() : "ok";
            final String actual = outcome(() -> leases.leaseGrant(LeaseGrantRequest.newBuilder().setID(id).setTTL(600)
                .build()));
            assertEquals(expected, actual, "op " + op + ": grant " + id);
            if (expected.equals("ok")) {
                model.leases.add(id);
            }
        } else if (dice < 10) {
            final long id = 1000 + random.nextInt(20);
            final String expected = model.leases.contains(id) ? "ok" : EtcdError.LEASE_NOT_FOUND.message();
            final String actual = outcome(() -> leases.leaseRevoke(LeaseRevokeRequest.newBuilder().setID(id).build()));
            assertEquals(expected, actual, "op " + op + ": revoke " + id);
            if (expected.equals("ok")) {
                model.revoke(id);
            }
        } else if (dice < 25) {
            final PutRequest put = randomPut(random, model);
            final Prediction predicted = model.predictPut(put);
            final String actual = outcome(() -> kv.put(put).getHeader().getRevision());
            model.settle("op " + op + ": " + describe(put), predicted, actual);
        } else {
            final TxnRequest txn = randomTxn(random, model);
            final Prediction predicted = model.predictTxn(txn);
            final String actual = outcome(() -> {
                final TxnResponse response = kv.txn(txn);
                return response.getSucceeded() + "@" + response.getHeader().getRevision();
            });
            model.settle("op " + op + ": txn of " + txn.getSerializedSize() + " bytes " + txn, predicted, actual);
        }
    }

    private static PutRequest randomPut(final Random random, final Model model) {
        final PutRequest.Builder put = PutRequest.newBuilder().setKey(bytes(KEYS.get(random.nextInt(KEYS.size()))));
        final int flavour = random.nextInt(10);
        if (flavour == 0) {
            put.setIgnoreValue(true); // of a key that may be missing
            if (random.nextInt(4) == 0) {
                put.setValue(bytes("v")); // "value is provided"
            }
            if (random.nextBoolean()) {
                put.setLease(1000 + random.nextInt(20)); // a new lease for the kept value, granted or not
            }
        } else if (flavour == 1) {
            put.setIgnoreLease(true);
            if (random.nextInt(4) == 0) {
                put.setLease(1000 + random.nextInt(20)); // "lease is provided"
            }
            put.setValue(randomValue(random));
        } else {
            put.setValue(randomValue(random));
            if (flavour < 4) {
                put.setLease(1000 + random.nextInt(20)); // granted or not
            }
        }
        return put.build();
    }

    /** Mostly small, sometimes near or over the request limit on its own or with a sibling. */
    private static ByteString randomValue(final Random random) {
        final int size = switch (random.nextInt(8)) {
            case 0 -> MAX_REQUEST_BYTES - 40 + random.nextInt(60);
            case 1 -> MAX_REQUEST_BYTES / 2 + random.nextInt(MAX_REQUEST_BYTES / 4);
            default -> random.nextInt(64);
        };
        final byte[] value = new byte[size];
        random.nextBytes(value);
        return ByteString.copyFrom(value);
    }

    private static TxnRequest randomTxn(final Random random, final Model model) {
        final TxnRequest.Builder txn = TxnRequest.newBuilder();
        for (int c = random.nextInt(3); c > 0; c--) {
            final String key = KEYS.get(random.nextInt(KEYS.size()));
            final Model.Kv current = model.state.get(key);
            final long version = current == null ? 0 : current.version;
            txn.addCompare(Compare.newBuilder().setKey(bytes(key)).setTarget(Compare.CompareTarget.VERSION)
                .setResult(Compare.CompareResult.EQUAL).setVersion(random.nextBoolean() ? version : version + 1));
        }
        for (int branch = 0; branch < 2; branch++) {
            for (int n = 1 + random.nextInt(4); n > 0; n--) {
                final RequestOp op = switch (random.nextInt(6)) {
                    case 0 -> RequestOp.newBuilder().setRequestDeleteRange(random.nextBoolean()
                        ? DeleteRangeRequest.newBuilder().setKey(bytes(KEYS.get(random.nextInt(KEYS.size()))))
                        : DeleteRangeRequest.newBuilder().setKey(bytes("k2")).setRangeEnd(bytes("k5"))).build();
                    case 1 -> RequestOp.newBuilder().setRequestRange(RangeRequest.newBuilder().setKey(bytes("k"))
                        .setRangeEnd(bytes("l"))).build();
                    default -> RequestOp.newBuilder().setRequestPut(randomPut(random, model)).build();
                };
                if (branch == 0) {
                    txn.addSuccess(op);
                } else {
                    txn.addFailure(op);
                }
            }
        }
        return txn.build();
    }

    /** What the model expects of a write: an etcd error message, or "ok" with the writes to make. */
    private record Prediction(boolean txn, String error, boolean succeeded, List<RequestOp> chosen,
        int requestBytes) {
    }

    /** etcd 3.4's rules for the writes this test makes, and the history they leave. */
    private static final class Model {
        record Kv(ByteString value, long create, long mod, long version, long lease) {
        }

        /** One event of the history, as a watch from revision 1 reports it. */
        record Change(long revision, String key, boolean delete, ByteString value, long create, long version) {
        }

        final TreeMap<String, Kv> state = new TreeMap<>();
        final Set<Long> leases = new HashSet<>();
        /** history.get(r): the keys at revision r (index 0 unused; revision 1 is the empty start). */
        final List<TreeMap<String, Kv>> history = new ArrayList<>(List.of(new TreeMap<>(), new TreeMap<>()));
        final List<Change> changes = new ArrayList<>();
        long revision = 1;

        /** A plain Put: its checks, then (applying) the lease before the key, as etcd's applier orders them. */
        Prediction predictPut(final PutRequest put) {
            final String checked = checkPutRequest(put);
            if (checked != null) {
                return new Prediction(false, checked, false, List.of(), put.getSerializedSize());
            }
            if (put.getLease() != 0 && !leases.contains(put.getLease())) {
                return new Prediction(false, EtcdError.LEASE_NOT_FOUND.message(), false, List.of(), put.getSerializedSize());
            }
            if ((put.getIgnoreValue() || put.getIgnoreLease()) && !state.containsKey(put.getKey().toStringUtf8())) {
                return new Prediction(false, EtcdError.KEY_NOT_FOUND.message(), false, List.of(), put.getSerializedSize());
            }
            return new Prediction(false, null, true, List.of(RequestOp.newBuilder().setRequestPut(put).build()),
                put.getSerializedSize());
        }

        /** A Txn: shape and duplicate checks, then the chosen branch's puts (key before lease), then its writes. */
        Prediction predictTxn(final TxnRequest txn) {
            for (final List<RequestOp> branch : List.of(txn.getSuccessList(), txn.getFailureList())) {
                for (final RequestOp op : branch) {
                    if (op.hasRequestPut()) {
                        final String checked = checkPutRequest(op.getRequestPut());
                        if (checked != null) {
                            return new Prediction(true, checked, false, List.of(), txn.getSerializedSize());
                        }
                    }
                }
            }
            for (final List<RequestOp> branch : List.of(txn.getSuccessList(), txn.getFailureList())) {
                if (hasDuplicate(branch)) {
                    return new Prediction(true, EtcdError.DUPLICATE_KEY.message(), false, List.of(), txn.getSerializedSize());
                }
            }
            boolean succeeded = true;
            for (final Compare compare : txn.getCompareList()) {
                final Kv kv = state.get(compare.getKey().toStringUtf8());
                succeeded &= (kv == null ? 0 : kv.version) == compare.getVersion();
            }
            final List<RequestOp> chosen = succeeded ? txn.getSuccessList() : txn.getFailureList();
            for (final RequestOp op : chosen) {
                if (!op.hasRequestPut()) {
                    continue;
                }
                final PutRequest put = op.getRequestPut();
                if ((put.getIgnoreValue() || put.getIgnoreLease()) && !state.containsKey(put.getKey().toStringUtf8())) {
                    return new Prediction(true, EtcdError.KEY_NOT_FOUND.message(), false, List.of(), txn.getSerializedSize());
                }
                if (put.getLease() != 0 && !leases.contains(put.getLease())) {
                    return new Prediction(true, EtcdError.LEASE_NOT_FOUND.message(), false, List.of(), txn.getSerializedSize());
                }
            }
            return new Prediction(true, null, succeeded, chosen, txn.getSerializedSize());
        }

        private static String checkPutRequest(final PutRequest put) {
            if (put.getIgnoreValue() && !put.getValue().isEmpty()) {
                return EtcdError.VALUE_PROVIDED.message();
            }
            if (put.getIgnoreLease() && put.getLease() != 0) {
                return EtcdError.LEASE_PROVIDED.message();
            }
            return null;
        }

        /** etcd's checkIntervals for one flat branch: a key put twice, or put inside a deleted range. */
        private static boolean hasDuplicate(final List<RequestOp> branch) {
            final Set<String> puts = new HashSet<>();
            for (final RequestOp op : branch) {
                if (op.hasRequestPut() && !puts.add(op.getRequestPut().getKey().toStringUtf8())) {
                    return true;
                }
            }
            for (final RequestOp op : branch) {
                if (!op.hasRequestDeleteRange()) {
                    continue;
                }
                final DeleteRangeRequest delete = op.getRequestDeleteRange();
                final String from = delete.getKey().toStringUtf8();
                final String to = delete.getRangeEnd().toStringUtf8();
                for (final String put : puts) {
                    if (to.isEmpty() ? put.equals(from) : put.compareTo(from) >= 0 && put.compareTo(to) < 0) {
                        return true;
                    }
                }
            }
            return false;
        }

        /**
         * Checks the server's answer against the prediction and moves the model on. Only the size
         * limit is not predicted exactly (the model does not count etcd's header): a request over
         * the limit must be refused as too large, one well under it must not be, and between the
         * two the server's verdict is taken.
         */
        void settle(final String what, final Prediction predicted, final String actual) {
            final String tooLarge = EtcdError.REQUEST_TOO_LARGE.message();
            final boolean refusedEarlier = predicted.error != null && !predicted.error.equals(EtcdError.LEASE_NOT_FOUND.message())
                && !predicted.error.equals(EtcdError.KEY_NOT_FOUND.message());
            if (!refusedEarlier) {
                if (predicted.requestBytes > MAX_REQUEST_BYTES) {
                    assertEquals(tooLarge, actual, what);
                    return;
                }
                if (actual.equals(tooLarge)) {
                    assertTrue(predicted.requestBytes > MAX_REQUEST_BYTES - SURELY_FITS_MARGIN_BYTES,
                        what + ": refused as too large at " + predicted.requestBytes + " bytes");
                    return;
                }
            }
            if (predicted.error != null) {
                assertEquals(predicted.error, actual, what);
                return;
            }
            final boolean changed = apply(predicted.chosen);
            final String expected = (predicted.txn ? predicted.succeeded + "@" : "") + revision;
            assertEquals(expected, actual, what + (changed ? "" : " (changed nothing)"));
        }

        /** Applies the operations as one revision; whether anything changed. */
        private boolean apply(final List<RequestOp> ops) {
            final long next = revision + 1;
            boolean changed = false;
            for (final RequestOp op : ops) {
                if (op.hasRequestPut()) {
                    final PutRequest put = op.getRequestPut();
                    final String key = put.getKey().toStringUtf8();
                    final Kv previous = state.get(key);
                    final Kv kv = new Kv(put.getIgnoreValue() ? previous.value : put.getValue(),
                        previous == null ? next : previous.create, next, previous == null ? 1 : previous.version + 1,
                        put.getIgnoreLease() ? previous.lease : put.getLease());
                    state.put(key, kv);
                    changes.add(new Change(next, key, false, kv.value, kv.create, kv.version));
                    changed = true;
                } else if (op.hasRequestDeleteRange()) {
                    final DeleteRangeRequest delete = op.getRequestDeleteRange();
                    final String from = delete.getKey().toStringUtf8();
                    final List<String> doomed = delete.getRangeEnd().isEmpty()
                        ? (state.containsKey(from) ? List.of(from) : List.of())
                        : List.copyOf(state.subMap(from, delete.getRangeEnd().toStringUtf8()).keySet());
                    for (final String key : doomed) {
                        state.remove(key);
                        changes.add(new Change(next, key, true, ByteString.EMPTY, 0, 0));
                        changed = true;
                    }
                }
            }
            if (changed) {
                revision = next;
                history.add(new TreeMap<>(state));
            }
            return changed;
        }

        /** A revoke deletes the lease's keys in one revision (if it holds any). */
        void revoke(final long id) {
            leases.remove(id);
            final List<RequestOp> deletes = new ArrayList<>();
            state.forEach((key, kv) -> {
                if (kv.lease == id) {
                    deletes.add(RequestOp.newBuilder().setRequestDeleteRange(DeleteRangeRequest.newBuilder()
                        .setKey(bytes(key))).build());
                }
            });
            apply(deletes);
        }
    }

    private static void checkHistory(final KVGrpc.KVBlockingStub kv, final Model model) {
        for (long revision = 1; revision <= model.revision; revision++) {
            final TreeMap<String, Model.Kv> actual = new TreeMap<>();
            for (final KeyValue k : kv.range(RangeRequest.newBuilder().setKey(bytes("\0")).setRangeEnd(bytes("\0"))
                .setRevision(revision).build()).getKvsList()) {
                actual.put(k.getKey().toStringUtf8(), new Model.Kv(k.getValue(), k.getCreateRevision(),
                    k.getModRevision(), k.getVersion(), k.getLease()));
            }
            assertEquals(model.history.get((int)revision), actual, "keys at revision " + revision);
        }
        assertEquals(model.revision, kv.range(RangeRequest.newBuilder().setKey(bytes("k0")).build()).getHeader()
            .getRevision(), "current revision");
    }

    private static void checkWatch(final ManagedChannel channel, final Model model) throws InterruptedException {
        final List<Model.Change> seen = new ArrayList<>();
        try (WatchStreamClient watch = WatchStreamClient.open(channel)) {
            watch.create(WatchCreateRequest.newBuilder().setKey(bytes("\0")).setRangeEnd(bytes("\0")).setStartRevision(1));
            while (seen.size() < model.changes.size()) {
                for (final Event event : watch.take().getEventsList()) {
                    final KeyValue k = event.getKv();
                    final boolean delete = event.getType() == Event.EventType.DELETE;
                    seen.add(new Model.Change(k.getModRevision(), k.getKey().toStringUtf8(), delete,
                        delete ? ByteString.EMPTY : k.getValue(), k.getCreateRevision(), k.getVersion()));
                }
            }
        }
        assertEquals(model.changes, seen, "the watch from revision 1");
    }

    private static String outcome(final java.util.concurrent.Callable<Object> call) {
        try {
            final Object result = call.call();
            return result instanceof com.google.protobuf.Message ? "ok" : String.valueOf(result);
        } catch (final StatusRuntimeException e) {
            return e.getStatus().getDescription();
        } catch (final Exception e) {
            throw new AssertionError(e);
        }
    }

    private static String describe(final PutRequest put) {
        return "put " + put.getKey().toStringUtf8() + " (" + put.getValue().size() + " bytes, lease " + put.getLease()
            + (put.getIgnoreValue() ? ", ignore_value" : "") + (put.getIgnoreLease() ? ", ignore_lease" : "")
            + ", request " + put.getSerializedSize() + " bytes)";
    }

    private static ByteString bytes(final String text) {
        return ByteString.copyFromUtf8(text);
    }
}
