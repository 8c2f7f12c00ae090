package io.cairn.chaos.check;

import java.util.Objects;

/** What a watch covers: one key, or every key starting with a prefix. */
public record KeyRange(String key, boolean prefix) {
    public KeyRange {
        Objects.requireNonNull(key, "key");
    }

    public static KeyRange key(final String key) {
        return new KeyRange(key, false);
    }

    public static KeyRange prefix(final String prefix) {
        return new KeyRange(prefix, true);
    }

    public boolean matches(final String candidate) {
        return prefix ? candidate.startsWith(key) : candidate.equals(key);
    }

    @Override
    public String toString() {
        return prefix ? key + "*" : key;
    }
}
