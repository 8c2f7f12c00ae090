package io.cairn.btree;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Child JVM for {@link CrashConsistencyTest}: commits numbered transactions forever and reports
 * each on stdout ("committed n", or "synced n" when commits do not sync) until it is SIGKILLed.
 * With mode "thread", commits do not sync and another thread syncs over and over while they go
 * on, reporting the last transaction committed before each sync began (as Cairn's tree syncer does).
 */
public final class CrashChild {
    private CrashChild() {
    }

    public static void main(String[] args) throws Exception {
        Path file = Path.of(args[0]);
        boolean syncThread = args[1].equals("thread");
        boolean syncOnCommit = Boolean.parseBoolean(args[1]);
        int syncEvery = Integer.parseInt(args[2]);
        try (Env env = Env.open(file, EnvOptions.defaults().withSyncOnCommit(syncOnCommit).withMapSizeBytes(1L << 30))) {
            long n;
            try (ReadTxn r = env.beginRead()) {
                n = NumberedWorkload.last(r.bucket(NumberedWorkload.BUCKET));
            }
            System.out.println("ready " + n);
            System.out.flush();
            AtomicLong committed = new AtomicLong(n);
            if (syncThread) {
                long start = n;
                Thread syncer = new Thread(() -> {
                    try {
                        // Reports only progress: a sync before the first commit would report the start.
                        for (long reported = start; true; ) {
                            long before = committed.get();
                            env.sync();
                            if (before > reported) {
                                System.out.println("synced " + before);
                                System.out.flush();
                                reported = before;
                            }
                        }
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                });
                syncer.setDaemon(true);
                syncer.start();
            }
            while (true) {
                n++;
                try (WriteTxn w = env.beginWrite()) {
                    NumberedWorkload.apply(n, w.createBucketIfAbsent(NumberedWorkload.BUCKET));
                    w.commit();
                }
                committed.set(n);
                if (syncThread) {
                    continue;
                }
                if (syncOnCommit) {
                    System.out.println("committed " + n);
                } else if (n % syncEvery == 0) {
                    env.sync();
                    System.out.println("synced " + n);
                }
                System.out.flush();
            }
        }
    }
}
