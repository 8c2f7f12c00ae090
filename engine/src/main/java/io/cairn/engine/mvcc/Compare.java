package io.cairn.engine.mvcc;

import java.util.Arrays;

/** One Txn guard (etcd Compare): every key in the range must satisfy it. */
public record Compare(KeyRange range, Target target, Result result, long number, byte[] value) {
    /** OTHER: a value etcd does not define; etcd then compares as equal. */
    public enum Target { VERSION, CREATE, MOD, VALUE, LEASE, OTHER }

    /** OTHER: a value etcd does not define; etcd then lets the compare pass. */
    public enum Result { EQUAL, GREATER, LESS, NOT_EQUAL, OTHER }

    /** etcd's rule for one key; a missing key compares as all zeros (and never matches on VALUE). */
    boolean holdsFor(final KeyValue kv) {
        final int order = switch (target) {
            case VERSION -> Long.compare(kv.version(), number);
            case CREATE -> Long.compare(kv.createRevision(), number);
            case MOD -> Long.compare(kv.modRevision(), number);
            case LEASE -> Long.compare(kv.lease(), number);
            case VALUE -> Arrays.compareUnsigned(kv.value(), value);
            case OTHER -> 0;
        };
        return switch (result) {
            case EQUAL -> order == 0;
            case NOT_EQUAL -> order != 0;
            case GREATER -> order > 0;
            case LESS -> order < 0;
            case OTHER -> true;
        };
    }
}
