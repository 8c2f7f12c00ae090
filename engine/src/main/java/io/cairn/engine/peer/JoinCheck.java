package io.cairn.engine.peer;

import io.cairn.engine.cluster.Member;
import java.net.URI;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * etcd's {@code membership.ValidateClusterAndAssignIDs} for a member joining a running cluster:
 * the members of {@code --initial-cluster} must be exactly the running cluster's, matched by their
 * peer URLs, and each takes the id the running cluster gave it (a member added with
 * {@code member add} got a random id, which its flags cannot derive).
 *
 * <p>URLs are compared as written, sorted. etcd 3.4 also resolves a DNS host name (not
 * "localhost", not an IP) before it gives up on a pair; Cairn does not, so a cluster whose peer
 * URLs mix a name and its address must be written the same way in both places.
 */
public final class JoinCheck {
    private JoinCheck() {
    }

    /**
     * @param initialCluster --initial-cluster: name -> peer URLs
     * @param remote         the running cluster's view ({@link RemoteCluster#fetch})
     * @return every name of {@code initialCluster} -> its member id in the running cluster
     * @throws IllegalArgumentException with etcd's text when the two do not describe the same members
     */
    public static Map<String, Long> assignIds(final Map<String, List<URI>> initialCluster, final ClusterView remote) {
        if (initialCluster.size() != remote.members().size()) {
            throw new IllegalArgumentException("member count is unequal");
        }
        final Map<String, List<String>> localUrls = new LinkedHashMap<>();
        initialCluster.forEach((name, urls) -> localUrls.put(name, urls.stream().map(URI::toString).sorted().toList()));
        final Map<String, Long> ids = new HashMap<>();
        // etcd walks the running members in id order and gives each to the first local member with its URLs.
        for (final Member existing : remote.members().stream().sorted((a, b) -> Long.compareUnsigned(a.id(), b.id()))
            .toList()) {
            final List<String> existingUrls = existing.peerUrls().stream().sorted().toList();
            String lastMismatch = null;
            String matched = null;
            for (final Map.Entry<String, List<String>> local : localUrls.entrySet()) {
                lastMismatch = mismatch(existing.peerUrls(), existingUrls, local.getValue());
                if (lastMismatch == null) {
                    matched = local.getKey();
                    break;
                }
            }
            if (matched == null) {
                throw new IllegalArgumentException("PeerURLs: no match found for existing member ("
                    + Long.toHexString(existing.id()) + ", " + goList(existing.peerUrls()) + "), last resolver error ("
                    + (lastMismatch == null ? "<nil>" : lastMismatch) + ")");
            }
            final Long twin = ids.put(matched, existing.id());
            if (twin != null) {
                // etcd refuses to add such a member, so no etcd text exists; it would silently keep one id.
                throw new IllegalArgumentException("existing members " + Long.toHexString(twin) + " and "
                    + Long.toHexString(existing.id()) + " have the same PeerURLs " + goList(existingUrls));
            }
        }
        // Equal counts and every running member matched to a different name: every name has an id.
        final Map<String, Long> byName = new LinkedHashMap<>();
        initialCluster.keySet().forEach(name -> byName.put(name, ids.get(name)));
        return byName;
    }

    /**
     * Null when the sorted lists are equal; otherwise etcd's netutil text for the first difference
     * (etcd compares lengths before it sorts, so that text shows the running member's URLs as sent).
     */
    private static String mismatch(final List<String> existingAsSent, final List<String> existing,
        final List<String> local) {
        if (existing.size() != local.size()) {
            return "len(" + goQuotedList(existingAsSent) + ") != len(" + goQuotedList(local) + ")";
        }
        for (int i = 0; i < existing.size(); i++) {
            if (!existing.get(i).equals(local.get(i))) {
                return "resolved urls: \"" + existing.get(i) + "\" != \"" + local.get(i) + "\"";
            }
        }
        return null;
    }

    /** Go's %v of a []string: [a b]. */
    private static String goList(final List<String> values) {
        return values.stream().collect(Collectors.joining(" ", "[", "]"));
    }

    /** Go's %q of a []string: ["a" "b"]. */
    private static String goQuotedList(final List<String> values) {
        return values.stream().map(v -> "\"" + v + "\"").collect(Collectors.joining(" ", "[", "]"));
    }
}
