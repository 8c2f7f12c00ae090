package io.cairn.engine.durability;

import io.cairn.engine.testing.WatchStreamClient;
import io.cairn.etcd.api.etcdserverpb.KVGrpc;
import io.cairn.etcd.api.etcdserverpb.LeaseGrpc;
import io.cairn.etcd.api.etcdserverpb.LeaseLeasesRequest;
import io.cairn.etcd.api.etcdserverpb.RangeRequest;
import io.cairn.etcd.api.etcdserverpb.RangeResponse;
import io.cairn.etcd.api.etcdserverpb.WatchCreateRequest;
import io.cairn.etcd.api.etcdserverpb.WatchResponse;
import io.cairn.etcd.api.mvccpb.Event;
import io.cairn.etcd.api.mvccpb.KeyValue;
import io.grpc.ManagedChannel;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;

/**
 * Checks a restarted server against the workload that ran before its crash:
 * <ul>
 * <li>the history since the last compaction, read with a watch, has every revision, each made by
 *     exactly one operation whose events are all there (a Txn is atomic) and never twice;</li>
 * <li>every acknowledged operation above the compaction is found at the revision it was answered
 *     with; a refused one nowhere;</li>
 * <li>each writer's keys and leases are exactly its acknowledged history's, plus its operation in
 *     flight if (and only if) the history shows it applied.</li>
 * </ul>
 * Then it settles each writer's in-flight operation, so the workload can go on.
 */
final class RecoveryCheck {
    private static final long CALL_SECONDS = 30;

    private RecoveryCheck() {
    }

    /** Returns the problems found; empty if the server kept everything it acknowledged and nothing else. */
    static List<String> check(final ManagedChannel channel, final DurabilityWorkload workload) throws InterruptedException {
        final List<String> problems = new ArrayList<>();
        final KVGrpc.KVBlockingStub kv = KVGrpc.newBlockingStub(channel);
        final long current = kv.withDeadlineAfter(CALL_SECONDS, TimeUnit.SECONDS)
            .range(RangeRequest.newBuilder().setKey(DurabilityWorkload.bytes("w")).build()).getHeader().getRevision();
        // Revision 1 is the empty store's: the first change makes revision 2.
        final long from = Math.max(2, workload.compactionAskedUpTo + 1);
        final TreeMap<Long, List<WriterModel.Event>> history = readHistory(channel, from, current, problems);

        // Which writer made each revision, and was it an acknowledged operation or the one in flight?
        final Map<WriterModel, Long> inFlightAppliedAt = new HashMap<>();
        final Map<Long, WriterModel.Acked> ackedByRevision = new HashMap<>();
        for (final WriterModel writer : workload.writers) {
            for (final WriterModel.Acked acked : writer.acked) {
                if (acked.effect().changed()) {
                    final WriterModel.Acked twice = ackedByRevision.put(acked.revision(), acked);
                    if (twice != null) {
                        problems.add("revision " + acked.revision() + " acknowledged twice: " + twice.effect().op()
                            + " and " + acked.effect().op());
                    }
                }
            }
        }
        for (long revision = from; revision <= current; revision++) {
            final List<WriterModel.Event> events = history.getOrDefault(revision, List.of());
            if (events.isEmpty()) {
                problems.add("revision " + revision + " of " + current + " has no events: a revision is missing");
                continue;
            }
            final WriterModel.Acked acked = ackedByRevision.remove(revision);
            if (acked != null) {
                if (!acked.effect().events().equals(events)) {
                    problems.add("revision " + revision + " holds " + events + ", but it acknowledged "
                        + acked.effect().op() + " with " + acked.effect().events());
                }
                continue;
            }
            final WriterModel writer = writerOf(workload, events.getFirst().key());
            if (writer != null && writer.inFlight != null && !inFlightAppliedAt.containsKey(writer)
                && writer.inFlight.events().equals(events)) {
                inFlightAppliedAt.put(writer, revision);
                continue;
            }
            problems.add("revision " + revision + " holds " + events + ", which no acknowledged or in-flight "
                + "operation makes (refused, or applied twice?)");
        }
        for (final WriterModel.Acked lost : ackedByRevision.values()) {
            if (lost.revision() >= from) {
                problems.add("acknowledged " + lost.effect().op() + " at revision " + lost.revision() + " is lost");
            }
        }

        for (final WriterModel writer : workload.writers) {
            final boolean applied = inFlightAppliedAt.containsKey(writer);
            checkKeys(kv, writer, applied, problems);
        }
        checkLeases(channel, workload, inFlightAppliedAt, problems);
        for (final WriterModel writer : workload.writers) {
            writer.settleInFlight(inFlightAppliedAt.containsKey(writer), inFlightAppliedAt.getOrDefault(writer, 0L));
            writer.errors.clear();
        }
        return problems;
    }

    private static WriterModel writerOf(final DurabilityWorkload workload, final String key) {
        for (final WriterModel writer : workload.writers) {
            if (key.startsWith(writer.prefix)) {
                return writer;
            }
        }
        return null;
    }

    /** The writer's keys now: its model's, or (if applied) those after its in-flight operation. */
    private static void checkKeys(final KVGrpc.KVBlockingStub kv, final WriterModel writer, final boolean inFlightApplied,
        final List<String> problems) {
        final RangeResponse range = kv.withDeadlineAfter(CALL_SECONDS, TimeUnit.SECONDS).range(RangeRequest.newBuilder()
            .setKey(DurabilityWorkload.bytes(writer.prefix)).setRangeEnd(DurabilityWorkload.bytes(prefixEnd(writer.prefix)))
            .build());
        final TreeMap<String, WriterModel.Kv> actual = new TreeMap<>();
        for (final KeyValue k : range.getKvsList()) {
            actual.put(k.getKey().toStringUtf8(), new WriterModel.Kv(k.getValue().toStringUtf8(), k.getLease(), k.getVersion()));
        }
        final TreeMap<String, WriterModel.Kv> expected = inFlightApplied ? writer.inFlight.state() : writer.state;
        if (!expected.equals(actual)) {
            problems.add("writer " + writer.writer + "'s keys are " + actual + ", expected " + expected
                + (writer.inFlight == null ? "" : " (in flight: " + writer.inFlight.op() + ", applied: "
                + inFlightApplied + ")"));
        }
    }

    /** The end of the range of keys that start with {@code prefix} (its last character plus one). */
    private static String prefixEnd(final String prefix) {
        final char last = prefix.charAt(prefix.length() - 1);
        return prefix.substring(0, prefix.length() - 1) + (char)(last + 1);
    }

    /**
     * Leases leave no event, so a grant or revoke in flight is settled by the lease list: the
     * list must be every writer's leases, with each in-flight lease change applied or not.
     */
    private static void checkLeases(final ManagedChannel channel, final DurabilityWorkload workload,
        final Map<WriterModel, Long> inFlightAppliedAt, final List<String> problems) {
        final Set<Long> actual = new TreeSet<>();
        LeaseGrpc.newBlockingStub(channel).withDeadlineAfter(CALL_SECONDS, TimeUnit.SECONDS)
            .leaseLeases(LeaseLeasesRequest.getDefaultInstance()).getLeasesList().forEach(l -> actual.add(l.getID()));
        for (final WriterModel writer : workload.writers) {
            final Set<Long> mine = new TreeSet<>();
            for (final long id : actual) {
                if (id >>> 16 == writer.writer + 1) {
                    mine.add(id);
                }
            }
            final boolean leaseInFlight = writer.inFlight != null && !writer.inFlight.changed()
                && (writer.inFlight.op() instanceof WriterModel.Op.Grant || writer.inFlight.op() instanceof WriterModel.Op.Revoke);
            if (mine.equals(writer.leases)) {
                continue;
            }
            if ((inFlightAppliedAt.containsKey(writer) || leaseInFlight) && mine.equals(writer.inFlight.leases())) {
                if (leaseInFlight) {
                    inFlightAppliedAt.put(writer, 0L); // a grant, or a revoke of a lease without keys: no revision
                }
                continue;
            }
            problems.add("writer " + writer.writer + "'s leases are " + mine + ", expected " + writer.leases
                + (writer.inFlight == null ? "" : " (in flight: " + writer.inFlight.op() + ")"));
        }
    }

    /** Every event from revision {@code from} through {@code current}, by revision, each revision's sorted by key. */
    private static TreeMap<Long, List<WriterModel.Event>> readHistory(final ManagedChannel channel, final long from,
        final long current, final List<String> problems) throws InterruptedException {
        final TreeMap<Long, List<WriterModel.Event>> history = new TreeMap<>();
        if (from > current) {
            return history;
        }
        try (WatchStreamClient watch = WatchStreamClient.open(channel)) {
            watch.create(WatchCreateRequest.newBuilder().setKey(DurabilityWorkload.bytes("\0"))
                .setRangeEnd(DurabilityWorkload.bytes("\0")).setStartRevision(from));
            long through = from - 1;
            while (through < current) {
                final WatchResponse response = watch.take();
                if (response.getCanceled()) {
                    problems.add("the watch from revision " + from + " was cancelled: " + response.getCancelReason()
                        + " (compact revision " + response.getCompactRevision() + ")");
                    break;
                }
                for (final Event event : response.getEventsList()) {
                    final KeyValue k = event.getKv();
                    history.computeIfAbsent(k.getModRevision(), r -> new ArrayList<>()).add(new WriterModel.Event(
                        k.getKey().toStringUtf8(),
                        event.getType() == Event.EventType.DELETE ? null : k.getValue().toStringUtf8()));
                    through = Math.max(through, k.getModRevision());
                }
            }
        }
        history.values().forEach(events -> events.sort(Comparator.comparing(WriterModel.Event::key)));
        return history;
    }
}
