/**
 * `cairn migrate --from-etcd-snapshot`: etcd 3.4's buckets (read with {@code migrate.bolt}) into a
 * new member's tree; the member around it is built by {@code node.SnapshotRestore}. Reads etcd's
 * stored protobuf messages (mvccpb, leasepb); serves nothing.
 */
package io.cairn.engine.migrate;
