package io.cairn.bench.load;

import com.google.protobuf.ByteString;
import java.util.SplittableRandom;

/**
 * Keys as etcd's benchmark chooses them: {@code keySpaceSize} distinct keys of {@code keySizeBytes}
 * bytes, visited in order with sequential keys, at random otherwise. Key number i is its decimal
 * digits zero-padded, so neighbouring keys share most of their bytes (as paths do); scattered keys
 * spell a hash of i in hex instead, so they share almost none with any other.
 */
public final class KeyChooser {
    private final int keySizeBytes;
    private final long keySpaceSize;
    private final boolean sequential;
    private final boolean scattered;
    private final long seed;

    public KeyChooser(final int keySizeBytes, final long keySpaceSize, final boolean sequential, final long seed) {
        this(keySizeBytes, keySpaceSize, sequential, false, seed);
    }

    public KeyChooser(final int keySizeBytes, final long keySpaceSize, final boolean sequential, final boolean scattered,
        final long seed) {
        if (keySizeBytes < 1 || keySpaceSize < 1) {
            throw new IllegalArgumentException("key size and key space size must be positive");
        }
        this.keySizeBytes = keySizeBytes;
        this.keySpaceSize = keySpaceSize;
        this.sequential = sequential;
        this.scattered = scattered;
        this.seed = seed;
    }

    /** The key of request {@code sequence}: the same sequence always gives the same key. */
    public ByteString key(final long sequence) {
        final long index = sequential ? sequence % keySpaceSize
            : new SplittableRandom(seed ^ (sequence * 0x9E3779B97F4A7C15L)).nextLong(keySpaceSize);
        return of(index);
    }

    /**
     * Key number {@code index}: its decimal digits, zero-padded (or cut) to the key size; scattered,
     * the hex digits of a bijective hash of it and of its successors, cut to the key size (distinct
     * keys from 16 bytes on).
     */
    public ByteString of(final long index) {
        if (scattered) {
            final StringBuilder hex = new StringBuilder(keySizeBytes + 16);
            for (long i = index; hex.length() < keySizeBytes; i++) {
                hex.append(String.format("%016x", mix(i)));
            }
            return ByteString.copyFromUtf8(hex.substring(0, keySizeBytes));
        }
        final String digits = Long.toString(index);
        final byte[] key = new byte[keySizeBytes];
        java.util.Arrays.fill(key, (byte)'0');
        final int copied = Math.min(digits.length(), keySizeBytes);
        for (int i = 0; i < copied; i++) {
            key[keySizeBytes - copied + i] = (byte)digits.charAt(digits.length() - copied + i);
        }
        return ByteString.copyFrom(key);
    }

    /** SplitMix64's finalizer: a bijection on longs that scatters neighbouring numbers. */
    private static long mix(final long value) {
        long z = value + 0x9E3779B97F4A7C15L;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
