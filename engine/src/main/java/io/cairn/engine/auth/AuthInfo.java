package io.cairn.engine.auth;

import java.util.Objects;

/**
 * Who sent a request, as its token or client certificate said (etcd's AuthInfo): the user name and
 * the auth revision the caller's credentials were checked against. {@link #NONE} (no user,
 * revision 0) is a request without credentials: refused with "user name is empty" once auth is on.
 */
public record AuthInfo(String username, long revision) {
    public static final AuthInfo NONE = new AuthInfo("", 0);

    public AuthInfo {
        Objects.requireNonNull(username, "username");
    }

    public boolean isNone() {
        return username.isEmpty() && revision == 0;
    }
}
