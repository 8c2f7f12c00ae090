package io.cairn.engine.tls;

import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import javax.net.ssl.SSLContext;

/**
 * --cipher-suites: etcd takes Go's names (crypto/tls), the JDK takes IANA's. They are the same
 * string except Go's two short ChaCha20 aliases, so the table below is Go's list (secure and
 * insecure ones, as etcd 3.4's {@code tlsutil.GetCipherSuite} accepts them) with the JDK's name
 * of each. A name Go does not know is refused with etcd's error; a name Go knows that this Java
 * runtime does not enable (RC4, 3DES, plain RSA key exchange in recent JDKs) is refused too, naming
 * why, rather than silently dropped.
 */
public final class CipherSuites {
    private static final Map<String, String> GO_ALIASES = Map.of(
        "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305", "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256",
        "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305", "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256");

    /** Go's {@code tls.CipherSuites()} and {@code tls.InsecureCipherSuites()} (Go 1.19, etcd 3.4.23's). */
    private static final Set<String> GO_NAMES = Set.of(
        "TLS_RSA_WITH_RC4_128_SHA", "TLS_RSA_WITH_3DES_EDE_CBC_SHA", "TLS_RSA_WITH_AES_128_CBC_SHA",
        "TLS_RSA_WITH_AES_256_CBC_SHA", "TLS_RSA_WITH_AES_128_CBC_SHA256", "TLS_RSA_WITH_AES_128_GCM_SHA256",
        "TLS_RSA_WITH_AES_256_GCM_SHA384", "TLS_ECDHE_ECDSA_WITH_RC4_128_SHA", "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA",
        "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA", "TLS_ECDHE_RSA_WITH_RC4_128_SHA", "TLS_ECDHE_RSA_WITH_3DES_EDE_CBC_SHA",
        "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA", "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA",
        "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256", "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256",
        "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
        "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384", "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384",
        "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256", "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256",
        "TLS_AES_128_GCM_SHA256", "TLS_AES_256_GCM_SHA384", "TLS_CHACHA20_POLY1305_SHA256");

    /** TLS 1.3's suites: Go always enables them whatever --cipher-suites says, so Cairn does too. */
    static final List<String> TLS13 = List.of("TLS_AES_128_GCM_SHA256", "TLS_AES_256_GCM_SHA384",
        "TLS_CHACHA20_POLY1305_SHA256");

    private static final int SUITES_MAX = 64;

    private CipherSuites() {
    }

    /**
     * The JDK names of a --cipher-suites value ("" gives none: the JDK's defaults), in the order
     * given, which is the server's preference order as in etcd.
     */
    public static List<String> parse(final String text) {
        if (text.isBlank()) {
            return List.of();
        }
        final String[] names = text.split(",", -1);
        if (names.length > SUITES_MAX) {
            throw new IllegalArgumentException("--cipher-suites lists more than " + SUITES_MAX + " cipher suites");
        }
        final Set<String> enabled = Set.of(defaultSuites());
        final List<String> jdkNames = new ArrayList<>(names.length);
        for (final String raw : names) {
            final String name = raw.trim();
            if (!GO_NAMES.contains(name) && !GO_ALIASES.containsKey(name)) {
                throw new IllegalArgumentException("unexpected TLS cipher suite \"" + name + "\"");
            }
            final String jdkName = GO_ALIASES.getOrDefault(name, name);
            if (!enabled.contains(jdkName)) {
                throw new IllegalArgumentException("--cipher-suites: " + name + " is disabled in this Java runtime "
                    + "(see jdk.tls.disabledAlgorithms in its java.security)");
            }
            if (!jdkNames.contains(jdkName)) {
                jdkNames.add(jdkName);
            }
        }
        return List.copyOf(jdkNames);
    }

    private static String[] defaultSuites() {
        try {
            return SSLContext.getDefault().getDefaultSSLParameters().getCipherSuites();
        } catch (final NoSuchAlgorithmException e) {
            throw new IllegalStateException("this Java runtime has no TLS", e);
        }
    }

    /**
     * The suites an engine enables for {@code configured} (JDK names from {@link #parse}): TLS 1.3's
     * and the configured ones, or null for the JDK's defaults.
     */
    static String[] enabledFor(final List<String> configured) {
        if (configured.isEmpty()) {
            return null;
        }
        final List<String> suites = new ArrayList<>(TLS13);
        configured.stream().filter(suite -> !suites.contains(suite)).forEach(suites::add);
        return suites.toArray(String[]::new);
    }
}
