package io.cairn.engine.server;

import io.cairn.etcd.api.etcdserverpb.AlarmMember;
import io.cairn.etcd.api.etcdserverpb.AlarmType;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The cluster's raised alarms (etcd's alarm store): at most one per (member, alarm type). While
 * NOSPACE is raised, writes that would add data are refused until an operator disarms it.
 */
public final class Alarms {
    private final Map<AlarmType, Map<Long, AlarmMember>> byType = new EnumMap<>(AlarmType.class);

    /** Raises the alarm; returns it, or the one already raised for that member and type. */
    public synchronized AlarmMember activate(final long memberId, final AlarmType type) {
        return byType.computeIfAbsent(type, t -> new LinkedHashMap<>())
            .computeIfAbsent(memberId, id -> AlarmMember.newBuilder().setMemberID(id).setAlarm(type).build());
    }

    /** Disarms the alarm; returns it, or null if it was not raised. */
    public synchronized AlarmMember deactivate(final long memberId, final AlarmType type) {
        final Map<Long, AlarmMember> members = byType.get(type);
        return members == null ? null : members.remove(memberId);
    }

    /** Raised alarms of one type, or of every type for NONE. */
    public synchronized List<AlarmMember> get(final AlarmType type) {
        final List<AlarmMember> alarms = new ArrayList<>();
        byType.forEach((t, members) -> {
            if (type == AlarmType.NONE || type == t) {
                alarms.addAll(members.values());
            }
        });
        return alarms;
    }

    public synchronized boolean isRaised(final AlarmType type) {
        final Map<Long, AlarmMember> members = byType.get(type);
        return members != null && !members.isEmpty();
    }
}
