package io.cairn.engine.cluster;

import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Collection;
import java.util.List;

/**
 * Member and cluster ids derived exactly as etcd derives them for a new cluster, so a Cairn
 * member started with etcd's flags reports the ids etcd would (clients and operators compare
 * them, and `etcdctl -w json` prints them).
 *
 * <p>Member id: the first 8 bytes (big-endian) of SHA-1 over the member's sorted peer URLs
 * concatenated, then the cluster token. Cluster id: the same over the sorted member ids, each
 * as 8 big-endian bytes.
 */
public final class MemberIds {
    private MemberIds() {
    }

    public static long memberId(final Collection<URI> peerUrls, final String clusterToken) {
        final MessageDigest sha1 = sha1();
        for (final String url : peerUrls.stream().map(URI::toString).sorted().toList()) {
            sha1.update(url.getBytes(StandardCharsets.UTF_8));
        }
        sha1.update(clusterToken.getBytes(StandardCharsets.UTF_8));
        return ByteBuffer.wrap(sha1.digest()).getLong();
    }

    public static long clusterId(final Collection<Long> memberIds) {
        final List<Long> sorted = memberIds.stream().sorted(Long::compareUnsigned).toList();
        final ByteBuffer ids = ByteBuffer.allocate(Long.BYTES * sorted.size());
        sorted.forEach(ids::putLong);
        return ByteBuffer.wrap(sha1().digest(ids.array())).getLong();
    }

    private static MessageDigest sha1() {
        try {
            return MessageDigest.getInstance("SHA-1");
        } catch (final NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-1", e);
        }
    }
}
