package io.cairn.engine.server;

import com.google.protobuf.ByteString;
import io.cairn.btree.TreeImage;
import io.cairn.engine.node.KeyValueStore;
import io.cairn.etcd.api.etcdserverpb.SnapshotResponse;
import io.grpc.Status;
import io.grpc.stub.ServerCallStreamObserver;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * Maintenance.Snapshot as etcd streams it: the backend file in 32 KiB blobs, each with the bytes
 * still to come, then one last blob holding the SHA-256 of all of them (the trailer `snapshot
 * restore` checks). The file is a consistent image of the tree taken when the call starts; writes
 * go on meanwhile. It runs on a thread of its own and sends only while the client keeps up, so a
 * slow client holds one reader slot, not the file in memory.
 */
final class SnapshotStreamer {
    private static final int BLOB_BYTES = 32 * 1024;
    /** A wake-up lost between the check and the park costs at most this. */
    private static final long READY_RECHECK_NANOS = TimeUnit.MILLISECONDS.toNanos(10);
    private static final System.Logger LOG = System.getLogger(SnapshotStreamer.class.getName());

    private SnapshotStreamer() {
    }

    static void start(final KeyValueStore store, final ServerCallStreamObserver<SnapshotResponse> call) {
        final Thread sender = Thread.ofPlatform().name("cairn-snapshot-save").daemon().unstarted(() -> stream(store, call));
        // gRPC says when the client can take more; the sender sleeps until then (a poll cost 2x etcd's time).
        call.setOnReadyHandler(() -> LockSupport.unpark(sender));
        call.setOnCancelHandler(() -> LockSupport.unpark(sender));
        sender.start();
    }

    private static void stream(final KeyValueStore store, final ServerCallStreamObserver<SnapshotResponse> call) {
        try (TreeImage image = store.openBackendImage()) {
            final MessageDigest sha256 = MessageDigest.getInstance("SHA-256");
            final ByteBuffer buffer = ByteBuffer.allocate(BLOB_BYTES);
            final long total = image.sizeBytes();
            long sent = 0;
            while (sent < total) {
                buffer.clear();
                buffer.limit((int)Math.min(BLOB_BYTES, total - sent));
                while (buffer.hasRemaining()) {
                    image.read(sent + buffer.position(), buffer);
                }
                buffer.flip();
                // The array, not the buffer: once C2 compiled MessageDigestSpi.engineUpdate(ByteBuffer),
                // hashing a heap buffer's duplicate() ran at 6 MB/s instead of 1 GB/s (JDK 25.0.3), and a
                // 1.6 GB `snapshot save` took 137-196 s (engine/README.md, "Snapshot save").
                sha256.update(buffer.array(), buffer.arrayOffset() + buffer.position(), buffer.remaining());
                sent += buffer.remaining();
                if (!awaitReady(call)) {
                    return;
                }
                call.onNext(SnapshotResponse.newBuilder().setRemainingBytes(total - sent)
                    .setBlob(ByteString.copyFrom(buffer)).build());
            }
            if (!awaitReady(call)) {
                return;
            }
            call.onNext(SnapshotResponse.newBuilder().setRemainingBytes(0)
                .setBlob(ByteString.copyFrom(sha256.digest())).build());
            call.onCompleted();
            LOG.log(System.Logger.Level.INFO, "sent a database snapshot to a client: " + total + " bytes");
        } catch (final IOException | RuntimeException | NoSuchAlgorithmException e) {
            LOG.log(System.Logger.Level.WARNING, "failed to send a database snapshot: " + e, e);
            if (!call.isCancelled()) {
                call.onError(Status.INTERNAL.withDescription("etcdserver: snapshot failed: " + e.getMessage())
                    .asRuntimeException());
            }
        }
    }

    /** Waits until the client can take more; false when it went away. */
    private static boolean awaitReady(final ServerCallStreamObserver<SnapshotResponse> call) {
        while (!call.isReady()) {
            if (call.isCancelled()) {
                return false;
            }
            LockSupport.parkNanos(READY_RECHECK_NANOS);
        }
        return !call.isCancelled();
    }
}
