package io.cairn.engine.watch;

import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One gRPC watch stream: its watchers by id and the responses queued for it. The queue is bounded
 * in bytes: a watcher whose response does not fit falls out of sync and later catches up from the
 * store, so a client that does not read costs at most {@code queuedBytesMax} (plus one response).
 * Everything but the request inbox and the signal flags belongs to the watch thread.
 */
public final class WatchStream {
    final StreamSink sink;
    private final long queuedBytesMax;
    /** Filled by the gRPC thread; holds one request at a time, because the stream asks for one at a time. */
    final ConcurrentLinkedQueue<WatchOp> requests = new ConcurrentLinkedQueue<>();
    final AtomicBoolean readySignalled = new AtomicBoolean();
    final AtomicBoolean closeSignalled = new AtomicBoolean();

    final Map<Long, Watcher> watchers = new HashMap<>();
    private final ArrayDeque<Queued> queue = new ArrayDeque<>();
    private long queuedBytes;
    long nextAutoId;
    boolean requestWithheld;
    boolean flushPending;
    /** A stream-wide progress request waits for this stream's watchers to be synced. */
    boolean progressRequested;
    boolean closed;

    WatchStream(final StreamSink sink, final long queuedBytesMax) {
        this.sink = sink;
        this.queuedBytesMax = queuedBytesMax;
    }

    /** Whether live events may still be queued: once full, watchers fall out of sync instead. */
    boolean hasRoom() {
        return queuedBytes < queuedBytesMax;
    }

    /** Catch-up waits until the queue is half drained, so a slow stream does not flap in and out. */
    boolean hasRoomToCatchUp() {
        return queuedBytes < queuedBytesMax / 2;
    }

    /** @param bytes the response's serialized size, as the server's encoding reports it */
    void enqueue(final WatchReply reply, final long bytes) {
        queue.add(new Queued(reply, bytes));
        queuedBytes += bytes;
    }

    /** Sends what the transport takes now; false if nothing went. Stops the stream if the call is gone. */
    boolean flush() {
        boolean sent = false;
        while (!closed && !queue.isEmpty() && sink.isReady()) {
            final Queued next = queue.poll();
            queuedBytes -= next.bytes();
            if (!sink.send(next.reply())) {
                closed = true;
            }
            sent = true;
        }
        if (closed) {
            queue.clear();
            queuedBytes = 0;
        }
        return sent;
    }

    boolean hasQueued() {
        return !queue.isEmpty();
    }

    private record Queued(WatchReply reply, long bytes) {
    }
}
