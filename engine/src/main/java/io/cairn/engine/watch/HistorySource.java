package io.cairn.engine.watch;

import io.cairn.engine.mvcc.History;
import java.util.function.Function;

/** The store as the watch thread sees it: snapshots of its history, and its current revision. */
public interface HistorySource {
    /** Runs {@code reader} on one consistent snapshot of the store. */
    <T> T read(Function<History, T> reader);

    long currentRevision();
}
