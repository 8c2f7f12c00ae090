package io.cairn.wal;

import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Remembers that the filesystem refused O_DIRECT, so a log warns once and from then on opens its
 * segments for buffered writes (each write still followed by fdatasync).
 */
final class DirectIoFallback {
    private static final System.Logger LOG = System.getLogger(DirectIoFallback.class.getName());
    private final AtomicBoolean refused = new AtomicBoolean();

    boolean refused() {
        return refused.get();
    }

    void refuse(String path, String call) {
        if (refused.compareAndSet(false, true)) {
            LOG.log(System.Logger.Level.WARNING, "WAL: the filesystem of {0} refuses O_DIRECT ({1}: EINVAL); "
                    + "using buffered writes, each followed by fdatasync", path, call);
        }
    }
}
