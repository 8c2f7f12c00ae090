package io.cairn.engine.migrate;

import java.nio.file.Path;

/** A bbolt file whose contents are not what etcd 3.4 stores: the message names the file and what is wrong. */
public final class EtcdSnapshotException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    public EtcdSnapshotException(final Path file, final String problem) {
        super(file + ": " + problem);
    }
}
