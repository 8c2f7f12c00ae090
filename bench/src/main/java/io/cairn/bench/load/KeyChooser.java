package io.cairn.bench.load;

import com.google.protobuf.ByteString;
import java.util.SplittableRandom;

/**
 * Keys as etcd's benchmark chooses them: {@code keySpaceSize} distinct keys of {@code keySizeBytes}
 * bytes, visited in order with sequential keys, at random otherwise.
 */
public final class KeyChooser {
    private final int keySizeBytes;
    private final long keySpaceSize;
    private final boolean sequential;
    private final long seed;

    public KeyChooser(final int keySizeBytes, final long keySpaceSize, final boolean sequential, final long seed) {
        if (keySizeBytes < 1 || keySpaceSize < 1) {
            throw new IllegalArgumentException("key size and key space size must be positive");
        }
        this.keySizeBytes = keySizeBytes;
        this.keySpaceSize = keySpaceSize;
        this.sequential = sequential;
        this.seed = seed;
    }

    /** The key of request {@code sequence}: the same sequence always gives the same key. */
    public ByteString key(final long sequence) {
        final long index = sequential ? sequence % keySpaceSize
            : new SplittableRandom(seed ^ (sequence * 0x9E3779B97F4A7C15L)).nextLong(keySpaceSize);
        return of(index);
    }

    /** Key number {@code index}: its decimal digits, zero-padded (or cut) to the key size. */
    public ByteString of(final long index) {
        final String digits = Long.toString(index);
        final byte[] key = new byte[keySizeBytes];
        java.util.Arrays.fill(key, (byte)'0');
        final int copied = Math.min(digits.length(), keySizeBytes);
        for (int i = 0; i < copied; i++) {
            key[keySizeBytes - copied + i] = (byte)digits.charAt(digits.length() - copied + i);
        }
        return ByteString.copyFrom(key);
    }
}
