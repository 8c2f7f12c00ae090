package io.cairn.engine.peer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.cairn.engine.cluster.Member;
import java.net.URI;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** etcd's ValidateClusterAndAssignIDs: same members, matched by sorted peer URLs, ids taken from the running cluster. */
class JoinCheckTest {
    private static final long M1 = 0x8e9e_05c5_2164_694dL;
    private static final long M2 = 0x91bc_3c39_8fb3_c146L;
    /** What `member add` gave the new member: random, not derivable from the flags. */
    private static final long ADDED = 0x0fd6_2c4f_ab03_2199L;
    private static final ClusterView RUNNING = new ClusterView(0xcdf8_18194_e3a8c32L, List.of(
        new Member(M1, "m1", List.of("http://10.0.0.1:2380"), List.of("http://10.0.0.1:2379"), false),
        // Not sorted as sent (etcd sorts; a peer need not): compared sorted, quoted as sent.
        new Member(M2, "m2", List.of("http://10.0.1.2:2380", "http://10.0.0.2:2380"), List.of("http://10.0.0.2:2379"),
            false),
        new Member(ADDED, "", List.of("http://10.0.0.3:2380"), List.of(), false)), Set.of());

    private static Map<String, List<URI>> initialCluster(final String... nameUrlPairs) {
        final Map<String, List<URI>> cluster = new LinkedHashMap<>();
        for (int i = 0; i < nameUrlPairs.length; i += 2) {
            cluster.computeIfAbsent(nameUrlPairs[i], name -> new java.util.ArrayList<>())
                .add(URI.create(nameUrlPairs[i + 1]));
        }
        return cluster;
    }

    @Test
    void everyNameTakesTheRunningMembersIdWhateverTheOrderOfItsUrls() {
        final Map<String, Long> ids = JoinCheck.assignIds(initialCluster(
            "m3", "http://10.0.0.3:2380",
            "m2", "http://10.0.1.2:2380", "m2", "http://10.0.0.2:2380",
            "m1", "http://10.0.0.1:2380"), RUNNING);
        assertEquals(Map.of("m1", M1, "m2", M2, "m3", ADDED), ids);
        assertEquals(List.of("m3", "m2", "m1"), List.copyOf(ids.keySet()), "in --initial-cluster's order");
    }

    @Test
    void aDifferentMemberCountIsRefused() {
        final IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
            () -> JoinCheck.assignIds(initialCluster("m1", "http://10.0.0.1:2380", "m3", "http://10.0.0.3:2380"),
                RUNNING));
        assertEquals("member count is unequal", e.getMessage());
    }

    @Test
    void aRunningMemberWhoseUrlsNoNameHasIsRefusedWithEtcdsText() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
            () -> JoinCheck.assignIds(initialCluster("m1", "http://10.0.0.1:2380", "m2", "http://10.0.0.2:2380",
                "m3", "http://10.0.0.3:2380"), RUNNING));
        assertEquals("PeerURLs: no match found for existing member (91bc3c398fb3c146, [http://10.0.1.2:2380 "
            + "http://10.0.0.2:2380]), last resolver error (len([\"http://10.0.1.2:2380\" \"http://10.0.0.2:2380\"]) "
            + "!= len([\"http://10.0.0.3:2380\"]))", e.getMessage());

        e = assertThrows(IllegalArgumentException.class,
            () -> JoinCheck.assignIds(initialCluster("m1", "http://10.0.0.1:2380", "m2", "http://10.0.0.2:2380",
                "m2", "http://10.0.1.2:2380", "m3", "http://10.0.0.3:2381"), RUNNING));
        assertEquals("PeerURLs: no match found for existing member (fd62c4fab032199, [http://10.0.0.3:2380]), "
            + "last resolver error (resolved urls: \"http://10.0.0.3:2380\" != \"http://10.0.0.3:2381\")",
            e.getMessage());
    }

    @Test
    void aNameIsNotAnAddress() {
        // etcd resolves neither "localhost" nor IPs; Cairn resolves nothing.
        final ClusterView one = new ClusterView(1, List.of(new Member(M1, "m1", List.of("http://127.0.0.1:2380"),
            List.of(), false)), Set.of());
        assertThrows(IllegalArgumentException.class,
            () -> JoinCheck.assignIds(initialCluster("m1", "http://localhost:2380"), one));
    }

    @Test
    void twoRunningMembersWithTheSameUrlsAreRefused() {
        final ClusterView twins = new ClusterView(1, List.of(
            new Member(M1, "a", List.of("http://10.0.0.1:2380"), List.of(), false),
            new Member(M2, "b", List.of("http://10.0.0.1:2380"), List.of(), false)), Set.of());
        assertThrows(IllegalArgumentException.class, () -> JoinCheck.assignIds(
            initialCluster("a", "http://10.0.0.1:2380", "b", "http://10.0.0.2:2380"), twins));
    }
}
