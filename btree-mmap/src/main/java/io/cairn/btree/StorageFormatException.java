package io.cairn.btree;

import java.io.IOException;

/** The file cannot be opened as a Cairn B+tree: not ours, another page size, truncated, or both metas corrupt. */
public final class StorageFormatException extends IOException {
    private static final long serialVersionUID = 1L;

    public StorageFormatException(String message) {
        super(message);
    }
}
