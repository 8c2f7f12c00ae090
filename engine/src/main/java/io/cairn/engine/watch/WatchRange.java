package io.cairn.engine.watch;

import java.util.Arrays;

/**
 * The keys a watcher sees, normalised as etcd's watch server does: an empty key is "\0" (the
 * smallest key); an empty range end means the key alone; a range end of "\0" means every key from
 * the key on; otherwise [key, range end).
 */
record WatchRange(byte[] key, byte[] rangeEnd, boolean fromKey) {
    static WatchRange of(final byte[] key, final byte[] rangeEnd) {
        final byte[] start = key.length == 0 ? new byte[] {0} : key;
        final boolean fromKey = rangeEnd.length == 1 && rangeEnd[0] == 0;
        return new WatchRange(start, fromKey ? new byte[0] : rangeEnd, fromKey);
    }

    boolean isSingleKey() {
        return !fromKey && rangeEnd.length == 0;
    }

    /** etcd refuses a range whose end is not above its key ("mvcc: watcher range is empty"). */
    boolean isEmpty() {
        return !fromKey && rangeEnd.length > 0 && Arrays.compareUnsigned(key, rangeEnd) >= 0;
    }

    boolean contains(final byte[] userKey) {
        if (isSingleKey()) {
            return Arrays.equals(key, userKey);
        }
        return Arrays.compareUnsigned(userKey, key) >= 0
            && (fromKey || Arrays.compareUnsigned(userKey, rangeEnd) < 0);
    }
}
