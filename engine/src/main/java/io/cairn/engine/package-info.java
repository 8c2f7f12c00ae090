/** The Cairn server: MVCC store, watch, lease, auth and cluster behind etcd's v3 gRPC API. */
package io.cairn.engine;
