package io.cairn.engine.peer;

import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsParameters;
import com.sun.net.httpserver.HttpsServer;
import io.cairn.transport.SnapshotUploadRequest;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.Locale;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;

/**
 * The TCP listener on the peer URL's host and port that answers {@code GET /members} and
 * {@code GET /version} for members that join (see {@link PeerRequests}); https when the peer URL
 * is. Aeron carries Raft over UDP on the same port number, so both fit on one port as in etcd.
 */
public final class PeerHttpServer implements AutoCloseable {
    /** Requests answered at once; a further connection is closed unanswered until one ends. */
    static final int EXCHANGES_IN_FLIGHT_MAX = 16;
    /** Connections the kernel queues before they are accepted. */
    static final int BACKLOG_CONNECTIONS = 64;
    /** etcd's cluster version once decided: Cairn serves etcd 3.4's API (CairnServer's client /version says the same). */
    static final String CLUSTER_VERSION = io.cairn.engine.api.EtcdVersions.CLUSTER + ".0";

    private final HttpServer server;

    private PeerHttpServer(final HttpServer server) {
        this.server = server;
    }

    /**
     * Listens on {@code listenPeerUrl}'s host (0.0.0.0 for every address) and port (0 for any free
     * one, for tests) and serves until closed.
     *
     * @param tlsOrNull                the peer TLS context; needed for an https URL, unused for http
     * @param requireClientCertificate whether a peer must present a certificate that {@code tlsOrNull} trusts
     * @param view                     asked once per {@code /members} request, on the request's thread
     * @throws IOException naming the URL when it cannot be listened on
     */
    public static PeerHttpServer start(final URI listenPeerUrl, final SSLContext tlsOrNull,
        final boolean requireClientCertificate, final Supplier<ClusterView> view) throws IOException {
        return start(listenPeerUrl, tlsOrNull, requireClientCertificate, view, null);
    }

    /**
     * As above, and taking snapshots that peers send over TCP ({@code POST /cairn/snapshot}) into
     * {@code snapshotsOrNull} (null: that path is 404, as every unknown one).
     */
    public static PeerHttpServer start(final URI listenPeerUrl, final SSLContext tlsOrNull,
        final boolean requireClientCertificate, final Supplier<ClusterView> view,
        final SnapshotRequests.Intake snapshotsOrNull) throws IOException {
        final String scheme = String.valueOf(listenPeerUrl.getScheme()).toLowerCase(Locale.ROOT);
        final boolean https = scheme.equals("https");
        if (!https && !scheme.equals("http")) {
            throw new IllegalArgumentException("peer URL " + listenPeerUrl + " is neither http nor https");
        }
        if (listenPeerUrl.getHost() == null || listenPeerUrl.getPort() < 0) {
            throw new IllegalArgumentException("peer URL " + listenPeerUrl + " has no host and port");
        }
        if (https && tlsOrNull == null) {
            throw new IllegalArgumentException("peer URL " + listenPeerUrl + " is https but no peer TLS was given");
        }
        final InetSocketAddress address = new InetSocketAddress(listenPeerUrl.getHost(), listenPeerUrl.getPort());
        if (address.isUnresolved()) {
            throw new IOException("cannot listen on peer URL " + listenPeerUrl + ": unknown host");
        }
        final HttpServer server;
        try {
            if (https) {
                final HttpsServer secure = HttpsServer.create(address, BACKLOG_CONNECTIONS);
                secure.setHttpsConfigurator(new PeerTls(tlsOrNull, requireClientCertificate));
                server = secure;
            } else {
                server = HttpServer.create(address, BACKLOG_CONNECTIONS);
            }
        } catch (final IOException e) {
            throw new IOException("cannot listen on peer URL " + listenPeerUrl + ": " + e.getMessage(), e);
        }
        server.createContext("/", new PeerRequests(view, io.cairn.engine.api.EtcdVersions.SERVER, CLUSTER_VERSION));
        if (snapshotsOrNull != null) {
            server.createContext(SnapshotUploadRequest.PATH, new SnapshotRequests(snapshotsOrNull));
        }
        server.setExecutor(new BoundedVirtualThreads(EXCHANGES_IN_FLIGHT_MAX));
        startAsDaemon(server);
        return new PeerHttpServer(server);
    }

    /** The address listened on (its port is the free one chosen when the URL said 0). */
    public InetSocketAddress address() {
        return server.getAddress();
    }

    /** Stops listening and closes every connection at once; requests under way are cut off. */
    @Override
    public void close() {
        server.stop(0);
    }

    /**
     * The JDK's server accepts and selects on a thread of its own that it makes a daemon only when
     * the thread calling {@code start()} is one (java.lang.Thread's inheritance rule). Started from
     * a daemon, it never keeps the JVM from exiting.
     */
    private static void startAsDaemon(final HttpServer server) throws IOException {
        final AtomicReference<RuntimeException> failure = new AtomicReference<>();
        final Thread starter = Thread.ofPlatform().daemon().name("cairn-peer-http-start").unstarted(() -> {
            try {
                server.start();
            } catch (final RuntimeException e) {
                failure.set(e);
            }
        });
        starter.start();
        try {
            starter.join();
        } catch (final InterruptedException e) {
            Thread.currentThread().interrupt();
            server.stop(0);
            throw new InterruptedIOException("interrupted while starting the peer HTTP listener");
        }
        if (failure.get() != null) {
            server.stop(0);
            throw failure.get();
        }
    }

    /**
     * The JDK's server reads a request (and runs the TLS handshake) on the executor's thread with
     * blocking reads and, by default, no time limit; on one shared thread a single silent
     * connection would stall every joining member. A virtual thread per request costs little while
     * it waits; the permits bound how many there are (a rejected connection is closed by the JDK).
     */
    private static final class BoundedVirtualThreads implements Executor {
        private final Semaphore permits;
        private final ThreadFactory threads = Thread.ofVirtual().name("cairn-peer-http-", 0).factory();

        BoundedVirtualThreads(final int threadsMax) {
            this.permits = new Semaphore(threadsMax);
        }

        @Override
        public void execute(final Runnable exchange) {
            if (!permits.tryAcquire()) {
                throw new RejectedExecutionException("already " + EXCHANGES_IN_FLIGHT_MAX + " peer HTTP requests");
            }
            try {
                threads.newThread(() -> {
                    try {
                        exchange.run();
                    } finally {
                        permits.release();
                    }
                }).start();
            } catch (final RuntimeException | Error e) {
                permits.release();
                throw e;
            }
        }
    }

    /**
     * The TLS of one connection: the peer context's own parameters (protocols, cipher suites), and
     * a client certificate when asked. Setting them whole also drops the host-name check that the
     * peer context turns on for an engine made with a host and port, as the JDK's server makes
     * its engines: that check is the dialer's, not the listener's.
     */
    private static final class PeerTls extends HttpsConfigurator {
        private final boolean requireClientCertificate;

        PeerTls(final SSLContext context, final boolean requireClientCertificate) {
            super(context);
            this.requireClientCertificate = requireClientCertificate;
        }

        @Override
        public void configure(final HttpsParameters connection) {
            final SSLParameters parameters = getSSLContext().getDefaultSSLParameters();
            parameters.setNeedClientAuth(requireClientCertificate);
            parameters.setEndpointIdentificationAlgorithm(null);
            connection.setSSLParameters(parameters);
        }
    }
}
