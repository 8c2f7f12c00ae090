package io.cairn.engine.server.http;

import io.grpc.netty.shaded.io.netty.buffer.ByteBuf;
import io.grpc.netty.shaded.io.netty.buffer.Unpooled;
import io.grpc.netty.shaded.io.netty.channel.ChannelFutureListener;
import io.grpc.netty.shaded.io.netty.channel.ChannelHandler;
import io.grpc.netty.shaded.io.netty.channel.ChannelHandlerContext;
import io.grpc.netty.shaded.io.netty.channel.ChannelPipeline;
import io.grpc.netty.shaded.io.netty.channel.SimpleChannelInboundHandler;
import io.grpc.netty.shaded.io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.grpc.netty.shaded.io.netty.handler.codec.http.DefaultHttpContent;
import io.grpc.netty.shaded.io.netty.handler.codec.http.DefaultHttpResponse;
import io.grpc.netty.shaded.io.netty.handler.codec.http.FullHttpRequest;
import io.grpc.netty.shaded.io.netty.handler.codec.http.FullHttpResponse;
import io.grpc.netty.shaded.io.netty.handler.codec.http.HttpHeaderNames;
import io.grpc.netty.shaded.io.netty.handler.codec.http.HttpMethod;
import io.grpc.netty.shaded.io.netty.handler.codec.http.HttpObjectAggregator;
import io.grpc.netty.shaded.io.netty.handler.codec.http.HttpResponse;
import io.grpc.netty.shaded.io.netty.handler.codec.http.HttpResponseStatus;
import io.grpc.netty.shaded.io.netty.handler.codec.http.HttpServerCodec;
import io.grpc.netty.shaded.io.netty.handler.codec.http.HttpUtil;
import io.grpc.netty.shaded.io.netty.handler.codec.http.HttpVersion;
import io.grpc.netty.shaded.io.netty.handler.codec.http.LastHttpContent;
import io.grpc.netty.shaded.io.netty.handler.codec.http.QueryStringDecoder;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;

/**
 * The HTTP/1.1 side of a member, answering as etcd 3.4 does, byte for byte where a probe or
 * scraper could tell: /health, /version (client URLs only, as in etcd), /metrics, and etcd 3.5's
 * /livez and /readyz. Anything else is etcd's (Go's) 404. Client URLs add etcd's CORS headers.
 */
@ChannelHandler.Sharable
public final class HttpEndpoints extends SimpleChannelInboundHandler<FullHttpRequest> {
    /** Probes and scrapes are small; anything larger is refused by the aggregator (413). */
    private static final int MAX_REQUEST_BYTES = 64 * 1024;
    private static final String TEXT = "text/plain; charset=utf-8";
    private static final String METRICS_TEXT = "text/plain; version=0.0.4; charset=utf-8";

    private final HealthCheck health;
    private final PrometheusRegistry registry;
    private final String versionJson;
    private final JsonGateway gateway;
    private final int maxRequestBytes;

    private HttpEndpoints(final HealthCheck health, final PrometheusRegistry registry, final String versionJson,
        final JsonGateway gateway, final int maxRequestBytes) {
        this.health = health;
        this.registry = registry;
        this.versionJson = versionJson;
        this.gateway = gateway;
        this.maxRequestBytes = maxRequestBytes;
    }

    /**
     * For a client URL: every endpoint and the JSON gateway, with CORS headers.
     *
     * @param maxGatewayRequestBytes the largest gateway request body (its values are base64, a third larger)
     */
    public static HttpEndpoints clientPort(final HealthCheck health, final PrometheusRegistry registry,
        final String etcdVersion, final String clusterVersion, final JsonGateway gateway,
        final int maxGatewayRequestBytes) {
        return new HttpEndpoints(health, registry, versionJson(etcdVersion, clusterVersion), gateway,
            maxGatewayRequestBytes);
    }

    /** For a --listen-metrics-urls URL: /metrics, /health and the probes. */
    public static HttpEndpoints metricsPort(final HealthCheck health, final PrometheusRegistry registry) {
        return new HttpEndpoints(health, registry, null, null, MAX_REQUEST_BYTES);
    }

    private static String versionJson(final String etcdVersion, final String clusterVersion) {
        return "{\"etcdserver\":\"" + etcdVersion + "\",\"etcdcluster\":\"" + clusterVersion + "\"}";
    }

    /** Puts an HTTP/1.1 codec and this handler after the named handler. */
    void addAfter(final ChannelPipeline pipeline, final String name) {
        pipeline.addAfter(name, "http-endpoints", this);
        pipeline.addAfter(name, "http-aggregator", new HttpObjectAggregator(maxRequestBytes));
        pipeline.addAfter(name, "http-codec", new HttpServerCodec());
    }

    @Override
    protected void channelRead0(final ChannelHandlerContext ctx, final FullHttpRequest request) {
        final QueryStringDecoder uri = new QueryStringDecoder(request.uri());
        final boolean keepAlive = HttpUtil.isKeepAlive(request);
        final boolean get = request.method().equals(HttpMethod.GET);
        switch (uri.path()) {
            case "/health" -> {
                if (!get) {
                    send(ctx, keepAlive, HttpResponseStatus.METHOD_NOT_ALLOWED, TEXT, "Method Not Allowed\n");
                    return;
                }
                final List<String> excluded = uri.parameters().getOrDefault("exclude", List.of());
                final boolean serializable = "true".equals(first(uri, "serializable"));
                health.check(Set.copyOf(excluded), serializable).whenComplete((result, failed) -> {
                    if (result != null && result.healthy()) {
                        send(ctx, keepAlive, HttpResponseStatus.OK, TEXT, "{\"health\":\"true\"}");
                    } else {
                        final String reason = result != null ? result.reason() : String.valueOf(failed);
                        System.getLogger(HttpEndpoints.class.getName()).log(System.Logger.Level.WARNING,
                            "/health error due to " + reason);
                        // etcd 3.4 answers {"health":"false"}; the reason is etcd 3.5's addition.
                        send(ctx, keepAlive, HttpResponseStatus.SERVICE_UNAVAILABLE, TEXT,
                            "{\"health\":\"false\",\"reason\":" + JsonText.quoted(reason) + "}\n");
                    }
                });
            }
            case "/version" -> {
                if (versionJson == null) {
                    notFound(ctx, keepAlive);
                } else if (!get) {
                    send(ctx, keepAlive, HttpResponseStatus.METHOD_NOT_ALLOWED, TEXT, "Method Not Allowed\n");
                } else {
                    send(ctx, keepAlive, HttpResponseStatus.OK, "application/json", versionJson);
                }
            }
            // A scrape takes 100 ms or more; off the event loop, which gRPC calls share.
            case "/metrics" -> CompletableFuture.supplyAsync(this::scrape).whenComplete((text, failed) -> {
                if (text != null) {
                    send(ctx, keepAlive, HttpResponseStatus.OK, METRICS_TEXT, Unpooled.wrappedBuffer(text));
                } else {
                    send(ctx, keepAlive, HttpResponseStatus.INTERNAL_SERVER_ERROR, TEXT, "scrape failed: " + failed + "\n");
                }
            });
            case "/livez" -> probe(ctx, keepAlive, uri, "livez", false);
            case "/readyz" -> probe(ctx, keepAlive, uri, "readyz", true);
            default -> {
                if (gateway == null || !gateway.handles(uri.path())) {
                    notFound(ctx, keepAlive);
                } else if (!request.method().equals(HttpMethod.POST)) {
                    send(ctx, keepAlive, HttpResponseStatus.METHOD_NOT_ALLOWED, TEXT, "Method Not Allowed\n");
                } else if (gateway.isStream(uri.path())) {
                    stream(ctx, keepAlive, uri.path(), request.content().toString(StandardCharsets.UTF_8),
                        request.headers().get(HttpHeaderNames.AUTHORIZATION));
                } else {
                    gateway.call(uri.path(), request.content().toString(StandardCharsets.UTF_8),
                        request.headers().get(HttpHeaderNames.AUTHORIZATION)).whenComplete(
                        (answer, failed) -> send(ctx, keepAlive, HttpResponseStatus.valueOf(answer.httpStatus()),
                            "application/json", answer.json()));
                }
            }
        }
    }

    /**
     * A streaming gateway call: a chunked answer, one JSON line per response, ended when the call
     * ends; the call is cancelled if the client goes away first.
     */
    private void stream(final ChannelHandlerContext ctx, final boolean keepAlive, final String path, final String body,
        final String authorization) {
        final Runnable cancel = gateway.stream(path, body, authorization, new GatewayStreams.Sink() {
            private boolean started;

            @Override
            public void refuse(final JsonGateway.Answer error) {
                send(ctx, keepAlive, HttpResponseStatus.valueOf(error.httpStatus()), "application/json", error.json());
            }

            /** The chunked answer's head, before its first line (or its end, if it has none). */
            private void startOnce(final int httpStatus) {
                if (started) {
                    return;
                }
                started = true;
                final HttpResponse head = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.valueOf(httpStatus));
                corsHeaders(head);
                head.headers().set(HttpHeaderNames.CONTENT_TYPE, "application/json")
                    .set("Grpc-Metadata-Content-Type", "application/grpc");
                HttpUtil.setTransferEncodingChunked(head, true);
                HttpUtil.setKeepAlive(head, keepAlive);
                ctx.write(head);
            }

            @Override
            public synchronized CompletableFuture<Void> line(final int httpStatus, final String json) {
                final CompletableFuture<Void> written = new CompletableFuture<>();
                final boolean queued = inOrder(() -> {
                    startOnce(httpStatus);
                    ctx.writeAndFlush(new DefaultHttpContent(Unpooled.copiedBuffer(json + "\n", StandardCharsets.UTF_8)))
                        .addListener(future -> {
                            if (future.isSuccess()) {
                                written.complete(null);
                            } else {
                                written.completeExceptionally(future.cause());
                            }
                        });
                });
                if (!queued) {
                    written.completeExceptionally(new IllegalStateException("the connection's event loop has stopped"));
                }
                return written;
            }

            @Override
            public synchronized void end() {
                inOrder(() -> {
                    startOnce(200); // a call that ended without a response: an empty chunked answer
                    final var last = ctx.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT);
                    if (!keepAlive) {
                        last.addListener(ChannelFutureListener.CLOSE);
                    }
                });
            }

            /**
             * Runs {@code write} on the event loop after every write asked for before it. Netty runs a
             * write asked for on the event loop at once and queues one asked for elsewhere, so a line
             * from the apply thread and the end from the event loop (where the half-close arrives)
             * went out end first: the answer's head and line after its end, and the client waited for
             * the rest for ever. Queued, they keep the order they were asked in (this object's lock).
             */
            private boolean inOrder(final Runnable write) {
                try {
                    ctx.executor().execute(write);
                    return true;
                } catch (final RejectedExecutionException stopped) {
                    return false;
                }
            }
        });
        ctx.channel().closeFuture().addListener(closed -> cancel.run());
    }

    /**
     * etcd 3.5's probes, in their text form: "ok", or "[-]check failed: why" lines and "<probe>
     * check failed"; {@code ?verbose} lists every check. /livez: the process serves. /readyz: no
     * CORRUPT alarm, and a linearizable read completes (the member can serve consistent reads).
     */
    private void probe(final ChannelHandlerContext ctx, final boolean keepAlive, final QueryStringDecoder uri,
        final String name, final boolean ready) {
        final boolean verbose = uri.parameters().containsKey("verbose");
        if (!ready) {
            send(ctx, keepAlive, HttpResponseStatus.OK, TEXT, verbose ? "[+]serializable_read ok\nok" : "ok");
            return;
        }
        final String corruption = health.corrupted() ? "[-]data_corruption failed: alarm activated\n"
            : "[+]data_corruption ok\n";
        health.linearizableRead().whenComplete((result, failed) -> {
            final String read = result != null && result.healthy() ? "[+]linearizable_read ok\n"
                : "[-]linearizable_read failed: " + (result != null ? result.reason() : failed) + "\n";
            final String checks = corruption + "[+]serializable_read ok\n" + read;
            if (!checks.contains("[-]")) {
                send(ctx, keepAlive, HttpResponseStatus.OK, TEXT, verbose ? checks + "ok" : "ok");
            } else {
                send(ctx, keepAlive, HttpResponseStatus.SERVICE_UNAVAILABLE, TEXT, checks + name + " check failed\n");
            }
        });
    }

    /** The registry in Prometheus' text format. */
    private byte[] scrape() {
        final ByteArrayOutputStream out = new ByteArrayOutputStream(128 * 1024);
        try {
            PrometheusTextFormatWriter.create().write(out, registry.scrape());
        } catch (final IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    private void notFound(final ChannelHandlerContext ctx, final boolean keepAlive) {
        send(ctx, keepAlive, HttpResponseStatus.NOT_FOUND, TEXT, "404 page not found\n");
    }

    private void send(final ChannelHandlerContext ctx, final boolean keepAlive, final HttpResponseStatus status,
        final String contentType, final String body) {
        send(ctx, keepAlive, status, contentType, Unpooled.copiedBuffer(body, StandardCharsets.UTF_8));
    }

    private void send(final ChannelHandlerContext ctx, final boolean keepAlive, final HttpResponseStatus status,
        final String contentType, final ByteBuf body) {
        final FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, body);
        corsHeaders(response);
        response.headers().set(HttpHeaderNames.CONTENT_TYPE, contentType);
        if (status.code() >= 400 && !contentType.equals("application/json")) {
            response.headers().set("X-Content-Type-Options", "nosniff");
        }
        HttpUtil.setContentLength(response, body.readableBytes());
        HttpUtil.setKeepAlive(response, keepAlive);
        final var written = ctx.writeAndFlush(response);
        if (!keepAlive) {
            written.addListener(ChannelFutureListener.CLOSE);
        }
    }

    /** etcd's CORS headers, on a client URL's answers. */
    private void corsHeaders(final HttpResponse response) {
        if (versionJson != null) { // a client URL
            response.headers()
                .set("Access-Control-Allow-Headers", "accept, content-type, authorization")
                .set("Access-Control-Allow-Methods", "POST, GET, OPTIONS, PUT, DELETE")
                .set("Access-Control-Allow-Origin", "*");
        }
    }

    /** A request the codec could not parse, or that is too large: answered and closed, as Go's server does. */
    @Override
    public void exceptionCaught(final ChannelHandlerContext ctx, final Throwable cause) {
        ctx.close();
    }

    private static String first(final QueryStringDecoder uri, final String parameter) {
        final List<String> values = uri.parameters().get(parameter);
        return values == null || values.isEmpty() ? null : values.getFirst();
    }

}
