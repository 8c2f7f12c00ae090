package io.cairn.engine.cluster;

import io.cairn.engine.testing.Etcdctl;
import io.cairn.engine.testing.ServerProcess;
import io.cairn.engine.testing.SideBySide;
import io.cairn.engine.testing.ThreeMembers;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@code etcdctl endpoint hashkv --cluster} against a three-member etcd and Cairn after writes and a
 * compaction: the same revisions and compact revisions, one hash shared by every member, the same
 * answer at an older revision, and the same refusals for a compacted and a future revision. The
 * hash values themselves differ between the two (each hashes its own stored format), so they are
 * compared member against member, not with etcd's.
 */
class HashKvDifferentialIT {
    private static final Pattern ANSWER = Pattern.compile(
        "\"revision\":(\\d+)[^}]*}\\s*,\\s*\"hash\":(\\d+),\"compact_revision\":(\\d+)");

    @RegisterExtension
    final ThreeMembers.Logs logs = new ThreeMembers.Logs();

    @Test
    void hashKvAgreesAcrossMembersAsInEtcd() throws Exception {
        final ThreeMembers.Ports ports = ThreeMembers.Ports.free();
        SideBySide.assertSame(kind -> session(kind, ports), i -> "output " + i).forEach(System.out::println);
    }

    private List<String> session(final ServerProcess.Kind kind, final ThreeMembers.Ports ports) throws Exception {
        try (ThreeMembers cluster = ThreeMembers.start(kind, ports, logs)) {
            final List<String> outputs = new ArrayList<>();
            final String url = cluster.clientUrl(0);
            for (int i = 0; i < 10; i++) {
                Etcdctl.run(url, "put", "k" + (i % 4), "v" + i);
            }
            Etcdctl.run(url, "del", "k3");
            outputs.add(Etcdctl.run(url, "compaction", "5"));
            Etcdctl.run(url, "get", "k0"); // every member has applied all of it once each answers a linearizable read
            for (int i = 1; i < 3; i++) {
                Etcdctl.run(cluster.clientUrl(i), "get", "k0");
            }
            outputs.add("current: " + summary(Etcdctl.run(cluster.endpoints(), "endpoint", "hashkv", "--cluster", "-w", "json")));
            outputs.add("at 8: " + summary(Etcdctl.run(cluster.endpoints(), "endpoint", "hashkv", "--cluster", "--rev=8",
                "-w", "json")));
            outputs.add("compacted: " + Etcdctl.run(url, "endpoint", "hashkv", "--rev=3"));
            outputs.add("future: " + Etcdctl.run(url, "endpoint", "hashkv", "--rev=99"));
            return outputs;
        }
    }

    /** Each member's revision and compact revision, and how many distinct hashes they gave. */
    private static String summary(final String json) {
        final Matcher m = ANSWER.matcher(json);
        final List<String> members = new ArrayList<>();
        final Set<String> hashes = new LinkedHashSet<>();
        while (m.find()) {
            members.add("revision " + m.group(1) + " compact " + m.group(3));
            hashes.add(m.group(2));
        }
        return members + ", distinct hashes " + hashes.size();
    }
}
