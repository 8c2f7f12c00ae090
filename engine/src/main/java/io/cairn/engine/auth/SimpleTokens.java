package io.cairn.engine.auth;

import java.security.SecureRandom;
import java.util.HashMap;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * etcd's simple tokens: 16 random letters, a dot and the log index of the Authenticate entry,
 * remembered by every member for --auth-token-ttl after their last use (each use renews it), and
 * forgotten on a restart, as etcd forgets them. Expiry is checked when a token is used; expired
 * ones are swept out as new ones are issued. Thread-safe: applied on the apply thread, read on
 * gRPC threads.
 */
public final class SimpleTokens implements Tokens {
    private static final String LETTERS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
    private static final int PREFIX_LETTERS = 16;
    private static final int SWEEP_MIN_TOKENS = 1024;

    private record Entry(String username, long expiresAtNs) {
    }

    private final long ttlNs;
    private final LongSupplier clockNs;
    private final SecureRandom random = new SecureRandom();
    private final Map<String, Entry> tokens = new HashMap<>();
    private int sweepAtSize = SWEEP_MIN_TOKENS;

    public SimpleTokens(final long ttlNs, final LongSupplier clockNs) {
        if (ttlNs <= 0) {
            throw new IllegalArgumentException("token TTL must be positive, got " + ttlNs + " ns");
        }
        this.ttlNs = ttlNs;
        this.clockNs = clockNs;
    }

    @Override
    public String newPrefix() {
        final StringBuilder prefix = new StringBuilder(PREFIX_LETTERS);
        for (int i = 0; i < PREFIX_LETTERS; i++) {
            prefix.append(LETTERS.charAt(random.nextInt(LETTERS.length())));
        }
        return prefix.toString();
    }

    @Override
    public synchronized void issued(final String username, final String prefix, final long index) {
        final long now = clockNs.getAsLong();
        tokens.put(prefix + "." + index, new Entry(username, now + ttlNs));
        if (tokens.size() >= sweepAtSize) {
            tokens.values().removeIf(entry -> entry.expiresAtNs - now <= 0);
            sweepAtSize = Math.max(SWEEP_MIN_TOKENS, 2 * tokens.size());
        }
    }

    @Override
    public String tokenFor(final String username, final long authRevision, final String prefix, final long index) {
        return prefix + "." + index;
    }

    @Override
    public synchronized AuthInfo info(final String token, final long currentRevision) {
        final Entry entry = tokens.get(token);
        if (entry == null) {
            return null;
        }
        final long now = clockNs.getAsLong();
        if (entry.expiresAtNs - now <= 0) {
            tokens.remove(token);
            return null;
        }
        tokens.put(token, new Entry(entry.username, now + ttlNs));
        // A simple token holds no revision: it is checked against the store as it is now.
        return new AuthInfo(entry.username, currentRevision);
    }

    @Override
    public synchronized void invalidateUser(final String username) {
        tokens.values().removeIf(entry -> entry.username.equals(username));
    }

    @Override
    public synchronized void disabled() {
        tokens.clear();
    }
}
