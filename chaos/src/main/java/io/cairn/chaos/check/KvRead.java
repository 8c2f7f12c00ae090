package io.cairn.chaos.check;

import java.util.Objects;

/**
 * One answered single-key Range: what {@code member} said {@code key} held.
 *
 * @param value the value seen, or null when the key was absent
 * @param modRevision the value's mod_revision, 0 when absent
 * @param headerRevision the response header's revision: the member's revision the read saw
 */
public record KvRead(long id, String member, String key, Consistency consistency, String value, long modRevision,
                     long headerRevision, Span span) {
    public KvRead {
        Objects.requireNonNull(member, "member");
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(consistency, "consistency");
        Objects.requireNonNull(span, "span");
        if ((value == null) != (modRevision == 0)) {
            throw new IllegalArgumentException("read " + id + ": a value goes with its mod_revision, absence with 0");
        }
        if (!span.answered()) {
            throw new IllegalArgumentException("read " + id + ": an unanswered read shows nothing; leave it out");
        }
    }

    public static KvRead present(final long id, final String member, final String key, final Consistency consistency,
        final String value, final long modRevision, final long headerRevision, final Span span) {
        return new KvRead(id, member, key, consistency, Objects.requireNonNull(value, "value"), modRevision,
            headerRevision, span);
    }

    public static KvRead absent(final long id, final String member, final String key, final Consistency consistency,
        final long headerRevision, final Span span) {
        return new KvRead(id, member, key, consistency, null, 0, headerRevision, span);
    }

    public boolean found() {
        return value != null;
    }
}
