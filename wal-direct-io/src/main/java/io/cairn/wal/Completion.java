package io.cairn.wal;

import java.io.IOException;
import java.util.concurrent.CompletableFuture;

/**
 * What an append or a snapshot marker waits for: told once, when its write is durable or why it
 * never will be. Called holding the WAL's write role (or its lock, for a refusal before writing).
 */
interface Completion {
    void durable();

    void failed(IOException cause);

    /** An asynchronous append's: completes the future the caller holds. */
    record OfFuture(CompletableFuture<Void> future) implements Completion {
        @Override
        public void durable() {
            future.complete(null);
        }

        @Override
        public void failed(final IOException cause) {
            future.completeExceptionally(cause);
        }
    }
}
