package io.cairn.engine.watch;

import io.cairn.engine.mvcc.History;
import java.util.function.Function;

/**
 * The store as the watch thread sees it: snapshots of its history. Deliberately not MvccStore's
 * current revision, which moves before the tree commits: the hub answers with the revision it
 * has published, read from these snapshots.
 */
public interface HistorySource {
    /** Runs {@code reader} on one consistent snapshot of the store. */
    <T> T read(Function<History, T> reader);
}
