package io.cairn.engine.config;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.List;

/**
 * Parses etcd's comma-separated URL flags ("https://10.0.0.1:2379,http://localhost:2379"): http
 * and https (TLS, with the settings of --cert-file and friends, or --peer-cert-file and friends).
 */
public final class UrlList {
    private static final int URLS_MAX = 64;

    private UrlList() {
    }

    /** The URLs in {@code text}; each must be http or https with a host and an explicit port, and no path. */
    public static List<URI> parse(final String flag, final String text) {
        final String[] parts = text.split(",", -1);
        if (text.isBlank() || parts.length > URLS_MAX) {
            throw new IllegalArgumentException(flag + " needs 1 to " + URLS_MAX + " URLs, got \"" + text + "\"");
        }
        final List<URI> urls = new ArrayList<>(parts.length);
        for (final String part : parts) {
            urls.add(parseOne(flag, part.trim()));
        }
        return List.copyOf(urls);
    }

    public static URI parseOne(final String flag, final String text) {
        final URI url;
        try {
            url = new URI(text);
        } catch (final URISyntaxException e) {
            throw new IllegalArgumentException(flag + ": \"" + text + "\" is not a URL", e);
        }
        if (!"http".equals(url.getScheme()) && !"https".equals(url.getScheme())) {
            throw new IllegalArgumentException(flag + ": URL scheme must be http or https, got \"" + text + "\"");
        }
        if (url.getHost() == null || url.getPort() < 1 || url.getPort() > 65535) {
            throw new IllegalArgumentException(flag + ": \"" + text + "\" needs a host and a port (" + url.getScheme()
                + "://host:port)");
        }
        if (url.getRawPath() != null && !url.getRawPath().isEmpty() && !url.getRawPath().equals("/")) {
            throw new IllegalArgumentException(flag + ": \"" + text + "\" must not have a path");
        }
        if (url.getRawQuery() != null || url.getRawFragment() != null || url.getRawUserInfo() != null) {
            throw new IllegalArgumentException(flag + ": \"" + text + "\" must be only scheme, host and port");
        }
        return URI.create(url.getScheme() + "://" + url.getRawAuthority());
    }

    /** Whether {@code url} asks for TLS. */
    public static boolean isTls(final URI url) {
        return "https".equals(url.getScheme());
    }
}
