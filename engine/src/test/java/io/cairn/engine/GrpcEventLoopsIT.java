package io.cairn.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.google.protobuf.ByteString;
import io.cairn.engine.testing.ServerProcess;
import io.cairn.etcd.api.etcdserverpb.KVGrpc;
import io.cairn.etcd.api.etcdserverpb.PutRequest;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * A member serves its clients on {@link Main#eventLoops} event loops ({@link Main#NETTY_EVENT_LOOPS_PROPERTY}),
 * not Netty's twice the cores: it runs as a process, takes twice as many connections as it should
 * have loops and one more, a put on each (a connection starts the next loop, round-robin, until
 * every loop runs), and its threads are counted from /proc.
 */
class GrpcEventLoopsIT {
    private static final String WORKER_THREAD_PREFIX = "grpc-default-wo"; // the kernel keeps 15 characters

    @Test
    void clientsAreServedOnHalfTheCores() throws Exception {
        Assumptions.assumeTrue(Files.isDirectory(Path.of("/proc/self/task")), "needs /proc");
        final int expected = Main.eventLoops(Runtime.getRuntime().availableProcessors());
        final int clientPort = ServerProcess.freePort();
        final List<ManagedChannel> channels = new ArrayList<>();
        try (ServerProcess member = ServerProcess.start(ServerProcess.Kind.CAIRN, clientPort,
            ServerProcess.freePort())) {
            for (int i = 0; i < 2 * expected + 1; i++) {
                final ManagedChannel channel = ManagedChannelBuilder.forAddress("127.0.0.1", clientPort)
                    .usePlaintext().build();
                channels.add(channel);
                KVGrpc.newBlockingStub(channel).withDeadlineAfter(5, TimeUnit.SECONDS).put(PutRequest.newBuilder()
                    .setKey(ByteString.copyFromUtf8("k" + i)).setValue(ByteString.copyFromUtf8("v")).build());
            }
            assertEquals(expected, workerThreads(member.pid()),
                "event loop threads of a member on " + Runtime.getRuntime().availableProcessors() + " processors");
        } finally {
            channels.forEach(ManagedChannel::shutdownNow);
        }
    }

    private static long workerThreads(final long pid) throws IOException {
        try (Stream<Path> tasks = Files.list(Path.of("/proc", Long.toString(pid), "task"))) {
            return tasks.filter(task -> {
                try {
                    return Files.readString(task.resolve("comm")).startsWith(WORKER_THREAD_PREFIX);
                } catch (final IOException gone) {
                    return false; // the thread ended while we looked
                }
            }).count();
        }
    }
}
