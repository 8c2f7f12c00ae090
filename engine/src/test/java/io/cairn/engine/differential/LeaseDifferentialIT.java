package io.cairn.engine.differential;

import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.cairn.engine.testing.Await;
import io.cairn.engine.testing.Etcdctl;
import io.cairn.engine.testing.ServerProcess;
import io.cairn.engine.testing.SideBySide;
import io.cairn.etcd.api.etcdserverpb.KVGrpc;
import io.cairn.etcd.api.etcdserverpb.RangeRequest;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * etcdctl's lease commands, and puts, gets and txns with leases, against Debian etcd and against
 * Cairn: identical output once lease ids (chosen by each server) are named by their order of
 * appearance, and remaining TTLs (which depend on timing) are masked. Includes a lease that expires.
 */
class LeaseDifferentialIT {
    private static final Pattern GRANTED = Pattern.compile("lease ([0-9a-f]+) granted with TTL");
    private static final Pattern REMAINING = Pattern.compile("remaining\\(\\d+s\\)");
    private static final Pattern REMAINING_JSON = Pattern.compile("\"ttl\":\\d+,\"granted-ttl\"");
    private static final long EXPIRY_WAIT_SECONDS = 30;

    /** One server's session: etcdctl outputs, with lease ids replaced by placeholders. */
    private static final class Session {
        final String url;
        final ServerProcess server;
        final List<String> outputs = new ArrayList<>();
        final Map<String, String> leaseNames = new LinkedHashMap<>();

        Session(final ServerProcess server) {
            this.server = server;
            this.url = server.clientUrl();
        }

        /** Runs etcdctl with "{1}", "{2}" ... standing for the leases granted so far, in order. */
        String runWithInput(final String stdin, final String... args) throws IOException, InterruptedException {
            final List<String> resolved = new ArrayList<>();
            for (final String arg : args) {
                resolved.add(substitute(arg));
            }
            final String output = Etcdctl.run(url, stdin, resolved);
            final Matcher granted = GRANTED.matcher(output);
            if (granted.find()) {
                leaseNames.putIfAbsent(granted.group(1), "{" + (leaseNames.size() + 1) + "}");
            }
            outputs.add(String.join(" ", args) + "\n" + normalise(output));
            return output;
        }

        String run(final String... args) throws IOException, InterruptedException {
            return runWithInput("", args);
        }

        private String substitute(final String arg) {
            String result = arg;
            for (final Map.Entry<String, String> lease : leaseNames.entrySet()) {
                result = result.replace(lease.getValue(), lease.getKey());
            }
            return result;
        }

        private String normalise(final String output) {
            String result = REMAINING.matcher(output).replaceAll("remaining(*)");
            result = REMAINING_JSON.matcher(result).replaceAll("\"ttl\":*,\"granted-ttl\"");
            for (final Map.Entry<String, String> lease : leaseNames.entrySet()) {
                result = result.replace(lease.getKey(), lease.getValue())
                    .replace(Long.toString(Long.parseUnsignedLong(lease.getKey(), 16)), lease.getValue());
            }
            return result;
        }

        void awaitKeyGone(final String key) throws InterruptedException {
            final KVGrpc.KVBlockingStub kv = KVGrpc.newBlockingStub(server.channel());
            Await.until(() -> kv.range(RangeRequest.newBuilder().setKey(ByteString.copyFromUtf8(key)).build())
                .getCount() == 0, EXPIRY_WAIT_SECONDS, key + " to go with its lease");
        }
    }

    @Test
    void leaseCommandsPrintTheSameAgainstBoth() throws Exception {
        final List<String> etcd = SideBySide.assertSame(LeaseDifferentialIT::runSession, i -> "output " + i);
        int succeeded = 0;
        for (final String output : etcd) {
            if (output.contains("\nexit 0\n")) {
                succeeded++;
            }
        }
        assertTrue(succeeded > etcd.size() * 2 / 3, "only " + succeeded + " commands succeeded on etcd: " + etcd);
    }

    private static List<String> runSession(final ServerProcess.Kind kind, final int clientPort, final int peerPort)
        throws IOException, InterruptedException {
        try (ServerProcess server = ServerProcess.start(kind, clientPort, peerPort)) {
            final Session s = new Session(server);
            s.run("lease", "grant", "60");
            s.run("lease", "grant", "1");
            s.run("put", "--lease={1}", "a", "1");
            s.run("put", "--lease={1}", "b", "2");
            s.run("put", "c", "3");
            s.run("get", "a", "-w", "json");
            s.run("get", "", "--prefix", "-w", "fields");
            s.run("lease", "timetolive", "{1}");
            s.run("lease", "timetolive", "{1}", "-w", "json");
            s.run("lease", "list");
            s.run("lease", "keep-alive", "--once", "{1}");
            s.run("put", "a", "5", "--ignore-lease");
            s.run("get", "a", "-w", "json");
            s.run("put", "b", "7");
            s.run("lease", "timetolive", "--keys", "{1}");
            s.run("del", "a");
            s.run("lease", "timetolive", "--keys", "{1}");
            s.run("put", "--lease={1}", "d", "4");
            s.run("put", "--lease={2}", "c", "4");
            s.run("get", "c", "-w", "json");
            s.runWithInput("value(\"c\") = \"4\"\n\nput e 1\n\nput e 2\n\n", "txn", "-w", "json");
            s.run("lease", "revoke", "{1}");
            s.run("get", "", "--prefix", "-w", "json");
            s.run("lease", "revoke", "{1}");
            s.run("lease", "timetolive", "{1}");
            s.run("lease", "keep-alive", "--once", "{1}");
            s.run("put", "--lease=1234", "x", "y");
            s.run("lease", "revoke", "1234");
            s.run("lease", "grant", "9000000001");
            s.run("lease", "grant", "0");
            s.run("lease", "revoke", "{3}"); // so that the final list does not depend on when it expires
            s.run("lease", "grant", "notanumber");
            // Lease {2} (TTL 2 s) expires: its key goes in one revision, the lease is gone.
            s.awaitKeyGone("c");
            s.run("get", "", "--prefix", "-w", "json");
            s.run("lease", "timetolive", "{2}");
            s.run("lease", "list");
            return s.outputs;
        }
    }
}
