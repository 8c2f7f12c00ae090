package io.cairn.engine.auth;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSSigner;
import com.nimbusds.jose.JWSVerifier;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.ECDSAVerifier;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.crypto.MACVerifier;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.crypto.RSASSAVerifier;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import java.security.KeyPair;
import java.security.PublicKey;
import java.security.interfaces.ECPrivateKey;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.text.ParseException;
import java.time.Duration;
import java.util.Date;
import java.util.function.LongSupplier;

/**
 * etcd's JWT tokens (--auth-token jwt,...): claims {@code username}, {@code revision} (the auth
 * revision when issued) and {@code exp}, signed with the configured method. Any member checks them
 * alone; a token issued before a later auth change is refused with "revision of auth store is old".
 * Signing and checking are nimbus-jose-jwt's; keys come from PEM files (see {@link JwtKeys}).
 */
public final class JwtTokens implements Tokens {
    private final JWSAlgorithm algorithm;
    private final JWSSigner signer; // null: verify-only (only a public key was given)
    private final JWSVerifier verifier;
    private final Duration ttl;
    private final LongSupplier clockMillis;

    JwtTokens(final JWSAlgorithm algorithm, final JWSSigner signer, final JWSVerifier verifier, final Duration ttl,
        final LongSupplier clockMillis) {
        this.algorithm = algorithm;
        this.signer = signer;
        this.verifier = verifier;
        this.ttl = ttl;
        this.clockMillis = clockMillis;
    }

    /** Tokens signed with {@code settings}' method and keys; IllegalArgumentException when they do not fit. */
    public static JwtTokens create(final TokenSettings.Jwt settings, final LongSupplier clockMillis) {
        final JWSAlgorithm algorithm = settings.signMethod();
        try {
            if (JWSAlgorithm.Family.HMAC_SHA.contains(algorithm)) {
                final byte[] secret = JwtKeys.readSecret(settings.privateKeyFile());
                return new JwtTokens(algorithm, new MACSigner(secret), new MACVerifier(secret), settings.ttl(), clockMillis);
            }
            final KeyPair keys = JwtKeys.read(settings.privateKeyFile(), settings.publicKeyFile());
            final PublicKey publicKey = keys.getPublic();
            if (JWSAlgorithm.Family.RSA.contains(algorithm)) {
                if (!(publicKey instanceof RSAPublicKey rsa)) {
                    throw new IllegalArgumentException("sign-method " + algorithm + " needs RSA keys");
                }
                return new JwtTokens(algorithm, keys.getPrivate() == null ? null : new RSASSASigner(keys.getPrivate()),
                    new RSASSAVerifier(rsa), settings.ttl(), clockMillis);
            }
            if (JWSAlgorithm.Family.EC.contains(algorithm)) {
                if (!(publicKey instanceof ECPublicKey ec)) {
                    throw new IllegalArgumentException("sign-method " + algorithm + " needs EC keys");
                }
                return new JwtTokens(algorithm,
                    keys.getPrivate() == null ? null : new ECDSASigner((ECPrivateKey)keys.getPrivate()),
                    new ECDSAVerifier(ec), settings.ttl(), clockMillis);
            }
        } catch (final JOSEException e) {
            throw new IllegalArgumentException("--auth-token: " + e.getMessage(), e);
        }
        throw new IllegalArgumentException("--auth-token: unsupported sign-method " + algorithm);
    }

    @Override
    public String newPrefix() {
        return "";
    }

    @Override
    public void issued(final String username, final String prefix, final long index) {
        // nothing to remember: the token carries everything
    }

    @Override
    public String tokenFor(final String username, final long authRevision, final String prefix, final long index) {
        if (signer == null) {
            throw new IllegalStateException("auth: token signing attempted with verify-only key");
        }
        final JWTClaimsSet claims = new JWTClaimsSet.Builder()
            .claim("username", username)
            .claim("revision", authRevision)
            .expirationTime(new Date(clockMillis.getAsLong() + ttl.toMillis()))
            .build();
        final SignedJWT jwt = new SignedJWT(new JWSHeader(algorithm), claims);
        try {
            jwt.sign(signer);
        } catch (final JOSEException e) {
            throw new IllegalStateException("cannot sign a JWT: " + e.getMessage(), e);
        }
        return jwt.serialize();
    }

    @Override
    public AuthInfo info(final String token, final long currentRevision) {
        try {
            final SignedJWT jwt = SignedJWT.parse(token);
            if (!algorithm.equals(jwt.getHeader().getAlgorithm()) || !jwt.verify(verifier)) {
                return null;
            }
            final JWTClaimsSet claims = jwt.getJWTClaimsSet();
            final Date expires = claims.getExpirationTime();
            if (expires != null && expires.getTime() <= clockMillis.getAsLong()) {
                return null;
            }
            final String username = claims.getStringClaim("username");
            final Long revision = claims.getLongClaim("revision");
            if (username == null || revision == null) {
                return null;
            }
            return new AuthInfo(username, revision);
        } catch (final ParseException | JOSEException | IllegalStateException malformed) {
            return null;
        }
    }

    @Override
    public void invalidateUser(final String username) {
        // a JWT stays valid until it expires, as in etcd
    }

    @Override
    public void disabled() {
        // as in etcd: nothing to forget
    }
}
