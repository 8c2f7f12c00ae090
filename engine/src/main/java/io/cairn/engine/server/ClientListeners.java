package io.cairn.engine.server;

import io.cairn.engine.config.ServerConfig;
import io.cairn.engine.config.UrlList;
import io.cairn.engine.server.http.HttpEndpoints;
import io.cairn.engine.server.http.HttpOrGrpcNegotiator;
import io.cairn.engine.server.http.TlsTermination;
import io.cairn.engine.tls.TlsContext;
import io.cairn.etcd.api.etcdserverpb.AuthGrpc;
import io.cairn.etcd.api.etcdserverpb.ClusterGrpc;
import io.cairn.etcd.api.etcdserverpb.KVGrpc;
import io.cairn.etcd.api.etcdserverpb.LeaseGrpc;
import io.cairn.etcd.api.etcdserverpb.MaintenanceGrpc;
import io.cairn.etcd.api.etcdserverpb.WatchGrpc;
import io.cairn.etcd.api.v3electionpb.ElectionGrpc;
import io.cairn.etcd.api.v3lockpb.LockGrpc;
import io.grpc.Server;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.ServerServiceDefinition;
import io.grpc.ServiceDescriptor;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * The member's client-facing ports, listening before the member can serve, as etcd's do: every
 * address of --listen-client-urls and --listen-metrics-urls accepts connections from the start of
 * a member's start. Until {@link #serve}, a gRPC call waits in {@link LateServices} and an HTTP
 * request in its connection, unread; a TLS handshake and a connection's HTTP/2 set-up go ahead.
 * An https URL is served over TLS (client TLS flags); an http and an https URL on one address
 * share its port.
 */
public final class ClientListeners {
    /** Room gRPC allows above --max-request-bytes so an oversized request gets etcd's own error. */
    static final int GRPC_OVERHEAD_BYTES = 512 * 1024;
    /** Every service a client port serves; a call to any of them may come before the member serves. */
    private static final List<ServiceDescriptor> SERVICES = List.of(KVGrpc.getServiceDescriptor(),
        WatchGrpc.getServiceDescriptor(), LeaseGrpc.getServiceDescriptor(), ClusterGrpc.getServiceDescriptor(),
        MaintenanceGrpc.getServiceDescriptor(), AuthGrpc.getServiceDescriptor(), LockGrpc.getServiceDescriptor(),
        ElectionGrpc.getServiceDescriptor());

    private final PrometheusRegistry registry;
    private final GrpcServerMetrics grpcMetrics;
    private final List<GrpcPort> grpcPorts;
    private final List<Server> servers;
    private final CompletableFuture<HttpEndpoints> clientHttp;
    private final CompletableFuture<HttpEndpoints> metricsHttp;

    private ClientListeners(final PrometheusRegistry registry, final GrpcServerMetrics grpcMetrics,
        final List<GrpcPort> grpcPorts, final List<Server> servers, final CompletableFuture<HttpEndpoints> clientHttp,
        final CompletableFuture<HttpEndpoints> metricsHttp) {
        this.registry = registry;
        this.grpcMetrics = grpcMetrics;
        this.grpcPorts = grpcPorts;
        this.servers = servers;
        this.clientHttp = clientHttp;
        this.metricsHttp = metricsHttp;
    }

    /** A client address's gRPC services, and whether its calls carry a client certificate's name. */
    private record GrpcPort(LateServices services, boolean clientCertificates) {
    }

    /** One listening address and the schemes its URLs ask for there. */
    private record Address(InetSocketAddress socket, boolean plain, boolean tls) {
    }

    /**
     * Listens on every client and metrics address of {@code config}; {@code clientTls} ({@code
     * ServerTls.client}, null without client TLS) serves the https URLs.
     */
    public static ClientListeners bind(final ServerConfig config, final TlsContext clientTls) throws IOException {
        final TlsTermination tls = clientTls == null ? null : new TlsTermination(clientTls);
        final PrometheusRegistry registry = new PrometheusRegistry();
        final GrpcServerMetrics grpcMetrics = new GrpcServerMetrics(registry);
        final CompletableFuture<HttpEndpoints> clientHttp = new CompletableFuture<>();
        final CompletableFuture<HttpEndpoints> metricsHttp = new CompletableFuture<>();
        final List<GrpcPort> grpcPorts = new ArrayList<>();
        final List<Server> servers = new ArrayList<>();
        try {
            for (final Address address : addresses(config.urls().listenClientUrls())) {
                final LateServices services = new LateServices(SERVICES);
                grpcPorts.add(new GrpcPort(services,
                    address.tls() && clientTls.settings().clientCertAuth() && !clientTls.settings().usesAutoTls()));
                servers.add(NettyServerBuilder
                    .forAddress(address.socket(), HttpOrGrpcNegotiator.clientPort(clientHttp,
                        address.tls() ? tls : null, address.plain()))
                    .maxInboundMessageSize((int)config.limits().maxRequestBytes() + GRPC_OVERHEAD_BYTES)
                    // Handlers run on the event loop that read the request; see ScanExecutor for why.
                    .directExecutor()
                    .fallbackHandlerRegistry(services)
                    .addStreamTracerFactory(grpcMetrics.byteCounter())
                    .build().start());
            }
            for (final Address address : addresses(config.urls().listenMetricsUrls())) {
                servers.add(NettyServerBuilder
                    .forAddress(address.socket(), HttpOrGrpcNegotiator.metricsPort(metricsHttp,
                        address.tls() ? tls : null, address.plain()))
                    .build().start());
            }
        } catch (final IOException e) {
            servers.forEach(Server::shutdownNow);
            throw new IOException("cannot listen for clients: " + e.getMessage(), e);
        }
        return new ClientListeners(registry, grpcMetrics, grpcPorts, servers, clientHttp, metricsHttp);
    }

    /** The URLs grouped by host and port, in the order given (etcd serves http and https on one address together). */
    private static List<Address> addresses(final List<URI> urls) {
        final Map<String, Address> byAuthority = new LinkedHashMap<>();
        for (final URI url : urls) {
            final boolean tls = UrlList.isTls(url);
            byAuthority.merge(url.getRawAuthority(),
                new Address(new InetSocketAddress(url.getHost(), url.getPort()), !tls, tls),
                (first, more) -> new Address(first.socket(), first.plain() || more.plain(), first.tls() || more.tls()));
        }
        return List.copyOf(byAuthority.values());
    }

    /** The member's metrics, which the ports' own gRPC figures are part of. */
    PrometheusRegistry registry() {
        return registry;
    }

    GrpcServerMetrics grpcMetrics() {
        return grpcMetrics;
    }

    /** How many gRPC calls wait for the member to serve (tests). */
    int waitingCalls() {
        return grpcPorts.stream().mapToInt(port -> port.services().waitingCalls()).sum();
    }

    /** The listening servers, to await and to shut down. */
    List<Server> servers() {
        return servers;
    }

    /**
     * Serves from now on, the calls and requests that waited first. {@code interceptors} wrap every
     * service as a server's own would (the last runs first); on an https address that checks client
     * certificates, {@link ClientCertificates} runs before them.
     */
    void serve(final List<ServerServiceDefinition> services, final List<ServerInterceptor> interceptors,
        final HttpEndpoints client, final HttpEndpoints metrics) {
        for (final GrpcPort port : grpcPorts) {
            final List<ServerInterceptor> chain = new ArrayList<>(interceptors);
            if (port.clientCertificates()) {
                chain.add(new ClientCertificates()); // last, so it runs first: every later one sees the CN
            }
            port.services().serve(services.stream().map(service -> ServerInterceptors.intercept(service, chain))
                .toList());
        }
        clientHttp.complete(client);
        metricsHttp.complete(metrics);
    }
}
