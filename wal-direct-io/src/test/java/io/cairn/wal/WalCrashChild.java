package io.cairn.wal;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;

/**
 * Child JVM of {@link WalCrashTest}: appends from several threads until killed, printing
 * "durable INDEX" once an entry's completion fired. Payloads derive from the index, so the parent
 * can check them without being told.
 */
public final class WalCrashChild {
    static final WalOptions OPTIONS = WalOptions.defaults().withMaxWriteBytes(64 << 10).withSegmentBytes(256 << 10);

    private WalCrashChild() {
    }

    static byte[] payloadOf(long index) {
        SplittableRandom random = new SplittableRandom(index * 0x9E3779B97F4A7C15L);
        byte[] bytes = new byte[random.nextInt(3000)];
        random.nextBytes(bytes);
        return bytes;
    }

    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[0]);
        int threads = Integer.parseInt(args[1]);
        Wal wal = Wal.open(dir, OPTIONS);
        long[] next = {wal.recovered().lastIndex() + 1};
        Object order = new Object();
        System.out.println("ready " + wal.recovered().lastIndex());
        System.out.flush();
        for (int t = 0; t < threads; t++) {
            // Thread 0 writes on its own thread (as the Raft loop does); the others through the flusher.
            boolean writesItself = t == 0;
            Thread.ofPlatform().start(() -> {
                while (true) {
                    long index;
                    CompletableFuture<Void> durable;
                    synchronized (order) {
                        index = next[0]++;
                        List<Entry> entries = List.of(new Entry(1, index, payloadOf(index)));
                        HardState state = index % 5 == 0 ? new HardState(1, 1, index) : null;
                        if (writesItself) {
                            appendAndSync(wal, entries, state);
                            durable = CompletableFuture.completedFuture(null);
                        } else {
                            durable = wal.append(entries, state);
                        }
                    }
                    durable.join();
                    synchronized (System.out) {
                        System.out.println("durable " + index);
                        System.out.flush();
                    }
                }
            });
        }
    }

    private static void appendAndSync(Wal wal, List<Entry> entries, HardState state) {
        try {
            wal.appendAndSync(entries, state);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
