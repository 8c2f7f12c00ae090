package io.cairn.chaos.check;

import java.util.Objects;

/** A key's value and mod_revision as a member holds it. */
public record Stored(String value, long modRevision) {
    public Stored {
        Objects.requireNonNull(value, "value");
    }

    @Override
    public String toString() {
        return value + "@" + modRevision;
    }
}
