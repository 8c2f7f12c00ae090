package io.cairn.engine.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.function.IntFunction;

/** The differential tests' frame: one session against Debian etcd, the same against Cairn, compared. */
public final class SideBySide {
    /** Runs a session against one server started on the given ports; returns what it saw, in order. */
    @FunctionalInterface
    public interface Session {
        List<String> run(ServerProcess.Kind kind, int clientPort, int peerPort) throws Exception;
    }

    /** Runs a session against one server, or cluster, of the given kind; the ports are the caller's. */
    @FunctionalInterface
    public interface KindSession {
        List<String> run(ServerProcess.Kind kind) throws Exception;
    }

    private SideBySide() {
    }

    /**
     * Runs {@code session} against etcd, then against Cairn on the same ports (so both have the same
     * member and cluster ids), and requires the same outputs in the same order; {@code label} names
     * output i in a failure. Returns etcd's outputs for the caller's own checks.
     */
    public static List<String> assertSame(final Session session, final IntFunction<String> label) throws Exception {
        final int clientPort = ServerProcess.freePort();
        final int peerPort = ServerProcess.freePort();
        return assertSame((KindSession) kind -> session.run(kind, clientPort, peerPort), label);
    }

    /**
     * As above for a session that chooses its own ports (the same for both kinds, so that etcd and
     * Cairn derive the same ids): etcd first, then Cairn, outputs compared one by one.
     */
    public static List<String> assertSame(final KindSession session, final IntFunction<String> label)
        throws Exception {
        final List<String> etcd = run(session, ServerProcess.Kind.ETCD);
        final List<String> cairn = run(session, ServerProcess.Kind.CAIRN);
        assertEquals(etcd.size(), cairn.size(), "etcd: " + etcd + "\ncairn: " + cairn);
        for (int i = 0; i < etcd.size(); i++) {
            assertEquals(etcd.get(i), cairn.get(i), label.apply(i));
        }
        return etcd;
    }

    /** One kind's session; a failure says which server it ran against (a timeout alone does not). */
    private static List<String> run(final KindSession session, final ServerProcess.Kind kind) throws Exception {
        try {
            return session.run(kind);
        } catch (final Exception | AssertionError e) {
            throw new AssertionError("the session against " + kind + " failed: " + e, e);
        }
    }
}
