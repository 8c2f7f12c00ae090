package io.cairn.engine.cluster;

/**
 * A raised alarm: one member's, of one kind (etcd's AlarmMember). Alarms are cluster state: raised
 * and disarmed through the log, so every member lists the same ones.
 */
public record Alarm(long memberId, Kind kind) {
    /** etcd's alarm types, with their codes on disk and in the log (etcd's AlarmType numbers). */
    public enum Kind {
        NOSPACE(1),
        CORRUPT(2);

        private final int code;

        Kind(final int code) {
            this.code = code;
        }

        public int code() {
            return code;
        }

        public static Kind ofCode(final int code) {
            for (final Kind kind : values()) {
                if (kind.code == code) {
                    return kind;
                }
            }
            throw new IllegalArgumentException("unknown alarm code " + code);
        }
    }
}
