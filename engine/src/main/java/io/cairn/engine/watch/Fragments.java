package io.cairn.engine.watch;

import java.util.ArrayList;
import java.util.List;

/** etcd's fragmenting of large watch responses, on the sizes the server's encoding reports. */
final class Fragments {
    private Fragments() {
    }

    /**
     * etcd's sendFragments: a response of at least {@code fragmentBytes} (etcd: --max-request-bytes
     * + 512 KiB) with two or more events goes out as several, each filled until adding an event would
     * reach the limit (one event at least), all but the last marked {@code fragment}.
     *
     * @param replyBytes the response's serialized size ({@link WatchEncoding#bytes})
     */
    static List<WatchReply> split(final WatchReply reply, final long replyBytes, final WatchEncoding encoding,
        final long fragmentBytes) {
        final List<EncodedEvent> events = reply.events();
        if (replyBytes < fragmentBytes || events.size() < 2) {
            return List.of(reply);
        }
        final long emptyBytes = encoding.envelopeBytes(reply.part(List.of(), true));
        final List<WatchReply> out = new ArrayList<>();
        int next = 0;
        while (next < events.size()) {
            final int first = next;
            long bytes = emptyBytes;
            while (next < events.size()) {
                final long eventBytes = events.get(next).wireBytes();
                if (next > first && bytes + eventBytes >= fragmentBytes) {
                    break;
                }
                bytes += eventBytes;
                next++;
            }
            out.add(reply.part(List.copyOf(events.subList(first, next)), next < events.size()));
        }
        return out;
    }
}
