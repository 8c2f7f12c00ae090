package io.cairn.chaos.check;

import java.util.Objects;

/** One event as a watch delivered it; a DELETE's value is empty. */
public record WatchEvent(ChangeType type, String key, String value, long modRevision) {
    public WatchEvent {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(value, "value");
    }

    public static WatchEvent put(final String key, final String value, final long modRevision) {
        return new WatchEvent(ChangeType.PUT, key, value, modRevision);
    }

    public static WatchEvent delete(final String key, final long modRevision) {
        return new WatchEvent(ChangeType.DELETE, key, "", modRevision);
    }

    /** Same change as {@code other}: what two watches delivering one revision must agree on. */
    public boolean sameChange(final WatchEvent other) {
        return type == other.type && key.equals(other.key) && value.equals(other.value)
            && modRevision == other.modRevision;
    }

    @Override
    public String toString() {
        return "@" + modRevision + " " + (type == ChangeType.PUT ? "PUT " + key + "=" + value : "DELETE " + key);
    }
}
