package io.cairn.engine.node;

import io.cairn.engine.api.EtcdError;
import io.cairn.engine.api.EtcdException;
import io.cairn.engine.mvcc.KeyRange;
import io.cairn.engine.mvcc.KeyValue;
import io.cairn.engine.mvcc.RangeQuery;
import io.cairn.engine.mvcc.TxnOp;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

/** What the cluster tests do to members as a client would, and how they compare members' data. */
final class ClusterClients {
    /** Every key: etcd's key "\0" with range end "\0". */
    private static final KeyRange ALL_KEYS = KeyRange.of(new byte[] {0}, new byte[] {0});

    private ClusterClients() {
    }

    static byte[] bytes(final String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    static String string(final byte[] b) {
        return new String(b, StandardCharsets.UTF_8);
    }

    static TxnOp.Put put(final String key, final String value) {
        return new TxnOp.Put(bytes(key), bytes(value), 0, false, false, false);
    }

    /** The key's value in the member's tree, or null when absent. */
    static String value(final RaftKeyValueStore member, final String key) {
        final List<KeyValue> kvs = member.range(RangeQuery.of(KeyRange.of(bytes(key), new byte[0]))).kvs();
        return kvs.isEmpty() ? null : string(kvs.getFirst().value());
    }

    /** Every key of the member's tree with its revisions, version and value, one line each, in key order. */
    static List<String> dump(final RaftKeyValueStore member) {
        final List<String> lines = new ArrayList<>();
        for (final KeyValue kv : member.range(RangeQuery.of(ALL_KEYS)).kvs()) {
            lines.add(string(kv.key()) + " create=" + kv.createRevision() + " mod=" + kv.modRevision() + " version="
                + kv.version() + " value=" + string(kv.value()));
        }
        return lines;
    }

    /** The etcd error a failed call ended with, or null when it failed otherwise. */
    static EtcdError error(final Throwable failure) {
        Throwable t = failure;
        while ((t instanceof ExecutionException || t instanceof CompletionException) && t.getCause() != null) {
            t = t.getCause();
        }
        return t instanceof EtcdException e ? e.error() : null;
    }
}
