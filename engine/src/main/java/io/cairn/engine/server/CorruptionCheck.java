package io.cairn.engine.server;

import io.cairn.engine.api.EtcdError;
import io.cairn.engine.cluster.Member;
import io.cairn.engine.mvcc.KvHash;
import io.cairn.engine.node.KeyValueStore;
import io.cairn.engine.node.MemberStatus;
import io.cairn.etcd.api.etcdserverpb.AlarmType;
import io.cairn.etcd.api.etcdserverpb.HashKVRequest;
import io.cairn.etcd.api.etcdserverpb.HashKVResponse;
import io.cairn.etcd.api.etcdserverpb.MaintenanceGrpc;
import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * etcd's corruption checks ({@link HashComparison} has the rules). Before serving
 * ({@code --experimental-initial-corrupt-check}), this member's HashKV against each peer's at its
 * revision: a difference refuses the start. Every {@code --experimental-corrupt-check-time} on the
 * leader, the followers' against its own: a difference raises the CORRUPT alarm through the log, for
 * member 0 as etcd 3.4 does (which member is wrong is not known), and CORRUPT refuses writes on
 * every member until an operator disarms it. Peers are asked with Maintenance.HashKV at their client
 * URLs (etcd asks at its peer URLs), over TLS for https URLs ({@link MemberChannels}); a peer that
 * does not answer, or cannot answer at that revision, is skipped with a warning, as in etcd.
 */
public final class CorruptionCheck implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(CorruptionCheck.class.getName());

    private final KeyValueStore store;
    private final Alarms alarms;
    private final long requestTimeoutMillis;
    private final MemberChannels channels;
    /** The periodic check's thread, once started. */
    private ScheduledExecutorService timer;

    public CorruptionCheck(final KeyValueStore store, final Alarms alarms, final Duration requestTimeout,
        final MemberChannels channels) {
        this.store = store;
        this.alarms = alarms;
        this.requestTimeoutMillis = requestTimeout.toMillis();
        this.channels = channels;
    }

    /** The start-up check; throws, naming the differing peers, if one differs. */
    public void checkBeforeServing() throws IOException {
        final long self = store.status().memberId();
        LOG.log(System.Logger.Level.INFO, "starting initial corruption check of member " + Long.toHexString(self)
            + " (timeout " + requestTimeoutMillis + " ms)");
        final HashComparison.Answer local = local(self);
        final List<String> mismatches = HashComparison.initialMismatches(local, peerAnswers(self, local.revision()));
        if (!mismatches.isEmpty()) {
            mismatches.forEach(m -> LOG.log(System.Logger.Level.WARNING, "found different hash values from remote peer: " + m));
            throw new IOException(Long.toHexString(self) + " found data inconsistency with peers");
        }
        LOG.log(System.Logger.Level.INFO, "initial corruption checking passed; no corruption");
    }

    /** Runs the leader's check every {@code interval} (none if zero) until closed. */
    public synchronized void startPeriodic(final Duration interval) {
        if (interval.isZero() || timer != null) {
            return;
        }
        timer = Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().name("cairn-corrupt-check").daemon().factory());
        LOG.log(System.Logger.Level.INFO, "enabled corruption checking every " + interval.toMillis() + " ms");
        timer.scheduleWithFixedDelay(() -> {
            try {
                checkAsLeader();
            } catch (final RuntimeException | IOException | TimeoutException | ExecutionException e) {
                LOG.log(System.Logger.Level.WARNING, "failed to check hash KV: " + e.getMessage());
            } catch (final InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, interval.toMillis(), interval.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** One periodic check, if this member leads; raises CORRUPT on a mismatch. */
    void checkAsLeader() throws IOException, InterruptedException, ExecutionException, TimeoutException {
        final MemberStatus status = store.status();
        if (!status.isLeader()) {
            return;
        }
        final HashComparison.Answer before = local(status.memberId());
        final List<HashComparison.Answer> followers = peerAnswers(status.memberId(), before.revision());
        store.linearizableRead().get(requestTimeoutMillis, TimeUnit.MILLISECONDS);
        final HashComparison.Answer after = local(status.memberId());
        final List<String> mismatches = HashComparison.leaderMismatches(before, after, followers);
        if (!mismatches.isEmpty()) {
            mismatches.forEach(m -> LOG.log(System.Logger.Level.WARNING, "corruption check: " + m));
            LOG.log(System.Logger.Level.ERROR, "raising the CORRUPT alarm: writes are refused on every member until"
                + " it is disarmed (etcdctl alarm disarm) once the member whose data differs is rebuilt");
            alarms.change(true, 0, AlarmType.CORRUPT).get(requestTimeoutMillis, TimeUnit.MILLISECONDS);
        }
        LOG.log(System.Logger.Level.INFO, "finished peer corruption check: " + followers.size() + " peers checked");
    }

    private HashComparison.Answer local(final long self) {
        final KvHash.Result hash = store.hashKv(0);
        return new HashComparison.Answer(self, hash.hash(), hash.revision(), hash.compactRevision());
    }

    /** Every other member's HashKV at {@code revision}, from the first of its client URLs that answers. */
    private List<HashComparison.Answer> peerAnswers(final long self, final long revision) {
        final List<HashComparison.Answer> answers = new ArrayList<>();
        for (final Member member : store.members()) {
            if (member.id() == self) {
                continue;
            }
            for (final String url : member.clientUrls()) {
                final HashKVResponse response = askHashKv(url, member.id(), revision);
                if (response != null) {
                    answers.add(new HashComparison.Answer(member.id(), response.getHash(),
                        response.getHeader().getRevision(), response.getCompactRevision()));
                    break;
                }
            }
        }
        return answers;
    }

    private HashKVResponse askHashKv(final String url, final long memberId, final long revision) {
        final ManagedChannel channel = channels.open(URI.create(url));
        try {
            return MaintenanceGrpc.newBlockingStub(channel).withDeadlineAfter(requestTimeoutMillis, TimeUnit.MILLISECONDS)
                .hashKV(HashKVRequest.newBuilder().setRevision(revision).build());
        } catch (final StatusRuntimeException e) {
            final String description = e.getStatus().getDescription();
            final String why = EtcdError.FUTURE_REVISION.message().equals(description) ? "it is behind (revision "
                + revision + " is in its future)" : EtcdError.COMPACTED.message().equals(description)
                ? "this member is behind (the peer compacted past revision " + revision + ")"
                : e.getStatus().getCode() + (description == null ? "" : ": " + description);
            LOG.log(System.Logger.Level.WARNING, "cannot fetch the hash of member " + Long.toHexString(memberId) + " at "
                + url + ": " + why);
            return null;
        } finally {
            channel.shutdownNow();
        }
    }

    @Override
    public synchronized void close() {
        if (timer != null) {
            timer.shutdownNow();
        }
    }

    /** etcd's request timeout: 5 s plus two election timeouts. */
    public static Duration requestTimeout(final long electionTimeoutMillis) {
        return Duration.ofMillis(5_000 + 2 * electionTimeoutMillis);
    }
}
