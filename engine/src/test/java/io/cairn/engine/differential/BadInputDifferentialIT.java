package io.cairn.engine.differential;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.cairn.engine.testing.ServerProcess;
import io.cairn.etcd.api.etcdserverpb.KVGrpc;
import io.cairn.etcd.api.etcdserverpb.PutRequest;
import io.cairn.etcd.api.etcdserverpb.RangeRequest;
import io.grpc.StatusRuntimeException;
import java.io.OutputStream;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Requests a client should not send, sent to etcd and to Cairn: both refuse them the same way and
 * go on serving. Garbage on the client port must not take either down.
 */
class BadInputDifferentialIT {
    private static final int MAX_REQUEST_BYTES = 1_572_864;

    @Test
    void bothRefuseTheSameWayAndKeepServing() throws Exception {
        final List<String> etcd = session(ServerProcess.Kind.ETCD);
        final List<String> cairn = session(ServerProcess.Kind.CAIRN);
        assertEquals(etcd, cairn);
    }

    private static List<String> session(final ServerProcess.Kind kind) throws Exception {
        final List<String> answers = new ArrayList<>();
        try (ServerProcess server = ServerProcess.start(kind, ServerProcess.freePort(), ServerProcess.freePort())) {
            final KVGrpc.KVBlockingStub kv = KVGrpc.newBlockingStub(server.channel())
                .withDeadlineAfter(30, TimeUnit.SECONDS);
            // Just over --max-request-bytes: etcd's own error.
            answers.add(call(() -> kv.put(PutRequest.newBuilder().setKey(ByteString.copyFromUtf8("big"))
                .setValue(ByteString.copyFrom(new byte[MAX_REQUEST_BYTES])).build())));
            // Far over it: refused by gRPC itself (the message text is the gRPC library's, so codes only).
            answers.add(codeOnly(call(() -> kv.put(PutRequest.newBuilder().setKey(ByteString.copyFromUtf8("huge"))
                .setValue(ByteString.copyFrom(new byte[MAX_REQUEST_BYTES + 600 * 1024])).build()))));
            answers.add(call(() -> kv.range(RangeRequest.getDefaultInstance())));
            answers.add(call(() -> kv.put(PutRequest.newBuilder().setKey(ByteString.copyFromUtf8("k"))
                .setLease(-7).build())));
            answers.add(call(() -> kv.range(RangeRequest.newBuilder().setKey(ByteString.copyFromUtf8("k"))
                .setRevision(Long.MAX_VALUE).build())));
            answers.add(call(() -> kv.range(RangeRequest.newBuilder().setKey(ByteString.copyFromUtf8("k"))
                .setSortOrderValue(7).build())));
            sendGarbage(server.clientUrl());
            // Still serving after all that.
            answers.add(call(() -> kv.put(PutRequest.newBuilder().setKey(ByteString.copyFromUtf8("after"))
                .setValue(ByteString.copyFromUtf8("ok")).build())));
            answers.add(call(() -> kv.range(RangeRequest.newBuilder().setKey(ByteString.copyFromUtf8("after"))
                .build()).getKvs(0).getValue().toStringUtf8()));
        }
        assertTrue(answers.get(answers.size() - 1).equals("ok"), "server stopped serving: " + answers);
        return answers;
    }

    private static void sendGarbage(final String clientUrl) throws Exception {
        final java.net.URI url = java.net.URI.create(clientUrl);
        final Random random = new Random(7);
        for (int connection = 0; connection < 20; connection++) {
            try (Socket socket = new Socket(url.getHost(), url.getPort())) {
                final byte[] junk = new byte[1 + random.nextInt(64 * 1024)];
                random.nextBytes(junk);
                if (connection % 4 == 0) {
                    System.arraycopy("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(), 0, junk, 0, Math.min(24, junk.length));
                }
                final OutputStream out = socket.getOutputStream();
                out.write(junk);
                out.flush();
            } catch (final java.io.IOException resetByPeer) {
                // A server may hang up on garbage: that is the right answer.
            }
        }
    }

    private static String call(final java.util.concurrent.Callable<Object> request) {
        try {
            final Object response = request.call();
            return response instanceof com.google.protobuf.Message message
                ? message.getClass().getSimpleName() : String.valueOf(response);
        } catch (final StatusRuntimeException e) {
            return e.getStatus().getCode() + ": " + e.getStatus().getDescription();
        } catch (final Exception e) {
            throw new AssertionError(e);
        }
    }

    private static String codeOnly(final String answer) {
        final int colon = answer.indexOf(':');
        return colon < 0 ? answer : answer.substring(0, colon);
    }
}
