package io.cairn.engine.testing;

import com.google.protobuf.ByteString;
import io.cairn.etcd.api.etcdserverpb.KVGrpc;
import io.cairn.etcd.api.etcdserverpb.PutRequest;
import io.grpc.StatusRuntimeException;

/** Fills a server through one member until it refuses a put (--quota-backend-bytes), for the quota tests. */
public final class QuotaFill {
    /** The first refusal ("CODE: description", null if none came) and the puts accepted before it. */
    public record Outcome(String refusal, int puts) {
    }

    private QuotaFill() {
    }

    /** Puts {@code valueBytes}-byte values under key-0, key-1, ... until one is refused, at most {@code putsMax}. */
    public static Outcome untilRefused(final KVGrpc.KVBlockingStub kv, final int valueBytes, final int putsMax) {
        int puts = 0;
        while (puts < putsMax) {
            try {
                kv.put(PutRequest.newBuilder().setKey(ByteString.copyFromUtf8("key-" + puts))
                    .setValue(ByteString.copyFrom(new byte[valueBytes])).build());
                puts++;
            } catch (final StatusRuntimeException e) {
                return new Outcome(e.getStatus().getCode() + ": " + e.getStatus().getDescription(), puts);
            }
        }
        return new Outcome(null, puts);
    }
}
