package io.cairn.engine.lease;

import io.cairn.engine.api.EtcdError;
import io.cairn.engine.api.EtcdException;
import io.cairn.engine.backend.BackendCursor;
import io.cairn.engine.backend.BackendReader;
import io.cairn.engine.backend.BackendWriter;
import io.cairn.engine.backend.Bucket;
import io.cairn.engine.mvcc.LeaseLookup;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * The leases: which exist (the applied log decides: grant, revoke, checkpoint, each persisted in
 * the same backend transaction as the rest of its entry) and when each expires (this member's
 * clock; only the leader acts on it, by proposing a revoke). Keep-alives renew here without going
 * through the log, as in etcd; checkpoints carry the remaining TTLs into the log so a restart
 * resumes them instead of granting every lease its full TTL again.
 *
 * <p>Threads: the apply thread changes the set; gRPC threads renew and read; the Raft loop asks
 * for expired leases and due checkpoints. All through this object's monitor; each call is short.
 */
public final class Lessor implements LeaseLookup {
    /** etcd's MaxLeaseTTL: a larger TTL is refused. */
    public static final long TTL_MAX_SECONDS = 9_000_000_000L;
    /** A revoke proposed for an expired lease is proposed again if the lease is still there by then. */
    static final long REVOKE_RETRY_NANOS = TimeUnit.SECONDS.toNanos(3);

    private static final long NANOS_PER_SECOND = TimeUnit.SECONDS.toNanos(1);
    private static final long NOT_PROPOSED = Long.MIN_VALUE;

    /** One lease in memory. */
    private static final class Lease {
        final long id;
        final long ttlSeconds;
        long expiresAtNanos;
        long persistedRemainingSeconds;
        long lastCheckpointNanos;
        long revokeProposedAtNanos = NOT_PROPOSED;

        Lease(final long id, final long ttlSeconds) {
            this.id = id;
            this.ttlSeconds = ttlSeconds;
        }
    }

    /** What LeaseTimeToLive reports: seconds left (truncated, as etcd) and the granted TTL. */
    public record TimeToLive(long remainingSeconds, long grantedSeconds) {
    }

    /** A remaining TTL to persist through the log (0 clears an earlier one). */
    public record Checkpoint(long id, long remainingSeconds) {
    }

    private final LongSupplier clockNanos;
    private final long minTtlSeconds;
    private final Map<Long, Lease> leases = new HashMap<>();
    /** Renewed leases with a checkpoint to clear; a set, so at most one entry per lease. */
    private final Set<Long> renewedSinceCheckpoint = new LinkedHashSet<>();
    /**
     * While an applied batch is open: how to undo each of its changes, oldest first. The batch's
     * backend transaction may abort (a disk error, or a command refused after it wrote), and then
     * the leases in memory must be those of the last commit again.
     */
    private final ArrayDeque<Runnable> batchUndo = new ArrayDeque<>();
    private boolean batchOpen;

    private Lessor(final LongSupplier clockNanos, final long minTtlSeconds) {
        this.clockNanos = clockNanos;
        this.minTtlSeconds = minTtlSeconds;
    }

    /**
     * The leases persisted in {@code backend}; each expires after its checkpointed remaining TTL, or
     * its full TTL when it has none.
     */
    public static Lessor load(final BackendReader backend, final long minTtlSeconds, final LongSupplier clockNanos) {
        final Lessor lessor = new Lessor(clockNanos, minTtlSeconds);
        lessor.reload(backend);
        return lessor;
    }

    /**
     * Forgets every lease and takes those persisted in {@code backend} instead (a snapshot from the
     * leader replaced the backend's contents); each gets its checkpointed or full TTL from now.
     */
    public synchronized void reload(final BackendReader backend) {
        if (batchOpen) {
            throw new IllegalStateException("reload inside an applied batch");
        }
        leases.clear();
        renewedSinceCheckpoint.clear();
        final long now = clockNanos.getAsLong();
        final BackendCursor cursor = backend.cursor(Bucket.LEASE);
        for (boolean valid = cursor.seek(new byte[0]); valid; valid = cursor.next()) {
            final LeaseRecord record = LeaseRecord.decode(cursor.key(), cursor.value());
            final Lease lease = new Lease(record.id(), record.ttlSeconds());
            lease.persistedRemainingSeconds = record.remainingTtlSeconds();
            final long lifeSeconds = record.remainingTtlSeconds() > 0 ? record.remainingTtlSeconds() : record.ttlSeconds();
            lease.expiresAtNanos = now + lifeSeconds * NANOS_PER_SECOND;
            lease.lastCheckpointNanos = now;
            leases.put(lease.id, lease);
        }
    }

    /**
     * etcd's shortest lease: one and a half election timeouts, in whole heartbeats, rounded up to
     * seconds (2 s with etcd's default 100 ms heartbeat and 1 s election timeout).
     */
    public static long minTtlSeconds(final long heartbeatMillis, final long electionTimeoutMillis) {
        final long electionTicks = electionTimeoutMillis / heartbeatMillis;
        final long millis = 3 * electionTicks / 2 * heartbeatMillis;
        return (millis + 999) / 1000;
    }

    // The applied log's changes (apply thread).

    /** The applier's batch begins: changes from here on can be rolled back until it commits. */
    public synchronized void beginBatch() {
        batchUndo.clear();
        batchOpen = true;
    }

    /** The batch's backend transaction committed: its changes stand. */
    public synchronized void commitBatch() {
        batchUndo.clear();
        batchOpen = false;
    }

    /** The batch's backend transaction aborted: undoes its changes, newest first. */
    public synchronized void rollbackBatch() {
        while (!batchUndo.isEmpty()) {
            batchUndo.pollLast().run();
        }
        batchOpen = false;
    }

    private void recordUndo(final Runnable undo) {
        if (batchOpen) {
            batchUndo.add(undo);
        }
    }

    /** Grants lease {@code id}; returns its TTL, raised to the minimum as etcd does. */
    public synchronized long grant(final BackendWriter backend, final long id, final long ttlSeconds) {
        if (id == 0) {
            throw new EtcdException(EtcdError.LEASE_NOT_FOUND);
        }
        if (ttlSeconds > TTL_MAX_SECONDS) {
            throw new EtcdException(EtcdError.LEASE_TTL_TOO_LARGE);
        }
        if (leases.containsKey(id)) {
            throw new EtcdException(EtcdError.LEASE_EXISTS);
        }
        final Lease lease = new Lease(id, Math.max(ttlSeconds, minTtlSeconds));
        final long now = clockNanos.getAsLong();
        lease.expiresAtNanos = now + lease.ttlSeconds * NANOS_PER_SECOND;
        lease.lastCheckpointNanos = now;
        leases.put(id, lease);
        recordUndo(() -> leases.remove(id));
        persist(backend, new LeaseRecord(id, lease.ttlSeconds, 0));
        return lease.ttlSeconds;
    }

    /** Drops lease {@code id} (its keys are the caller's to delete, in the same transaction). */
    public synchronized void revoke(final BackendWriter backend, final long id) {
        final Lease revoked = leases.remove(id);
        if (revoked == null) {
            throw new EtcdException(EtcdError.LEASE_NOT_FOUND);
        }
        recordUndo(() -> leases.put(id, revoked));
        backend.delete(Bucket.LEASE, LeaseRecord.idKey(id));
    }

    /** Persists remaining TTLs; a lease revoked meanwhile is skipped. */
    public synchronized void checkpoint(final BackendWriter backend, final List<Checkpoint> checkpoints) {
        for (final Checkpoint checkpoint : checkpoints) {
            final Lease lease = leases.get(checkpoint.id());
            if (lease != null) {
                final long persistedBefore = lease.persistedRemainingSeconds;
                recordUndo(() -> lease.persistedRemainingSeconds = persistedBefore);
                lease.persistedRemainingSeconds = checkpoint.remainingSeconds();
                persist(backend, new LeaseRecord(lease.id, lease.ttlSeconds, checkpoint.remainingSeconds()));
            }
        }
    }

    private static void persist(final BackendWriter backend, final LeaseRecord record) {
        backend.put(Bucket.LEASE, record.key(), record.value());
    }

    @Override
    public synchronized boolean exists(final long leaseId) {
        return leases.containsKey(leaseId);
    }

    // Clients (gRPC threads).

    /** Restarts the lease's TTL; returns it, or -1 if the lease does not exist or has expired. */
    public synchronized long renew(final long id) {
        return alive(id) ? renewApplied(id) : -1;
    }

    /** Whether the lease exists and its TTL has not run out by this member's clock. */
    public synchronized boolean alive(final long id) {
        final Lease lease = leases.get(id);
        return lease != null && lease.expiresAtNanos - clockNanos.getAsLong() > 0;
    }

    /**
     * A keep-alive as the log applies it, on every member: the lease's TTL restarts if the lease
     * still exists (it is gone only once its revoke is applied, so every member decides alike);
     * returns the TTL, or -1 if there is no such lease.
     */
    public synchronized long renewApplied(final long id) {
        final Lease lease = leases.get(id);
        if (lease == null) {
            return -1;
        }
        lease.expiresAtNanos = clockNanos.getAsLong() + lease.ttlSeconds * NANOS_PER_SECOND;
        if (lease.persistedRemainingSeconds > 0) {
            renewedSinceCheckpoint.add(id);
        }
        return lease.ttlSeconds;
    }

    /**
     * This member became the leader (etcd's Promote): every lease gets its full remaining TTL (the
     * checkpointed one, or its TTL) plus {@code extendNanos}, the election timeout, from now, so a
     * keep-alive lost while there was no leader does not cost a client its lease.
     */
    public synchronized void promote(final long extendNanos) {
        final long now = clockNanos.getAsLong();
        for (final Lease lease : leases.values()) {
            final long lifeSeconds = lease.persistedRemainingSeconds > 0 ? lease.persistedRemainingSeconds
                : lease.ttlSeconds;
            lease.expiresAtNanos = Math.max(lease.expiresAtNanos, now + lifeSeconds * NANOS_PER_SECOND + extendNanos);
        }
    }

    /** Null if the lease does not exist. */
    public synchronized TimeToLive timeToLive(final long id) {
        final Lease lease = leases.get(id);
        if (lease == null) {
            return null;
        }
        final long remainingNanos = Math.max(0, lease.expiresAtNanos - clockNanos.getAsLong());
        return new TimeToLive(remainingNanos / NANOS_PER_SECOND, lease.ttlSeconds);
    }

    /** Every lease id, soonest expiry first (etcd's order for LeaseLeases). */
    public synchronized List<Long> idsByExpiry() {
        return leases.values().stream().sorted(Comparator.comparingLong(l -> l.expiresAtNanos)).map(l -> l.id)
            .toList();
    }

    // The leader's duties (Raft loop).

    /**
     * Up to {@code max} expired leases to revoke, each at most once per {@link #REVOKE_RETRY_NANOS}
     * (the revoke is in flight meanwhile).
     */
    public synchronized List<Long> expiredToRevoke(final int max) {
        final long now = clockNanos.getAsLong();
        final List<Long> expired = new ArrayList<>();
        for (final Lease lease : leases.values()) {
            if (expired.size() >= max) {
                break;
            }
            final boolean retryDue = lease.revokeProposedAtNanos == NOT_PROPOSED
                || now - lease.revokeProposedAtNanos >= REVOKE_RETRY_NANOS;
            if (lease.expiresAtNanos - now <= 0 && retryDue) {
                lease.revokeProposedAtNanos = now;
                expired.add(lease.id);
            }
        }
        return expired;
    }

    /**
     * Up to {@code max} remaining TTLs to persist: leases not checkpointed for {@code intervalNanos}
     * whose remaining TTL is shorter than their TTL, and renewed leases whose old checkpoint must be
     * cleared (etcd's rule, which bounds checkpoint entries to two per lease and interval).
     */
    public synchronized List<Checkpoint> checkpointsDue(final long intervalNanos, final int max) {
        final long now = clockNanos.getAsLong();
        final List<Checkpoint> due = new ArrayList<>();
        for (final Iterator<Long> renewed = renewedSinceCheckpoint.iterator(); renewed.hasNext() && due.size() < max;) {
            final Lease lease = leases.get(renewed.next());
            renewed.remove();
            if (lease != null && lease.persistedRemainingSeconds > 0) {
                due.add(new Checkpoint(lease.id, 0));
            }
        }
        for (final Lease lease : leases.values()) {
            if (due.size() >= max) {
                break;
            }
            final long remainingSeconds = Math.max(0, lease.expiresAtNanos - now) / NANOS_PER_SECOND;
            if (now - lease.lastCheckpointNanos >= intervalNanos && remainingSeconds > 0
                && remainingSeconds < lease.ttlSeconds) {
                lease.lastCheckpointNanos = now;
                due.add(new Checkpoint(lease.id, remainingSeconds));
            }
        }
        return due;
    }
}
