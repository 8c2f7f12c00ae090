package io.cairn.engine.auth;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import org.bouncycastle.crypto.generators.OpenBSDBCrypt;

/**
 * bcrypt through BouncyCastle's OpenBSDBCrypt, in the "$2a$" form Go's bcrypt writes, so hashes
 * read the same as etcd's. Hashing is deliberately slow (2^cost rounds): it runs on the member
 * that takes the request, never on the apply thread.
 */
public final class Passwords {
    /** etcd's --bcrypt-cost default (Go's bcrypt.DefaultCost) and bounds. */
    public static final int DEFAULT_COST = 10;
    public static final int MIN_COST = 4;
    public static final int MAX_COST = 31;
    private static final int SALT_BYTES = 16;
    /** bcrypt reads at most 72 bytes of a password; BouncyCastle refuses longer ones, Go ignores the rest. */
    private static final int PASSWORD_BYTES_MAX = 72;

    private final int cost;
    private final SecureRandom random = new SecureRandom();

    public Passwords(final int cost) {
        if (cost < MIN_COST || cost > MAX_COST) {
            throw new IllegalArgumentException("bcrypt cost must be in " + MIN_COST + ".." + MAX_COST + ", got " + cost);
        }
        this.cost = cost;
    }

    public String hash(final String password) {
        final byte[] salt = new byte[SALT_BYTES];
        random.nextBytes(salt);
        return OpenBSDBCrypt.generate("2a", bytes(password), salt, cost);
    }

    /** Whether {@code password} matches {@code hash}; false for an empty or malformed hash. */
    public static boolean matches(final String hash, final String password) {
        if (hash.isEmpty()) {
            return false;
        }
        try {
            return OpenBSDBCrypt.checkPassword(hash, bytes(password));
        } catch (final IllegalArgumentException malformed) {
            return false;
        }
    }

    private static byte[] bytes(final String password) {
        final byte[] bytes = password.getBytes(StandardCharsets.UTF_8);
        return bytes.length <= PASSWORD_BYTES_MAX ? bytes : java.util.Arrays.copyOf(bytes, PASSWORD_BYTES_MAX);
    }
}
