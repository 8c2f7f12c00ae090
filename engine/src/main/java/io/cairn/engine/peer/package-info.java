/**
 * What members tell each other outside Raft, on the TCP port of their peer URL, as etcd 3.4 does
 * on its peer listener: {@code GET /members} (the member list and, in the {@code X-Etcd-Cluster-ID}
 * header, the cluster id) and {@code GET /version}; and, Cairn's own, {@code POST /cairn/snapshot}, a
 * snapshot a peer sends over TCP, handed to the member's transport ({@link SnapshotRequests}). Raft
 * itself travels over Aeron (UDP) on the same port number, so the two never meet.
 *
 * <p>A member started with {@code --initial-cluster-state existing} (after {@code etcdctl member add})
 * asks the peers named in {@code --initial-cluster} for their view ({@link RemoteCluster}) and takes
 * its own and the other members' ids from it ({@link JoinCheck}), which is etcd's
 * {@code GetClusterFromRemotePeers} followed by {@code ValidateClusterAndAssignIDs}. The answer is
 * etcd's byte for byte ({@link MembersJson}), so a Cairn member could join from etcd's answer and the
 * other way round; one Cairn header, {@code X-Cairn-Removed-Member-IDs}, lets a removed member
 * that restarts learn that it was removed.
 *
 * <p>Serving uses the JDK's {@code com.sun.net.httpserver} (no second HTTP stack beside gRPC's Netty
 * for two small endpoints); asking uses the JDK's {@code HttpURLConnection}, the lighter of its two
 * clients on a cold start ({@link RemoteCluster} says why). TLS contexts come from the
 * caller (the peer side of {@code io.cairn.engine.tls.TlsContext}). The answer is read with Gson,
 * already on the engine's classpath through protobuf-java-util: a maintained parser rather than a
 * hand-written one, and its streaming reader hands out a number's literal text, which etcd's
 * unsigned 64-bit member ids need (they do not fit a long's signed range, nor a double).
 */
package io.cairn.engine.peer;
