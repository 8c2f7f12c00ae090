package io.cairn.engine.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.URI;
import java.util.List;
import org.junit.jupiter.api.Test;

class MemberIdsTest {
    /** Read from Debian etcd 3.4.23 started with these flags (`etcdctl endpoint status -w json`). */
    @Test
    void matchesWhatEtcdReported() {
        final long member = MemberIds.memberId(List.of(URI.create("http://127.0.0.1:23801")), "tok");
        assertEquals("4627081221937520288", Long.toUnsignedString(member));
        assertEquals("2478302587001825083", Long.toUnsignedString(MemberIds.clusterId(List.of(member))));
    }

    @Test
    void peerUrlOrderDoesNotMatter() {
        final URI a = URI.create("http://10.0.0.1:2380");
        final URI b = URI.create("http://10.0.0.2:2380");
        assertEquals(MemberIds.memberId(List.of(a, b), "t"), MemberIds.memberId(List.of(b, a), "t"));
        assertEquals(MemberIds.clusterId(List.of(1L, -1L)), MemberIds.clusterId(List.of(-1L, 1L)));
    }
}
