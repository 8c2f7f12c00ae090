package io.cairn.engine.mvcc;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class RevisionKeyTest {
    private record Version(byte[] userKey, long main, long sub) {
    }

    /** etcd's order of versions in our bucket: user key ascending (unsigned bytes), newest first. */
    private static final Comparator<Version> EXPECTED_ORDER = Comparator
        .<Version, byte[]>comparing(Version::userKey, Arrays::compareUnsigned)
        .thenComparing(Version::main, Comparator.reverseOrder())
        .thenComparing(Version::sub, Comparator.reverseOrder());

    @Test
    void encodedOrderIsUserKeyAscendingThenNewestFirst() {
        final long seed = Long.getLong("cairn.seed", System.nanoTime());
        final Random random = new Random(seed);
        final List<Version> versions = new ArrayList<>();
        for (int i = 0; i < 5_000; i++) {
            // Tiny alphabet with 0x00 and 0xFF so that prefixes, escapes and ties are common.
            final byte[] key = new byte[1 + random.nextInt(4)];
            for (int k = 0; k < key.length; k++) {
                key[k] = new byte[] {0x00, 0x01, (byte)0xFF, 'a'}[random.nextInt(4)];
            }
            final long main = random.nextInt(4) == 0 ? Long.MAX_VALUE - random.nextInt(3) : random.nextInt(50);
            versions.add(new Version(key, main, random.nextInt(3)));
        }
        final List<Version> byEncoding = new ArrayList<>(versions);
        byEncoding.sort(Comparator.comparing(
            (Version v) -> RevisionKey.encode(v.userKey, v.main, v.sub), Arrays::compareUnsigned));
        final List<Version> expected = new ArrayList<>(versions);
        expected.sort(EXPECTED_ORDER);
        for (int i = 0; i < expected.size(); i++) {
            assertEquals(0, EXPECTED_ORDER.compare(expected.get(i), byEncoding.get(i)),
                "position " + i + " (replay with -Dcairn.seed=" + seed + ")");
        }
    }

    @Test
    void decodesWhatItEncodes() {
        final byte[] key = {0x00, 'a', 0x00, 0x00, (byte)0xFF};
        final byte[] encoded = RevisionKey.encode(key, 42, 7);
        assertArrayEquals(key, RevisionKey.userKey(encoded));
        assertEquals(42, RevisionKey.mainRevision(encoded));
        assertEquals(7, RevisionKey.subRevision(encoded));
    }

    @Test
    void everyVersionStartsWithItsUserKeyPrefixAndNoOtherKeysDoes() {
        final byte[] prefix = RevisionKey.userKeyPrefix(new byte[] {'a'});
        final byte[] own = RevisionKey.encode(new byte[] {'a'}, 9, 0);
        final byte[] longer = RevisionKey.encode(new byte[] {'a', 0x00}, 9, 0);
        assertArrayEquals(prefix, Arrays.copyOf(own, prefix.length));
        assertEquals(false, Arrays.equals(prefix, Arrays.copyOf(longer, prefix.length)));
    }
}
