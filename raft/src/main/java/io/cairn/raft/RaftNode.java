package io.cairn.raft;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The host's handle on one Raft node. Single-threaded: the host calls {@link #tick()}, {@link #step(Message)},
 * {@link #propose(byte[])} and friends, then {@link #ready()}, does what the {@link Ready} says, and acknowledges it
 * with {@link #advance(Ready)} before asking for the next one.
 */
public final class RaftNode {
    private final Raft raft;
    private SoftState lastSoftState;
    /** The hard state last handed out (or persisted before the start), as its three numbers. */
    private long lastTerm;
    private long lastVote;
    private long lastCommit;
    private Ready outstanding;
    /** The one Ready this node hands out, refilled by each {@link #ready()}, and its entry lists when they are short. */
    private final Ready reusable = new Ready();
    private final ArrayList<Entry> readyEntries = new ArrayList<>();
    private final ArrayList<Entry> readyCommittedEntries = new ArrayList<>();

    public RaftNode(final RaftConfig config, final LogStorage storage, final Randomness randomness) {
        this.raft = new Raft(config, storage, randomness);
        this.lastSoftState = raft.softState();
        final HardState saved = storage.hardState();
        this.lastTerm = saved.term();
        this.lastVote = saved.vote();
        this.lastCommit = saved.commit();
    }

    /** One unit of logical time: drives election timeouts, heartbeats and CheckQuorum. */
    public void tick() {
        raft.tick();
    }

    /** Deliver a message from the network. Messages addressed to another node are a host bug. */
    public void step(final Message message) {
        raft.step(message);
    }

    /**
     * Propose application bytes. On the leader they are appended; a follower forwards them to the leader (and they
     * may still be lost: the client learns of success only by seeing them applied).
     *
     * @throws NotLeaderException       when no leader is known or forwarding is off
     * @throws RequestDroppedException  when the leader refuses (transfer in progress, too much uncommitted)
     */
    public void propose(final byte[] data) {
        raft.propose(List.of(Entry.normal(data)));
    }

    /** Propose several payloads as one batch (one bounds check, one append). */
    public void proposeBatch(final List<byte[]> payloads) {
        final Payloads batch = new Payloads(payloads.size());
        for (int i = 0; i < payloads.size(); i++) {
            batch.add(payloads.get(i));
        }
        proposeBatch(batch);
    }

    /**
     * Propose a batch of slices (one bounds check, one append): the host's arrays, which it must not change or reuse
     * until the entries have left the log (the host's own compaction) and every copy it handed out is done with.
     */
    public void proposeBatch(final Payloads payloads) {
        if (payloads.isEmpty()) {
            return;
        }
        raft.proposeData(payloads);
    }

    /** Propose a membership change; refused by the leader while another is not yet applied or when invalid. */
    public void proposeConfChange(final ConfChange change) {
        raft.propose(List.of(new Entry(0, 0, EntryType.CONF_CHANGE, change.encode())));
    }

    /**
     * Ask for a linearizable read. A {@link ReadState} with this context appears in a later Ready; once applied
     * reaches its index the read can be served from local state. It may never appear (leader change, lost
     * message): the host retries after a timeout.
     */
    public void readIndex(final long context) {
        raft.readIndex(context);
    }

    /** Ask the leader to hand leadership to transferee once it has caught up (it then campaigns at once). */
    public void transferLeadership(final long transferee) {
        raft.transferLeadership(transferee);
    }

    /** Campaign now, as if the election timeout had passed (bootstrapping, tests). */
    public void campaign() {
        raft.campaignIfAllowed(Raft.CampaignType.ELECTION);
    }

    /** Install the membership of a committed CONF_CHANGE entry the host is applying; returns the new membership. */
    public ConfState applyConfChange(final ConfChange change) {
        return raft.applyConfChange(change);
    }

    public void reportUnreachable(final long peer) {
        raft.reportUnreachable(peer);
    }

    public void reportSnapshot(final long peer, final boolean delivered) {
        raft.reportSnapshot(peer, delivered);
    }

    public boolean hasReady() {
        assert outstanding == null : "advance() the previous Ready first";
        if (raft.hasPendingFlush() || raft.hasOutput()) {
            return true;
        }
        if (!raft.softStateIs(lastSoftState) || !raft.hardStateIs(lastTerm, lastVote, lastCommit)) {
            return true;
        }
        return raft.log.unstableSnapshot() != null || raft.log.hasUnstableEntries()
            || raft.log.hasNextCommittedEntries();
    }

    /** Everything to persist, send, apply and serve now. Call {@link #advance(Ready)} with it when done. */
    public Ready ready() {
        if (outstanding != null) {
            throw new IllegalStateException("advance() the previous Ready first");
        }
        raft.flush();
        // Compared field by field, built only when changed: hasReady and ready run every duty cycle (issue #21).
        final SoftState soft = raft.softStateIs(lastSoftState) ? null : raft.softState();
        readyEntries.clear(); // empty already after an advance; not after a ready() that threw half-way
        readyCommittedEntries.clear();
        reusable.fill(soft, raft.log.unstableSnapshot(), raft.log.unstableEntries(readyEntries),
            raft.log.nextCommittedEntries(readyCommittedEntries), raft.takeMessages(), raft.takeReadStates());
        if (!raft.hardStateIs(lastTerm, lastVote, lastCommit)) {
            reusable.hardState(raft.term(), raft.vote(), raft.log.committed());
        }
        outstanding = reusable;
        return reusable;
    }

    /** The host persisted, sent and applied everything in ready. */
    public void advance(final Ready ready) {
        if (ready != outstanding) {
            throw new IllegalStateException("advance() must get the Ready last returned by ready()");
        }
        outstanding = null;
        if (ready.softState() != null) {
            lastSoftState = ready.softState();
        }
        if (ready.hasHardState()) {
            lastTerm = ready.hardStateTerm();
            lastVote = ready.hardStateVote();
            lastCommit = ready.hardStateCommit();
        }
        if (ready.snapshot() != null) {
            raft.onStableSnapshot(ready.snapshot().index());
        }
        if (!ready.entries().isEmpty()) {
            final Entry last = ready.entries().getLast();
            raft.onStable(last.index(), last.term());
        }
        final List<Entry> committed = ready.committedEntries();
        if (!committed.isEmpty()) {
            long payloadBytes = 0;
            for (int i = 0; i < committed.size(); i++) { // indexed: no iterator per Ready
                payloadBytes += committed.get(i).length();
            }
            raft.onApplied(committed.getLast().index(), payloadBytes);
        }
        ready.clear();
        readyEntries.clear();
        readyCommittedEntries.clear();
    }

    // ---- observers (for hosts' status pages and tests) -------------------------------------------------------

    public long id() {
        return raft.id();
    }

    public long term() {
        return raft.term();
    }

    public long vote() {
        return raft.vote();
    }

    public RaftRole role() {
        return raft.role();
    }

    /** The leader this node knows of, 0 when none. */
    public long leader() {
        return raft.leader();
    }

    public long commitIndex() {
        return raft.log.committed();
    }

    public long appliedIndex() {
        return raft.log.applied();
    }

    public long firstIndex() {
        return raft.log.firstIndex();
    }

    public long lastIndex() {
        return raft.log.lastIndex();
    }

    /** Term of the entry at index in this node's log (durable or not), 0 when outside it. */
    public long termAt(final long index) {
        return raft.log.term(index);
    }

    public ConfState confState() {
        return raft.tracker.config().toConfState();
    }

    public long leadTransferee() {
        return raft.leadTransferee();
    }

    /** Leader only: each member's match index (the leader's own included); empty on a node that does not lead. */
    public Map<Long, Long> matchIndexes() {
        if (raft.role() != RaftRole.LEADER) {
            return Map.of();
        }
        final Map<Long, Long> matches = new java.util.HashMap<>();
        raft.tracker.progress().forEach((id, progress) -> matches.put(id, progress.match));
        return matches;
    }

    /** Leader only: each member's replication state, for debugging. */
    public Map<Long, String> progress() {
        return raft.progressSummary();
    }
}
