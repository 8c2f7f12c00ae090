package io.cairn.engine.auth;

import com.nimbusds.jose.JWSAlgorithm;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * --auth-token and --auth-token-ttl: "simple" (the default), or
 * "jwt,pub-key=FILE,priv-key=FILE,sign-method=RS256,ttl=5m" as etcd takes them.
 */
public sealed interface TokenSettings {
    /** Simple tokens forgotten {@code ttl} after their last use. */
    record Simple(Duration ttl) implements TokenSettings {
    }

    /** JWTs; either key file may be null (a public key alone only verifies). */
    record Jwt(JWSAlgorithm signMethod, Path privateKeyFile, Path publicKeyFile, Duration ttl) implements TokenSettings {
    }

    /** etcd's JWT TTL default. */
    Duration DEFAULT_JWT_TTL = Duration.ofMinutes(5);

    /**
     * Parses the flag; {@code durations} parses Go durations (the config's one parser).
     * IllegalArgumentException with etcd's reasons.
     */
    static TokenSettings parse(final String flag, final Duration simpleTtl, final Function<String, Duration> durations) {
        final String[] parts = flag.split(",", -1);
        final String kind = parts[0];
        final Map<String, String> options = new LinkedHashMap<>();
        for (int i = 1; i < parts.length; i++) {
            final int equals = parts[i].indexOf('=');
            if (equals < 0) {
                throw new IllegalArgumentException("--auth-token: invalid option \"" + parts[i] + "\" (want key=value)");
            }
            options.put(parts[i].substring(0, equals), parts[i].substring(equals + 1));
        }
        return switch (kind) {
            case "simple" -> {
                if (!simpleTtl.isPositive()) {
                    throw new IllegalArgumentException("--auth-token-ttl must be positive, got " + simpleTtl.toSeconds());
                }
                yield new Simple(simpleTtl);
            }
            case "jwt" -> jwt(options, durations);
            default -> throw new IllegalArgumentException("--auth-token: unknown token type \"" + kind
                + "\" (simple or jwt)");
        };
    }

    private static Jwt jwt(final Map<String, String> options, final Function<String, Duration> durations) {
        final Set<String> known = Set.of("sign-method", "pub-key", "priv-key", "ttl");
        for (final String key : options.keySet()) {
            if (!known.contains(key)) {
                throw new IllegalArgumentException("--auth-token: unknown JWT option \"" + key + "\"");
            }
        }
        final String method = options.getOrDefault("sign-method", "");
        final JWSAlgorithm algorithm = JWSAlgorithm.parse(method);
        if (!JWSAlgorithm.Family.RSA.contains(algorithm) && !JWSAlgorithm.Family.EC.contains(algorithm)
            && !JWSAlgorithm.Family.HMAC_SHA.contains(algorithm)) {
            throw new IllegalArgumentException("--auth-token: invalid sign-method \"" + method
                + "\": auth: invalid auth signature method");
        }
        final Duration ttl = options.containsKey("ttl") ? durations.apply(options.get("ttl")) : DEFAULT_JWT_TTL;
        if (!ttl.isPositive()) {
            throw new IllegalArgumentException("--auth-token: JWT ttl must be positive, got " + options.get("ttl"));
        }
        return new Jwt(algorithm, path(options.get("priv-key")), path(options.get("pub-key")), ttl);
    }

    private static Path path(final String value) {
        return value == null || value.isEmpty() ? null : Path.of(value);
    }
}
