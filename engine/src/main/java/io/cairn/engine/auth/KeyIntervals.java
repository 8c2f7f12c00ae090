package io.cairn.engine.auth;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The keys a user may read (or write), as the union of its roles' permissions, and etcd's two
 * questions on it: may one key be touched ({@link #containsKey}), and is a whole range covered
 * ({@link #coversRange}).
 *
 * <p>Bounds compare as etcd's "affine" byte strings: an empty bound is +infinity, wherever it
 * stands, so a permission or request whose range end is "\0" (every key from the start on) reaches
 * past every key. A single-key permission is the interval [key, key + "\0").
 */
final class KeyIntervals {
    private record Interval(byte[] begin, byte[] end) {
        boolean intersects(final Interval other) {
            return compare(begin, other.end) < 0 && compare(other.begin, end) < 0;
        }
    }

    private final List<Interval> intervals; // sorted by begin

    private KeyIntervals(final List<Interval> intervals) {
        this.intervals = intervals;
    }

    static KeyIntervals of(final List<Permission> permissions) {
        final List<Interval> list = new ArrayList<>();
        for (final Permission permission : permissions) {
            list.add(permission.rangeEnd().length == 0 ? point(permission.key())
                : new Interval(permission.key(), withoutOpenEnd(permission.rangeEnd())));
        }
        list.sort((a, b) -> compare(a.begin, b.begin));
        return new KeyIntervals(List.copyOf(list));
    }

    /** Whether some permission takes in {@code key}. */
    boolean containsKey(final byte[] key) {
        final Interval point = point(key);
        for (final Interval interval : intervals) {
            if (interval.intersects(point)) {
                return true;
            }
        }
        return false;
    }

    /**
     * Whether the permissions together cover [key, rangeEnd) without a gap ({@code rangeEnd} "\0":
     * every key from {@code key} on).
     */
    boolean coversRange(final byte[] key, final byte[] rangeEnd) {
        final Interval wanted = new Interval(key, withoutOpenEnd(rangeEnd));
        byte[] minBegin = null;
        byte[] maxEnd = null;
        for (final Interval interval : intervals) {
            if (!interval.intersects(wanted)) {
                continue;
            }
            if (minBegin == null) {
                minBegin = interval.begin;
                maxEnd = interval.end;
                continue;
            }
            if (compare(maxEnd, interval.begin) < 0) {
                return false; // a gap
            }
            if (compare(interval.end, maxEnd) > 0) {
                maxEnd = interval.end;
            }
        }
        return minBegin != null && compare(maxEnd, wanted.end) >= 0 && compare(minBegin, wanted.begin) <= 0;
    }

    private static Interval point(final byte[] key) {
        return new Interval(key, Arrays.copyOf(key, key.length + 1));
    }

    /** "\0" as a range end means no end: the empty (infinite) bound. */
    private static byte[] withoutOpenEnd(final byte[] rangeEnd) {
        return rangeEnd.length == 1 && rangeEnd[0] == 0 ? new byte[0] : rangeEnd;
    }

    /** etcd's BytesAffineComparable: empty is greater than everything else. */
    static int compare(final byte[] a, final byte[] b) {
        if (a.length == 0) {
            return b.length == 0 ? 0 : 1;
        }
        if (b.length == 0) {
            return -1;
        }
        return Arrays.compareUnsigned(a, b);
    }
}
