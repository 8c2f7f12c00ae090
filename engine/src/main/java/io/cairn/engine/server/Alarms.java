package io.cairn.engine.server;

import io.cairn.engine.cluster.Alarm;
import io.cairn.engine.node.KeyValueStore;
import io.cairn.etcd.api.etcdserverpb.AlarmMember;
import io.cairn.etcd.api.etcdserverpb.AlarmType;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The cluster's raised alarms as etcd's API shows them. They are raised and disarmed through the
 * log (etcd's alarm store), so every member lists the same ones and refuses the same writes: while
 * NOSPACE is raised, writes that would add data are refused until an operator disarms it.
 */
public final class Alarms {
    /** How long a write that reached the quota waits for NOSPACE to be applied before it is refused. */
    private static final long RAISE_WAIT_MILLIS = 5_000;

    private final KeyValueStore store;

    public Alarms(final KeyValueStore store) {
        this.store = store;
    }

    /** Raised alarms of one type, or of every type for NONE. */
    public List<AlarmMember> get(final AlarmType type) {
        return store.alarms().stream().filter(alarm -> isOfType(alarm, type)).map(Alarms::toProto).toList();
    }

    /** Checked by every write: no protobuf built for it. */
    public boolean isRaised(final AlarmType type) {
        return store.alarms().stream().anyMatch(alarm -> isOfType(alarm, type));
    }

    private static boolean isOfType(final Alarm alarm, final AlarmType type) {
        return type == AlarmType.NONE || type == protoType(alarm.kind());
    }

    /**
     * Raises ({@code activate}) or disarms an alarm for the whole cluster; completes with it, or
     * with nothing when there was nothing to disarm or no alarm type was given.
     */
    public CompletableFuture<Optional<AlarmMember>> change(final boolean activate, final long memberId,
        final AlarmType type) {
        final Alarm.Kind kind = switch (type) {
            case NOSPACE -> Alarm.Kind.NOSPACE;
            case CORRUPT -> Alarm.Kind.CORRUPT;
            case NONE, UNRECOGNIZED -> null;
        };
        if (kind == null) {
            return CompletableFuture.completedFuture(Optional.empty());
        }
        return store.changeAlarm(activate, new Alarm(memberId, kind)).thenApply(changed -> changed.map(Alarms::toProto));
    }

    /**
     * This member's backend reached its quota: NOSPACE, for the whole cluster. As in etcd, the write
     * that found the quota reached waits for the alarm to be applied before it is refused, so an
     * `alarm list` after the refusal shows it. The wait is bounded; the write is refused either way.
     */
    public void raiseNoSpace(final long memberId) {
        final Alarm noSpace = new Alarm(memberId, Alarm.Kind.NOSPACE);
        if (store.alarms().contains(noSpace)) {
            return; // this member's is raised; another member's does not stand for it
        }
        try {
            store.changeAlarm(true, noSpace).get(RAISE_WAIT_MILLIS, TimeUnit.MILLISECONDS);
        } catch (final ExecutionException | TimeoutException e) {
            // Refused anyway; the alarm may still be applied, or the next refused write raises it.
        } catch (final InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** The alarms once this member has applied everything committed when asked (etcd's Alarm GET goes through Raft). */
    public CompletableFuture<List<AlarmMember>> getLinearizable(final AlarmType type) {
        return store.linearizableRead().thenApply(read -> get(type));
    }

    private static AlarmType protoType(final Alarm.Kind kind) {
        return switch (kind) {
            case NOSPACE -> AlarmType.NOSPACE;
            case CORRUPT -> AlarmType.CORRUPT;
        };
    }

    private static AlarmMember toProto(final Alarm alarm) {
        return AlarmMember.newBuilder().setMemberID(alarm.memberId()).setAlarm(protoType(alarm.kind())).build();
    }
}
