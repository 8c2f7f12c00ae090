package io.cairn.engine.watch;

import io.cairn.engine.mvcc.Change;
import io.cairn.engine.mvcc.KeyValue;

/**
 * How the server puts watch events on the wire, so that the hub knows no wire format and still
 * (1) encodes each change once per read, shared by all the watchers that get it, and (2) sizes
 * responses exactly as they will be sent, to fragment them where etcd does and to bound each
 * stream's queue. A response's bytes are {@link #envelopeBytes} plus each event's
 * {@link EncodedEvent#wireBytes}. Only the holder of the hub's lock calls it.
 */
public interface WatchEncoding {
    /** The event for a change; {@code previous} is the key's prior version if the watcher wants it, else null. */
    EncodedEvent event(Change change, KeyValue previous);

    /** The serialized bytes of the response without its events (header and the other fields). */
    long envelopeBytes(WatchReply reply);

    /** The serialized bytes of the whole response. */
    default long bytes(final WatchReply reply) {
        long bytes = envelopeBytes(reply);
        for (final EncodedEvent event : reply.events()) {
            bytes += event.wireBytes();
        }
        return bytes;
    }
}
