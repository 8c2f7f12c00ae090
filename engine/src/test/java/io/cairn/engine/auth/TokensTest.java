package io.cairn.engine.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.nimbusds.jose.JWSAlgorithm;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPairGenerator;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Simple tokens expire after their TTL since last use; JWTs carry user and revision and are checked alone. */
class TokensTest {
    @Test
    void aSimpleTokenLivesForItsTtlAfterItsLastUse() {
        final AtomicLong nowNs = new AtomicLong();
        final SimpleTokens tokens = new SimpleTokens(TimeUnit.SECONDS.toNanos(10), nowNs::get);
        final String prefix = tokens.newPrefix();
        assertTrue(prefix.matches("[a-zA-Z]{16}"), prefix);
        tokens.issued("alice", prefix, 42);
        final String token = tokens.tokenFor("alice", 3, prefix, 42);
        assertEquals(prefix + ".42", token);
        nowNs.addAndGet(TimeUnit.SECONDS.toNanos(9));
        assertEquals(new AuthInfo("alice", 7), tokens.info(token, 7)); // checked against the revision of now
        nowNs.addAndGet(TimeUnit.SECONDS.toNanos(9));
        assertEquals("alice", tokens.info(token, 7).username()); // the use above renewed it
        nowNs.addAndGet(TimeUnit.SECONDS.toNanos(10));
        assertNull(tokens.info(token, 7));
    }

    @Test
    void simpleTokensOfAUserEndWithItsPasswordAndAllEndWithAuth() {
        final SimpleTokens tokens = new SimpleTokens(TimeUnit.MINUTES.toNanos(5), System::nanoTime);
        tokens.hear(new AuthEvent.TokenIssued("alice", "a", 1));
        tokens.hear(new AuthEvent.TokenIssued("bob", "b", 2));
        tokens.hear(new AuthEvent.UserTokensRevoked("alice"));
        assertNull(tokens.info("a.1", 1));
        assertEquals("bob", tokens.info("b.2", 1).username());
        tokens.hear(new AuthEvent.Disabled());
        assertNull(tokens.info("b.2", 1));
    }

    @Test
    void aJwtCarriesUserAndRevisionAndIsRefusedWhenForgedOrExpired(@TempDir final Path dir) throws Exception {
        final KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
        generator.initialize(256);
        final java.security.KeyPair keys = generator.generateKeyPair();
        write(dir.resolve("priv.pem"), new JcaPKCS8Generator(keys.getPrivate(), null)); // "PRIVATE KEY", as openssl writes
        write(dir.resolve("pub.pem"), keys.getPublic());
        final AtomicLong nowMs = new AtomicLong(1_000_000);
        final JwtTokens tokens = JwtTokens.create(new TokenSettings.Jwt(JWSAlgorithm.ES256, dir.resolve("priv.pem"),
            dir.resolve("pub.pem"), Duration.ofMinutes(5)), nowMs::get);
        final String token = tokens.tokenFor("alice", 12, "", 99);
        assertEquals(new AuthInfo("alice", 12), tokens.info(token, 50)); // the token's revision, not today's
        assertNull(tokens.info(token.substring(0, token.length() - 4) + "AAAA", 50));
        assertNull(tokens.info("not.a.jwt", 50));
        nowMs.addAndGet(Duration.ofMinutes(5).toMillis());
        assertNull(tokens.info(token, 50));

        final JwtTokens verifyOnly = JwtTokens.create(new TokenSettings.Jwt(JWSAlgorithm.ES256, null,
            dir.resolve("pub.pem"), Duration.ofMinutes(5)), () -> 0);
        assertFalse(verifyOnly.info(tokens.tokenFor("bob", 1, "", 1), 1) == null);
        assertThrows(IllegalStateException.class, () -> verifyOnly.tokenFor("bob", 1, "", 1));
    }

    @Test
    void theTokenFlagIsParsedAsEtcdTakesIt(@TempDir final Path dir) {
        assertEquals(new TokenSettings.Simple(Duration.ofSeconds(300)),
            TokenSettings.parse("simple", Duration.ofSeconds(300), Duration::parse));
        final TokenSettings.Jwt jwt = (TokenSettings.Jwt) TokenSettings.parse(
            "jwt,pub-key=/p,priv-key=/q,sign-method=RS512,ttl=PT1M", Duration.ofSeconds(300), Duration::parse);
        assertEquals(JWSAlgorithm.RS512, jwt.signMethod());
        assertEquals(Duration.ofMinutes(1), jwt.ttl());
        assertThrows(IllegalArgumentException.class, () -> TokenSettings.parse("jwt,sign-method=none",
            Duration.ofSeconds(1), Duration::parse));
        assertThrows(IllegalArgumentException.class, () -> TokenSettings.parse("magic", Duration.ofSeconds(1),
            Duration::parse));
        assertThrows(IllegalArgumentException.class, () -> JwtTokens.create(new TokenSettings.Jwt(JWSAlgorithm.RS256,
            dir.resolve("missing.pem"), null, Duration.ofMinutes(1)), () -> 0));
    }

    private static void write(final Path file, final Object key) throws Exception {
        try (JcaPEMWriter writer = new JcaPEMWriter(Files.newBufferedWriter(file))) {
            writer.writeObject(key);
        }
    }
}
