/**
 * /metrics: the member's figures under etcd 3.4's metric names, types and labels, so etcd's
 * Grafana dashboard and alert rules work unchanged, plus Cairn's own under {@code cairn_}. Values
 * are read when scraped (callbacks and collectors), so the request path records nothing extra.
 * Imports node (what it reads) and the Prometheus client; only server imports it.
 */
package io.cairn.engine.metrics;
