package io.cairn.chaos.check;

import java.util.Objects;

/**
 * A put attached to a lease: its key, value and revision ({@link KvWrite#NO_REVISION} when the
 * put's answer never came, so only the value names it).
 */
public record LeasedKey(String key, String value, long revision) {
    public LeasedKey {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(value, "value");
    }
}
