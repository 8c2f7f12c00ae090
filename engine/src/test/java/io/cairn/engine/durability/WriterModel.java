package io.cairn.engine.durability;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * What one writer of a durability workload did and what its keys must hold. A writer owns the
 * keys under its prefix and the leases it names, and waits for each answer before it sends the
 * next operation, so its history is sequential: every operation before the last is acknowledged
 * (applied, at a known revision) or refused (no trace), and the last may be in flight when the
 * server dies (applied whole or not at all). Values are unique ({@code <writer>#<op>:<key>}), so
 * every event in the store names the operation that wrote it.
 */
final class WriterModel {
    static final int KEYS_PER_WRITER = 8;
    private static final long LEASE_TTL_SECONDS = 3_600;

    /** One key as the writer's acknowledged history leaves it. */
    record Kv(String value, long lease, long version) {
    }

    /** One change an operation makes: a put of a value, or a delete (value null). */
    record Event(String key, String value) {
    }

    /** An operation and what applying it to the state before it does. */
    record Effect(Op op, List<Event> events, TreeMap<String, Kv> state, Set<Long> leases, boolean succeeded) {
        boolean changed() {
            return !events.isEmpty();
        }
    }

    /** An acknowledged operation with the revision it was answered with. */
    record Acked(Effect effect, long revision) {
    }

    /** The operations a writer sends. */
    sealed interface Op {
        /** A put (with a lease, or 0). */
        record Put(String key, String value, long lease) implements Op {
        }

        record Delete(String key) implements Op {
        }

        /**
         * A compare-and-swap Txn: if {@code a}'s version is {@code version}, put a and b and delete
         * c; otherwise put d.
         */
        record Cas(String tag, String a, long version, String b, String c, String d) implements Op {
        }

        record Grant(long lease) implements Op {
        }

        /** Revokes a lease: its keys go in one revision. */
        record Revoke(long lease) implements Op {
        }

        /** A put etcd must refuse (ignore_value of a missing key, or an unknown lease): it leaves no trace. */
        record Refused(String key, boolean ignoreValue, long lease, String error) implements Op {
        }
    }

    final int writer;
    final String prefix;
    TreeMap<String, Kv> state = new TreeMap<>();
    Set<Long> leases = new TreeSet<>();
    final List<Acked> acked = new ArrayList<>();
    /** The operation sent and not answered when the server went away; null if none. */
    Effect inFlight;
    /** Errors met, in order; the last one stopped the writer. */
    final List<String> errors = new ArrayList<>();
    private int nextOp;
    private long lastRevision;

    WriterModel(final int writer, final String prefix) {
        this.writer = writer;
        this.prefix = prefix;
    }

    String key(final int i) {
        return prefix + "k" + i;
    }

    /** A random next operation, mostly changes to existing keys (overwrites), with a few refusals. */
    Op next(final Random random) {
        final String tag = prefix + "#" + nextOp++;
        final String key = key(random.nextInt(KEYS_PER_WRITER));
        final int dice = random.nextInt(100);
        if (dice < 35) {
            return new Op.Put(key, tag + ":" + key, 0);
        }
        if (dice < 50) {
            return new Op.Delete(key);
        }
        if (dice < 70) {
            final List<String> picked = distinctKeys(random, 4);
            final Kv a = state.get(picked.get(0));
            final long version = (a == null ? 0 : a.version) + (random.nextInt(4) == 0 ? 1 : 0);
            return new Op.Cas(tag, picked.get(0), version, picked.get(1), picked.get(2), picked.get(3));
        }
        if (dice < 78) {
            return new Op.Grant(leaseId(random.nextInt(4)));
        }
        if (dice < 86 && !leases.isEmpty()) {
            final List<Long> held = List.copyOf(leases);
            return new Op.Put(key, tag + ":" + key, held.get(random.nextInt(held.size())));
        }
        if (dice < 92 && !leases.isEmpty()) {
            final List<Long> held = List.copyOf(leases);
            return new Op.Revoke(held.get(random.nextInt(held.size())));
        }
        if (!state.containsKey(key)) {
            return new Op.Refused(key, true, 0, "etcdserver: key not found");
        }
        return new Op.Refused(key, false, leaseId(7), "etcdserver: requested lease not found");
    }

    /** This writer's lease ids: distinct from every other writer's, and never 0. */
    long leaseId(final int i) {
        return ((long)(writer + 1) << 16) | (i + 1);
    }

    static long leaseTtlSeconds() {
        return LEASE_TTL_SECONDS;
    }

    private List<String> distinctKeys(final Random random, final int count) {
        final List<String> keys = new ArrayList<>();
        while (keys.size() < count) {
            final String key = key(random.nextInt(KEYS_PER_WRITER));
            if (!keys.contains(key)) {
                keys.add(key);
            }
        }
        return keys;
    }

    /** What {@code op} does if applied now, after every acknowledged operation. */
    Effect effect(final Op op) {
        final TreeMap<String, Kv> after = new TreeMap<>(state);
        final Set<Long> leasesAfter = new TreeSet<>(leases);
        final List<Event> events = new ArrayList<>();
        boolean succeeded = true;
        switch (op) {
            case Op.Put put -> put(after, events, put.key(), put.value(), put.lease());
            case Op.Delete delete -> delete(after, events, delete.key());
            case Op.Cas cas -> {
                final Kv a = state.get(cas.a());
                succeeded = (a == null ? 0 : a.version) == cas.version();
                if (succeeded) {
                    put(after, events, cas.a(), cas.tag() + ":" + cas.a(), 0);
                    put(after, events, cas.b(), cas.tag() + ":" + cas.b(), 0);
                    delete(after, events, cas.c());
                } else {
                    put(after, events, cas.d(), cas.tag() + ":" + cas.d(), 0);
                }
            }
            case Op.Grant grant -> succeeded = leasesAfter.add(grant.lease());
            case Op.Revoke revoke -> {
                leasesAfter.remove(revoke.lease());
                for (final Map.Entry<String, Kv> kv : state.entrySet()) {
                    if (kv.getValue().lease == revoke.lease()) {
                        delete(after, events, kv.getKey());
                    }
                }
            }
            case Op.Refused refused -> succeeded = false;
        }
        events.sort(Comparator.comparing(Event::key));
        return new Effect(op, List.copyOf(events), after, leasesAfter, succeeded);
    }

    private static void put(final TreeMap<String, Kv> state, final List<Event> events, final String key,
        final String value, final long lease) {
        final Kv previous = state.get(key);
        state.put(key, new Kv(value, lease, previous == null ? 1 : previous.version + 1));
        events.add(new Event(key, value));
    }

    private static void delete(final TreeMap<String, Kv> state, final List<Event> events, final String key) {
        if (state.remove(key) != null) {
            events.add(new Event(key, null));
        }
    }

    /** The operation was acknowledged at {@code revision}: the model moves on. Returns a problem, or null. */
    String acknowledged(final Effect effect, final long revision) {
        if (effect.changed() && revision <= lastRevision) {
            return "revision " + revision + " of " + effect.op() + " is not above this writer's last, " + lastRevision;
        }
        if (effect.changed()) {
            lastRevision = revision;
        }
        state = effect.state();
        leases = effect.leases();
        acked.add(new Acked(effect, revision));
        inFlight = null;
        return null;
    }

    /** After a restart: whether the in-flight operation was applied decides the state from here on. */
    void settleInFlight(final boolean applied, final long revision) {
        if (inFlight != null && applied) {
            acknowledged(inFlight, revision);
        }
        inFlight = null;
    }
}
