package io.cairn.engine.server;

import io.cairn.engine.mvcc.KeyRange;
import java.util.Arrays;

/** The key range of every key starting with a prefix (clientv3's WithPrefix). */
final class PrefixRange {
    private static final byte[] ALL_KEYS_FROM = {0};

    private PrefixRange() {
    }

    static KeyRange of(final byte[] prefix) {
        for (int i = prefix.length - 1; i >= 0; i--) {
            if (prefix[i] != (byte)0xFF) {
                final byte[] end = Arrays.copyOf(prefix, i + 1);
                end[i]++;
                return KeyRange.of(prefix, end);
            }
        }
        return KeyRange.of(prefix, ALL_KEYS_FROM); // all 0xFF: every key from the prefix on
    }
}
