package io.cairn.engine.differential;

import io.cairn.engine.testing.EtcdctlKvSession;
import io.cairn.engine.testing.ServerProcess;
import io.cairn.engine.testing.SideBySide;
import java.io.IOException;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Runs the same etcdctl session (Debian etcd-client) against Debian etcd and against Cairn, each
 * started on the same ports with the same flags, and requires identical output, line for line:
 * values, revisions, ids, JSON and error messages.
 */
class EtcdctlDifferentialIT {
    @Test
    void etcdctlPrintsTheSameAgainstBoth() throws Exception {
        EtcdctlKvSession.assertMostSucceeded(
            SideBySide.assertSame(EtcdctlDifferentialIT::runSession, EtcdctlKvSession::label));
    }

    private static List<String> runSession(final ServerProcess.Kind kind, final int clientPort, final int peerPort)
        throws IOException, InterruptedException {
        try (ServerProcess server = ServerProcess.start(kind, clientPort, peerPort)) {
            return EtcdctlKvSession.run(server.clientUrl());
        }
    }
}
