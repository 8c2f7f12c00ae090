/**
 * The HTTP endpoints etcd serves beside gRPC: /health, /version and /metrics (etcd 3.4), and
 * /livez and /readyz (etcd 3.5's probes). Like etcd, a client URL answers both protocols on one
 * port: {@link ProtocolSniffer} reads a connection's first bytes and hands it to gRPC (an HTTP/2
 * preface) or to {@link HttpEndpoints} (anything else). A --listen-metrics-urls port answers HTTP
 * only. Netty here is grpc-netty-shaded's, the copy the gRPC server runs on; like gRPC, this is
 * part of the server facade.
 */
package io.cairn.engine.server.http;
