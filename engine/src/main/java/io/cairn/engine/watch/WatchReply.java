package io.cairn.engine.watch;

import java.util.List;

/**
 * One watch response as plain data; the server turns it into etcd's WatchResponse, whose header
 * (cluster, member, Raft term) it fills at {@code headerRevision}. A field at its zero value is
 * absent, as in protobuf: no cancel reason is "", no events an empty list.
 *
 * @param watchId         the watcher, or -1 for a whole stream (a progress answer, a refused create)
 * @param headerRevision  the revision of the response header (0 for a compacted watcher, as etcd)
 * @param compactRevision set when the watcher was canceled because its next revision is compacted
 * @param fragment        more fragments of this response follow
 * @param events          in the server's wire form, each built once per read and shared
 */
public record WatchReply(long watchId, long headerRevision, boolean created, boolean canceled, String cancelReason,
    long compactRevision, boolean fragment, List<EncodedEvent> events) {

    static WatchReply created(final long headerRevision, final long watchId) {
        return new WatchReply(watchId, headerRevision, true, false, "", 0, false, List.of());
    }

    /** A create etcd refuses: watch id -1, created and canceled at once, with its reason. */
    static WatchReply refused(final long headerRevision, final String reason) {
        return new WatchReply(-1, headerRevision, true, true, reason, 0, false, List.of());
    }

    static WatchReply canceled(final long headerRevision, final long watchId) {
        return new WatchReply(watchId, headerRevision, false, true, "", 0, false, List.of());
    }

    /** etcd's answer to a watcher whose next revision is compacted: header revision 0. */
    static WatchReply compacted(final long watchId, final long compactRevision) {
        return new WatchReply(watchId, 0, false, true, "", compactRevision, false, List.of());
    }

    /** An empty response: progress of one watcher, or of the whole stream (watch id -1). */
    static WatchReply progress(final long headerRevision, final long watchId) {
        return new WatchReply(watchId, headerRevision, false, false, "", 0, false, List.of());
    }

    static WatchReply events(final long headerRevision, final long watchId, final List<EncodedEvent> events) {
        return new WatchReply(watchId, headerRevision, false, false, "", 0, false, events);
    }

    /** The same response with other events, as one fragment of it. */
    WatchReply part(final List<EncodedEvent> partEvents, final boolean moreFollow) {
        return new WatchReply(watchId, headerRevision, created, canceled, cancelReason, compactRevision, moreFollow,
            partEvents);
    }
}
