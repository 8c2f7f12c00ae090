package io.cairn.btree;

import java.nio.file.Path;

/**
 * Child JVM for {@link CrashConsistencyTest}: commits numbered transactions forever and reports
 * each on stdout ("committed n", or "synced n" when commits do not sync) until it is SIGKILLed.
 */
public final class CrashChild {
    private CrashChild() {
    }

    public static void main(String[] args) throws Exception {
        Path file = Path.of(args[0]);
        boolean syncOnCommit = Boolean.parseBoolean(args[1]);
        int syncEvery = Integer.parseInt(args[2]);
        try (Env env = Env.open(file, EnvOptions.defaults().withSyncOnCommit(syncOnCommit).withMapSizeBytes(1L << 30))) {
            long n;
            try (ReadTxn r = env.beginRead()) {
                n = NumberedWorkload.last(r.bucket(NumberedWorkload.BUCKET));
            }
            System.out.println("ready " + n);
            System.out.flush();
            while (true) {
                n++;
                try (WriteTxn w = env.beginWrite()) {
                    NumberedWorkload.apply(n, w.createBucketIfAbsent(NumberedWorkload.BUCKET));
                    w.commit();
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
