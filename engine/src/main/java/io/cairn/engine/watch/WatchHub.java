package io.cairn.engine.watch;

import io.cairn.engine.mvcc.Change;
import io.cairn.engine.mvcc.History;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The watch thread: etcd's watchable store. After each commit the apply thread hands it the new
 * revision (a volatile write and at most one unpark, so applying never waits on watchers). The
 * thread reads the new revisions once from the store and fans each one out, as one response per
 * watcher, to the synced watchers whose range it touches. A watcher whose stream has too much
 * queued becomes unsynced and later catches up by reading the store from its next revision (etcd's
 * unsynced watchers), then rejoins the synced set. Watchers starting at a past revision begin
 * unsynced. Requests from gRPC threads arrive through a queue of signalled streams.
 *
 * <p>The hub knows no wire format: requests come in as {@link WatchOp}s and responses go out as
 * {@link WatchReply}s, which the server turns into etcd's protobuf. Events are encoded through the
 * server's {@link WatchEncoding}, once per read however many watchers get them, and its sizes
 * drive etcd's fragmenting and the bound on each stream's queue.
 *
 * <p>All watcher and stream state is guarded by one lock, held by the watch thread while it works
 * (and briefly by close). A commit only wakes the watch thread, and only while a watcher exists.
 * Nothing here blocks but the watch thread's park.
 *
 * <p>Failures stay as small as they can: an exception from one stream's work (its transport, a
 * response for one of its watchers, one watcher's catch-up read) ends that stream with an internal
 * error and the thread goes on serving the others. A failed read of new revisions, which every
 * synced watcher needs, ends the streams of the synced watchers. Anything else that escapes (a bug
 * in the hub, an Error) ends every stream and forgets every watcher, and the thread goes on with
 * new streams; clients resume from their last revision. Should even that fail, the thread is gone
 * and every stream, new ones too, is ended at once: none waits for an answer that cannot come.
 */
public final class WatchHub implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(WatchHub.class.getName());
    /** etcd's watchBatchMaxRevs: a catch-up response covers at most this many revisions. */
    static final int REVISIONS_PER_READ_MAX = 1_000;
    /** Bounds one read of history (and so one catch-up response) in value bytes; etcd has no bound. */
    static final long VALUE_BYTES_PER_READ_MAX = 4L << 20;
    private static final int SIGNALS_PER_LOOP_MAX = 4_096;
    private static final int CATCH_UPS_PER_LOOP_MAX = 64;
    private static final long IDLE_PARK_NANOS_MAX = TimeUnit.MILLISECONDS.toNanos(100);
    /** etcd's progressReportInterval. */
    public static final long DEFAULT_PROGRESS_INTERVAL_NANOS = TimeUnit.MINUTES.toNanos(10);
    /** Bytes queued per stream before its watchers fall out of sync. */
    public static final long DEFAULT_STREAM_QUEUED_BYTES_MAX = 1L << 20;

    private static final String EMPTY_RANGE = "mvcc: watcher range is empty";
    private static final String DUPLICATE_ID = "mvcc: duplicate watch ID provided on the WatchStream";

    /**
     * @param streamQueuedBytesMax  responses queued per stream before its watchers fall out of sync
     * @param fragmentBytes         a fragmenting watcher's responses of this size or more are split
     * @param progressIntervalNanos how often watchers that asked for progress_notify get one
     */
    public record Settings(long streamQueuedBytesMax, long fragmentBytes, long progressIntervalNanos) {
        public static Settings defaults(final long fragmentBytes) {
            return new Settings(DEFAULT_STREAM_QUEUED_BYTES_MAX, fragmentBytes, DEFAULT_PROGRESS_INTERVAL_NANOS);
        }
    }

    private final HistorySource store;
    private final WatchEncoding encoding;
    private final Settings settings;
    private final Thread thread;
    /** Streams with a request, readiness or closing to look at; a stream is in it at most once per kind. */
    private final ConcurrentLinkedQueue<WatchStream> signalled = new ConcurrentLinkedQueue<>();
    private volatile long committedRevision;
    private volatile boolean sleeping;
    /**
     * Whether any watcher exists (set by the watch thread, the only one that makes or drops them).
     * Without one a commit does not wake the thread: there is nothing to fan out, and the published
     * revision catches up before the next request is handled ({@link #publishCommitted}). That was
     * a thread wake-up per commit, for a member nobody watches.
     */
    private volatile boolean watching;
    private volatile boolean closing;
    /** Set if the watch thread died; every stream, present or future, is then ended at once. */
    private volatile Throwable died;
    /** Guards everything below "owned"; see the class comment. */
    private final ReentrantLock working = new ReentrantLock();
    /** How many times a watcher fell out of sync because its stream was full (read by tests and benches). */
    private volatile long watchersFellBehind;
    /** How many times another thread woke the watch thread (read by tests). */
    private final AtomicLong wakeUps = new AtomicLong();

    // Guarded by working. Volatile so that the watch thread can decide to park without the lock.
    private volatile long publishedRevision;
    private final SyncedWatchers synced = new SyncedWatchers();
    private final ArrayDeque<Watcher> unsynced = new ArrayDeque<>();
    private final Set<WatchStream> streams = new HashSet<>();
    private final ArrayDeque<WatchStream> toFlush = new ArrayDeque<>();
    /** Streams with a stream-wide progress request waiting for their watchers to be synced. */
    private final List<WatchStream> progressDeferred = new ArrayList<>();
    private final List<Watcher> matching = new ArrayList<>();
    private long nextProgressNanos;
    /** See {@link #plantBugSkipEventUnderLoad}; off. */
    private volatile boolean plantedBugSkipsEventUnderLoad;

    public WatchHub(final HistorySource store, final WatchEncoding encoding, final Settings settings) {
        this.store = store;
        this.encoding = encoding;
        this.settings = settings;
        this.thread = Thread.ofPlatform().name("cairn-watch").daemon().unstarted(this::run);
    }

    public void start() {
        // The committed revision as the tree has it: MvccStore's moves before the tree commits.
        publishedRevision = store.read(History::currentRevision);
        committedRevision = Math.max(committedRevision, publishedRevision);
        nextProgressNanos = System.nanoTime() + settings.progressIntervalNanos();
        thread.start();
    }

    /**
     * TESTS ONLY, a planted bug: when the watch thread fans out several revisions at once (it fell
     * behind the commits: load), the synced watchers skip the last one's events. The chaos harness
     * shows its watch check catches it.
     */
    public void plantBugSkipEventUnderLoad() {
        plantedBugSkipsEventUnderLoad = true;
    }

    public long watchersFellBehind() {
        return watchersFellBehind;
    }

    long wakeUps() {
        return wakeUps.get();
    }

    /**
     * From the committing thread after each commit: wakes the watch thread, which fans out, if a
     * watcher exists; never blocks. (The committing thread no longer publishes itself when the watch
     * thread sleeps: the member keeps one "caller does the owner's work when idle" mechanism,
     * ApplyLoop's.)
     */
    public void revisionCommitted(final long revision) {
        committedRevision = revision;
        if (watching) {
            wake();
        }
    }

    /** A new gRPC stream; it asks for its first request itself. */
    public WatchStream open(final StreamSink sink) {
        final WatchStream stream = new WatchStream(sink, settings.streamQueuedBytesMax());
        signalled.add(stream); // so the watch thread knows it (and ends it on close) before any request
        wake();
        if (died != null) {
            endSignalledAfterDeath();
        }
        return stream;
    }

    /** From the gRPC thread: the stream's next request (it asked for one). */
    public void request(final WatchStream stream, final WatchOp request) {
        stream.requests.add(request);
        signalled.add(stream);
        wake();
    }

    /** From the gRPC thread: the transport takes more again. */
    public void ready(final WatchStream stream) {
        if (stream.readySignalled.compareAndSet(false, true)) {
            signalled.add(stream);
            wake();
        }
    }

    /** From the gRPC thread: the client went away. */
    public void closed(final WatchStream stream) {
        if (stream.closeSignalled.compareAndSet(false, true)) {
            signalled.add(stream);
            wake();
        }
    }

    private void wake() {
        if (sleeping) {
            wakeUps.incrementAndGet();
            LockSupport.unpark(thread);
        }
    }

    private void run() {
        try {
            while (!closing) {
                boolean busy = true;
                working.lock();
                try {
                    busy = takeSignals();
                    busy |= publish();
                    busy |= catchUp();
                    answerDeferredProgress();
                    notifyProgress();
                    busy |= flush();
                } catch (final RuntimeException | Error e) {
                    failAll(e);
                } finally {
                    watching = !synced.isEmpty() || !unsynced.isEmpty();
                    working.unlock();
                }
                if (!busy) {
                    park();
                }
            }
        } catch (final Throwable e) { // failAll itself failed (say, out of memory): give up, loudly
            died = e;
            LOG.log(System.Logger.Level.ERROR, "the watch thread stopped: " + e, e);
            working.lock();
            try {
                for (final WatchStream stream : List.copyOf(streams)) {
                    endWithError(stream, "cairn: watch failed: " + e);
                }
            } finally {
                working.unlock();
            }
            endSignalledAfterDeath();
        }
    }

    /**
     * Something outside any one stream's work failed: the hub's state cannot be trusted, so every
     * stream ends with an internal error and every watcher is forgotten. The thread then goes on:
     * streams opened afterwards are served, and their watchers start from the published revision.
     */
    private void failAll(final Throwable cause) {
        LOG.log(System.Logger.Level.ERROR, "the watch hub failed, ending every watch stream: " + cause, cause);
        for (final WatchStream stream : List.copyOf(streams)) {
            endWithError(stream, "cairn: watch failed: " + cause);
        }
        streams.clear();
        synced.clear();
        unsynced.clear();
        toFlush.forEach(stream -> stream.flushPending = false);
        toFlush.clear();
        progressDeferred.clear();
    }

    /** After the thread died: ends every stream that was opened but not yet taken, now and on each open. */
    private void endSignalledAfterDeath() {
        working.lock();
        try {
            for (WatchStream stream = signalled.poll(); stream != null; stream = signalled.poll()) {
                endWithError(stream, "cairn: watch failed: " + died);
            }
        } finally {
            working.unlock();
        }
    }

    /** One stream's work threw: that stream alone ends with an internal error; the others go on. */
    private void streamFailed(final WatchStream stream, final RuntimeException cause) {
        LOG.log(System.Logger.Level.WARNING, "ending a watch stream whose work failed: " + cause, cause);
        endWithError(stream, "cairn: watch stream failed: " + cause);
    }

    /** Ends the stream and tells its client with an internal error, unless the call is gone already. */
    private void endWithError(final WatchStream stream, final String message) {
        final boolean open = !stream.closed;
        endStream(stream);
        if (open) {
            try {
                stream.sink.fail(message);
            } catch (final RuntimeException e) {
                LOG.log(System.Logger.Level.WARNING, "cannot end a failed watch stream: " + e, e);
            }
        }
    }

    private void park() {
        sleeping = true;
        if (signalled.isEmpty() && committedRevision <= publishedRevision && !closing) {
            final long untilProgress = nextProgressNanos - System.nanoTime();
            LockSupport.parkNanos(this, Math.max(1, Math.min(IDLE_PARK_NANOS_MAX, untilProgress)));
        }
        sleeping = false;
    }

    private boolean takeSignals() {
        boolean any = false;
        for (int i = 0; i < SIGNALS_PER_LOOP_MAX; i++) {
            final WatchStream stream = signalled.poll();
            if (stream == null) {
                break;
            }
            any = true;
            if (stream.closeSignalled.get()) {
                endStream(stream);
                continue;
            }
            if (stream.closed) {
                continue; // ended by the hub (failed, or its call was gone); only the client's cancel is left
            }
            try {
                streams.add(stream);
                if (stream.readySignalled.getAndSet(false)) {
                    scheduleFlush(stream);
                }
                for (WatchOp request = stream.requests.poll(); request != null;
                    request = stream.requests.poll()) {
                    handle(stream, request);
                }
            } catch (final RuntimeException e) {
                streamFailed(stream, e);
            }
        }
        return any;
    }

    private void handle(final WatchStream stream, final WatchOp request) {
        if (stream.closed) {
            return;
        }
        publishCommitted();
        if (stream.closed) {
            return; // the stream had a synced watcher and the read of new revisions failed
        }
        switch (request) {
            case WatchOp.Create create -> create(stream, create);
            case WatchOp.Cancel cancel -> cancel(stream, cancel);
            case WatchOp.Progress progress -> requestProgress(stream);
            case WatchOp.Refuse refuse -> enqueue(stream, WatchReply.refused(publishedRevision, refuse.reason()));
            case WatchOp.Unknown unknown -> {
                // etcd ignores a request it does not know rather than ending the stream.
            }
        }
        scheduleFlush(stream);
        if (stream.hasRoom()) {
            stream.sink.requestNext();
        } else {
            stream.requestWithheld = true; // asked for again once the queue drains (flush)
        }
    }

    /**
     * Publishes every revision committed before the request being handled was taken, so that the
     * revision it is answered with is at least that of any write the client saw complete before
     * asking (etcd answers with its current revision, which its writes move before they return).
     * A failed read ends the synced watchers' streams and lets the published revision move on.
     */
    private void publishCommitted() {
        final long committed = committedRevision;
        while (publishedRevision < committed) {
            final long before = publishedRevision;
            publish(committed);
            if (publishedRevision == before) {
                throw new IllegalStateException("revision " + committed + " was committed, but the store's history"
                    + " read after it ends at " + before);
            }
        }
    }

    /**
     * etcd's watch creation: id rules, errors and the created response. Its header is the published
     * revision, not MvccStore's current one: that moves before the tree commits and before this
     * thread hands the revision's events to the synced watchers, so a client reading at it could
     * find it missing ("future revision") or, reading the latest, miss its events. Every published
     * revision is committed, and the new watcher starts right after it.
     */
    private void create(final WatchStream stream, final WatchOp.Create request) {
        final long current = publishedRevision;
        final WatchRange range = WatchRange.of(request.key(), request.rangeEnd());
        long id = request.watchId();
        String error = null;
        if (range.isEmpty()) {
            error = EMPTY_RANGE;
        } else if (id == 0) {
            // etcd's AutoWatchID is 0: the server picks the lowest free id from its counter on.
            while (stream.watchers.containsKey(stream.nextAutoId)) {
                stream.nextAutoId++;
            }
            id = stream.nextAutoId++;
        } else if (stream.watchers.containsKey(id)) {
            error = DUPLICATE_ID;
        }
        if (error != null) {
            enqueue(stream, WatchReply.refused(current, error));
            return;
        }
        final long start = request.startRevision() == 0 ? current + 1 : request.startRevision();
        final Watcher watcher = new Watcher(stream, id, range, request.noPut(), request.noDelete(), request.prevKv(),
            request.fragment(), request.progressNotify(), start);
        stream.watchers.put(id, watcher);
        enqueue(stream, WatchReply.created(current, id));
        if (start > publishedRevision) {
            watcher.state = Watcher.State.SYNCED;
            synced.add(watcher);
        } else {
            unsynced.add(watcher);
        }
    }

    /** etcd answers a cancel of a watcher it has, and says nothing about an unknown id. */
    private void cancel(final WatchStream stream, final WatchOp.Cancel request) {
        final Watcher watcher = stream.watchers.remove(request.watchId());
        if (watcher == null) {
            return;
        }
        end(watcher);
        enqueue(stream, WatchReply.canceled(publishedRevision, watcher.id));
    }

    /**
     * A WatchProgressRequest: one response for the whole stream (watch id -1), meaning "every watcher
     * on this stream has been sent every event up to this revision" (Kubernetes' watch cache reads
     * it so). A synced watcher has been handed every event through the published revision, ahead of
     * anything queued after it; an unsynced (catching-up) one only those below its next revision. So
     * the answer waits until every watcher of the stream is synced, then goes at the published
     * revision, as etcd 3.5 defers it; etcd 3.4 answered at once with its current revision. Answering
     * at once with the stream's lowest revision instead would be true too, but could go below events
     * the stream's synced watchers already got: clients pass a watch id -1 response to every watcher
     * of the stream, and a progress notification older than an event breaks the rule that headers
     * only move forward. Requests that come while one waits get that one answer (etcd 3.5 coalesces
     * them the same way). A stream with no unsynced watcher, the usual case, is answered at once.
     */
    private void requestProgress(final WatchStream stream) {
        if (stream.progressRequested) {
            return;
        }
        stream.progressRequested = true;
        if (!answerProgress(stream)) {
            progressDeferred.add(stream);
        }
    }

    /** Answers the stream's progress request if all its watchers are synced; false if it must wait. */
    private boolean answerProgress(final WatchStream stream) {
        if (stream.closed) {
            return true; // nobody to answer
        }
        for (final Watcher watcher : stream.watchers.values()) {
            if (watcher.state == Watcher.State.UNSYNCED) {
                return false;
            }
        }
        stream.progressRequested = false;
        enqueue(stream, WatchReply.progress(publishedRevision, -1));
        scheduleFlush(stream);
        return true;
    }

    private void answerDeferredProgress() {
        progressDeferred.removeIf(stream -> {
            try {
                return answerProgress(stream);
            } catch (final RuntimeException e) {
                streamFailed(stream, e);
                return true;
            }
        });
    }

    private void end(final Watcher watcher) {
        if (watcher.state == Watcher.State.SYNCED) {
            synced.remove(watcher);
        }
        watcher.state = Watcher.State.ENDED; // an unsynced one is dropped when catch-up meets it
    }

    private void endStream(final WatchStream stream) {
        stream.watchers.values().forEach(this::end);
        stream.watchers.clear();
        stream.closed = true;
        stream.flush(); // drops the queue
        streams.remove(stream);
    }

    /**
     * etcd cancels a watcher whose next revision is compacted, with compact_revision set and a
     * header of revision 0; its id stays taken on the stream, as in etcd.
     */
    private void compacted(final Watcher watcher, final long compactRevision) {
        end(watcher);
        enqueue(watcher.stream, WatchReply.compacted(watcher.id, compactRevision));
        scheduleFlush(watcher.stream);
    }

    /** Reads the revisions committed since the last publish (bounded) and fans them out. */
    private boolean publish() {
        return publish(committedRevision);
    }

    /**
     * One bounded read of new revisions, fanned out. A failure for one watcher ends its stream. If
     * the read itself fails, no synced watcher can have those revisions' events: their streams end
     * with an internal error (their clients resume from their last revision, by catching up from the
     * store), and with no synced watcher left the published revision moves on without a read, as it
     * does when nobody watches. Streams with no synced watcher are not touched. So each call that
     * returns true has moved the published revision.
     */
    private boolean publish(final long target) {
        if (target <= publishedRevision) {
            return false;
        }
        if (synced.isEmpty()) {
            publishedRevision = target; // nobody to tell; new watchers start above it or catch up
            return true;
        }
        try {
            store.read(history -> {
                final long compact = history.compactRevision();
                if (compact > publishedRevision + 1) {
                    // Physical compaction may have removed history this thread has not published yet.
                    for (final Watcher watcher : synced.all()) {
                        if (watcher.nextRevision < compact) {
                            try {
                                compacted(watcher, compact);
                            } catch (final RuntimeException e) {
                                streamFailed(watcher.stream, e);
                            }
                        }
                    }
                }
                final History.Batch batch = history.read(publishedRevision + 1, REVISIONS_PER_READ_MAX,
                    VALUE_BYTES_PER_READ_MAX);
                fanOut(batch.changes(), history);
                publishedRevision = batch.through();
                return null;
            });
        } catch (final RuntimeException e) {
            LOG.log(System.Logger.Level.ERROR, "cannot read the revisions after " + publishedRevision
                + "; ending the streams of synced watchers: " + e, e);
            final String message = "cairn: watch failed: cannot read the revisions after " + publishedRevision + ": " + e;
            for (final Watcher watcher : synced.all()) {
                endWithError(watcher.stream, message);
            }
            assert synced.isEmpty() : "a synced watcher outlived its stream";
            publishedRevision = target;
        }
        return true;
    }

    /** One response per watcher per revision, with every event of that revision it wants. */
    private void fanOut(final List<Change> changes, final History history) {
        final EventCache events = new EventCache(changes, history, encoding);
        final Map<Watcher, List<EncodedEvent>> perWatcher = new LinkedHashMap<>();
        int first = 0;
        while (first < changes.size()) {
            final long revision = changes.get(first).revision();
            int end = first;
            while (end < changes.size() && changes.get(end).revision() == revision) {
                end++;
            }
            for (int i = first; i < end; i++) {
                final Change change = changes.get(i);
                matching.clear();
                synced.collectWatching(change.kv().key(), matching);
                for (final Watcher watcher : matching) {
                    // A watcher of a stream that failed meanwhile is no longer synced.
                    if (watcher.state == Watcher.State.SYNCED && watcher.nextRevision <= revision
                        && watcher.wants(change)) {
                        try {
                            perWatcher.computeIfAbsent(watcher, w -> new ArrayList<>())
                                .add(events.get(i, watcher.prevKv));
                        } catch (final RuntimeException e) {
                            streamFailed(watcher.stream, e);
                        }
                    }
                }
            }
            // The planted bug (tests only): the last of several revisions is skipped.
            final boolean skip = plantedBugSkipsEventUnderLoad && first > 0 && end == changes.size();
            if (!perWatcher.isEmpty()) {
                perWatcher.forEach((watcher, list) -> {
                    if (watcher.state == Watcher.State.SYNCED && skip) {
                        watcher.nextRevision = revision + 1;
                    } else if (watcher.state == Watcher.State.SYNCED) {
                        try {
                            deliverLive(watcher, revision, list);
                        } catch (final RuntimeException e) {
                            streamFailed(watcher.stream, e);
                        }
                    }
                });
                perWatcher.clear();
            }
            first = end;
        }
    }

    private void deliverLive(final Watcher watcher, final long revision, final List<EncodedEvent> events) {
        if (!watcher.stream.hasRoom()) {
            // The stream is behind: stop feeding it live and let it catch up from the store later.
            synced.remove(watcher);
            watcher.state = Watcher.State.UNSYNCED;
            watcher.nextRevision = revision;
            unsynced.add(watcher);
            watchersFellBehind++; // written only under the lock
            return;
        }
        enqueueEvents(watcher, WatchReply.events(revision, watcher.id, events));
        watcher.nextRevision = revision + 1;
    }

    private void enqueueEvents(final Watcher watcher, final WatchReply reply) {
        final long bytes = encoding.bytes(reply);
        final List<WatchReply> parts = watcher.fragment
            ? Fragments.split(reply, bytes, encoding, settings.fragmentBytes()) : List.of(reply);
        if (parts.size() == 1) {
            watcher.stream.enqueue(reply, bytes);
        } else {
            parts.forEach(part -> enqueue(watcher.stream, part));
        }
        watcher.eventsSinceProgress = true;
        scheduleFlush(watcher.stream);
    }

    private void enqueue(final WatchStream stream, final WatchReply reply) {
        stream.enqueue(reply, encoding.bytes(reply));
    }

    /** Lets a bounded number of unsynced watchers whose streams have room read one batch each. */
    private boolean catchUp() {
        boolean progressed = false;
        int reads = 0;
        for (int looked = 0, waiting = unsynced.size(); looked < waiting && reads < CATCH_UPS_PER_LOOP_MAX;
            looked++) {
            final Watcher watcher = unsynced.poll();
            if (watcher.state == Watcher.State.ENDED) {
                continue;
            }
            if (watcher.nextRevision > publishedRevision) { // nothing published to read yet
                watcher.state = Watcher.State.SYNCED;
                synced.add(watcher);
                continue;
            }
            if (!watcher.stream.hasRoomToCatchUp()) {
                unsynced.add(watcher);
                continue;
            }
            try {
                store.read(history -> catchUp(watcher, history));
            } catch (final RuntimeException e) {
                streamFailed(watcher.stream, e); // ends the watcher too
            }
            reads++;
            progressed = true;
            if (watcher.state == Watcher.State.UNSYNCED) {
                if (watcher.nextRevision > publishedRevision) {
                    watcher.state = Watcher.State.SYNCED;
                    synced.add(watcher);
                } else {
                    unsynced.add(watcher);
                }
            }
        }
        return progressed;
    }

    /**
     * One batch of history for one watcher, as etcd's syncWatchers sends it. The batch stops at the
     * published revision even if the snapshot holds more (those go out live), so no watcher runs
     * ahead of the published revision and every header the hub writes is at most it: the header here
     * is the published revision, where etcd writes its current one.
     */
    private Void catchUp(final Watcher watcher, final History history) {
        final long compact = history.compactRevision();
        if (watcher.nextRevision < compact) {
            compacted(watcher, compact);
            return null;
        }
        final History.Batch batch = history.read(watcher.nextRevision, REVISIONS_PER_READ_MAX,
            VALUE_BYTES_PER_READ_MAX);
        final long through = Math.min(batch.through(), publishedRevision);
        final List<EncodedEvent> events = new ArrayList<>();
        for (final Change change : batch.changes()) {
            if (change.revision() > through) {
                break;
            }
            if (watcher.wants(change)) {
                events.add(encoding.event(change,
                    watcher.prevKv ? history.previous(change.kv().key(), change.revision()) : null));
            }
        }
        if (!events.isEmpty()) {
            enqueueEvents(watcher, WatchReply.events(publishedRevision, watcher.id, events));
        }
        watcher.nextRevision = through + 1;
        return null;
    }

    /**
     * etcd's periodic progress notification: every interval, each synced watcher that asked for it
     * and got no events since the last interval gets an empty response at the published revision,
     * through which it has been handed every event (an unsynced one gets none, as in etcd).
     */
    private void notifyProgress() {
        final long now = System.nanoTime();
        if (now - nextProgressNanos < 0) {
            return;
        }
        nextProgressNanos = now + settings.progressIntervalNanos();
        final long current = publishedRevision;
        for (final WatchStream stream : List.copyOf(streams)) {
            try {
                for (final Watcher watcher : stream.watchers.values()) {
                    if (!watcher.progressNotify) {
                        continue;
                    }
                    if (watcher.state == Watcher.State.SYNCED && !watcher.eventsSinceProgress && stream.hasRoom()) {
                        enqueue(stream, WatchReply.progress(current, watcher.id));
                        scheduleFlush(stream);
                    }
                    watcher.eventsSinceProgress = false;
                }
            } catch (final RuntimeException e) {
                streamFailed(stream, e);
            }
        }
    }

    private void scheduleFlush(final WatchStream stream) {
        if (!stream.flushPending) {
            stream.flushPending = true;
            toFlush.add(stream);
        }
    }

    /**
     * Sends what each scheduled stream's transport takes. A stream left with a queue is flushed
     * again when gRPC says it is ready; one whose queue drained gets its next request.
     */
    private boolean flush() {
        boolean sent = false;
        for (int i = 0, scheduled = toFlush.size(); i < scheduled; i++) {
            final WatchStream stream = toFlush.poll();
            stream.flushPending = false;
            try {
                sent |= stream.flush();
                if (stream.closed) {
                    endStream(stream);
                } else if (stream.requestWithheld && stream.hasRoom()) {
                    stream.requestWithheld = false;
                    stream.sink.requestNext();
                }
            } catch (final RuntimeException e) {
                streamFailed(stream, e);
            }
        }
        return sent;
    }

    /** Stops the watch thread, then ends every stream (a watch never ends by itself, so shutdown would wait). */
    @Override
    public void close() {
        closing = true;
        LockSupport.unpark(thread);
        try {
            thread.join();
        } catch (final InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        }
        // The watch thread is gone, so nothing else touches these streams. Streams signalled after
        // the watch thread's last loop are ended too.
        working.lock();
        working.unlock();
        for (WatchStream stream = signalled.poll(); stream != null; stream = signalled.poll()) {
            if (!stream.closeSignalled.get()) {
                streams.add(stream);
            }
        }
        for (final WatchStream stream : streams) {
            try {
                stream.sink.stop();
            } catch (final RuntimeException e) {
                LOG.log(System.Logger.Level.WARNING, "cannot stop a watch stream: " + e, e);
            }
        }
        streams.clear();
    }
}
