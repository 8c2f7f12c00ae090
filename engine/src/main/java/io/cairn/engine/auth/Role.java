package io.cairn.engine.auth;

import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;

/** A role and its key permissions, sorted by key as etcd keeps them. */
public record Role(String name, List<Permission> permissions) {
    static final Comparator<Permission> BY_KEY = (a, b) -> Arrays.compareUnsigned(a.key(), b.key());

    public Role {
        Objects.requireNonNull(name, "name");
        permissions = permissions.stream().sorted(BY_KEY).toList();
    }
}
