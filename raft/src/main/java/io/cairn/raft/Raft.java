package io.cairn.raft;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The Raft rules (Ongaro's thesis, with PreVote, CheckQuorum, leadership transfer, ReadIndex and joint consensus).
 * Everything happens in calls from the host's single thread; output accumulates in {@link #messages} and
 * {@link #readStates} until {@link RaftNode} hands it over in a Ready. No clock, no I/O, no threads: time is
 * {@link #tick()}, chance is {@link Randomness}.
 */
final class Raft {
    static final long NONE = 0;
    /** Bound on messages queued between two Readies; a healthy leader queues a few per follower per batch. */
    private static final int MAX_QUEUED_MESSAGES = 1 << 20;

    private final long id;
    private final RaftConfig config;
    private final Randomness randomness;
    final RaftLog log;
    final ProgressTracker tracker;
    private final ReadIndexQueue readIndexQueue;
    /** Reads that arrived before this leader committed an entry of its term, when its commit index may be stale. */
    private final ArrayDeque<long[]> readsAwaitingTermCommit = new ArrayDeque<>();

    private long term;
    private long vote;
    private RaftRole role = RaftRole.FOLLOWER;
    private long leader = NONE;
    private long leadTransferee = NONE;
    /** A leader accepts a new conf change only once every earlier one (up to this index) is applied. */
    private long pendingConfIndex;
    private long uncommittedBytes;
    private boolean appendPending;

    private int electionElapsedTicks;
    private int heartbeatElapsedTicks;
    private int randomizedElectionTicks;

    private ArrayList<Message> messages = new ArrayList<>();
    private ArrayList<ReadState> readStates = new ArrayList<>();
    /** Entries placed in the log while they are appended (the log copies them out): reused, not a list per append. */
    private final ArrayList<Entry> placedScratch = new ArrayList<>();

    Raft(final RaftConfig config, final LogStorage storage, final Randomness randomness) {
        this.id = config.id();
        this.config = config;
        this.randomness = randomness;
        this.log = new RaftLog(storage, config.maxCommittedBytesPerReady());
        this.tracker = new ProgressTracker(config.maxInflightMessages(), config.maxInflightBytes());
        this.readIndexQueue = new ReadIndexQueue(config.maxPendingReads());
        final ConfChanger.Result restored = ConfChanger.restore(tracker, log.lastIndex(), storage.confState());
        tracker.switchTo(restored.config(), restored.progress());
        final HardState hardState = storage.hardState();
        if (!hardState.isEmpty()) {
            if (hardState.commit() < log.committed() || hardState.commit() > log.lastIndex()) {
                throw new IllegalStateException("persisted commit " + hardState.commit() + " outside ["
                    + log.committed() + "," + log.lastIndex() + "]");
            }
            log.commitTo(hardState.commit());
            term = hardState.term();
            vote = hardState.vote();
        }
        if (config.appliedIndex() > log.applied()) {
            log.appliedTo(Math.min(config.appliedIndex(), log.committed()));
        }
        becomeFollower(term, NONE);
    }

    // ---- observers -------------------------------------------------------------------------------------------

    long id() {
        return id;
    }

    long term() {
        return term;
    }

    long vote() {
        return vote;
    }

    RaftRole role() {
        return role;
    }

    long leader() {
        return leader;
    }

    long leadTransferee() {
        return leadTransferee;
    }

    SoftState softState() {
        return new SoftState(leader, role);
    }

    /** Whether the term, vote and commit index are these (the hard state a node last handed out). */
    boolean hardStateIs(final long term, final long vote, final long commit) {
        return this.term == term && this.vote == vote && log.committed() == commit;
    }

    /** Whether {@link #softState()} would equal {@code state}, without building one. */
    boolean softStateIs(final SoftState state) {
        return state != null && state.leader() == leader && state.role() == role;
    }

    boolean hasOutput() {
        return !messages.isEmpty() || !readStates.isEmpty();
    }

    List<Message> takeMessages() {
        if (messages.isEmpty()) {
            return List.of();
        }
        final List<Message> taken = messages;
        messages = new ArrayList<>();
        return taken;
    }

    List<ReadState> takeReadStates() {
        if (readStates.isEmpty()) {
            return List.of();
        }
        final List<ReadState> taken = readStates;
        readStates = new ArrayList<>();
        return taken;
    }

    // ---- role changes ----------------------------------------------------------------------------------------

    private void reset(final long newTerm) {
        if (term != newTerm) {
            term = newTerm;
            vote = NONE;
        }
        leader = NONE;
        electionElapsedTicks = 0;
        heartbeatElapsedTicks = 0;
        randomizedElectionTicks = config.electionTicks() + randomness.nextInt(config.electionTicks());
        leadTransferee = NONE;
        tracker.resetVotes();
        for (final Map.Entry<Long, Progress> e : tracker.progress().entrySet()) {
            final Progress pr = e.getValue();
            pr.reset(log.lastIndex() + 1);
            if (e.getKey() == id) {
                pr.match = log.lastStableIndex();
            }
        }
        pendingConfIndex = 0;
        uncommittedBytes = 0;
        appendPending = false;
        readIndexQueue.clear();
        readsAwaitingTermCommit.clear();
    }

    void becomeFollower(final long newTerm, final long newLeader) {
        reset(newTerm);
        role = RaftRole.FOLLOWER;
        leader = newLeader;
    }

    private void becomePreCandidate() {
        assert role != RaftRole.LEADER : "leader cannot become pre-candidate";
        // The term does not change and the vote is kept: a pre-vote round promises nothing.
        tracker.resetVotes();
        role = RaftRole.PRE_CANDIDATE;
        leader = NONE;
    }

    private void becomeCandidate() {
        assert role != RaftRole.LEADER : "leader cannot become candidate";
        reset(term + 1);
        vote = id;
        role = RaftRole.CANDIDATE;
    }

    private void becomeLeader() {
        assert role == RaftRole.CANDIDATE : "only a candidate becomes leader, not " + role;
        reset(term);
        role = RaftRole.LEADER;
        leader = id;
        final Progress self = tracker.progress(id);
        if (self != null) {
            self.becomeReplicate();
            self.recentActive = true;
        }
        // Conf changes in our log may not be applied yet; none may be proposed until they are.
        pendingConfIndex = log.lastIndex();
        // §5.4.2: committing this no-op of our own term is what commits the entries of earlier terms, and tells us
        // the commit index for ReadIndex (§6.4).
        appendEntries(List.of(Entry.normal(new byte[0])));
        appendPending = true;
    }

    private boolean promotable() {
        final Progress self = tracker.progress(id);
        return self != null && !self.isLearner && log.unstableSnapshot() == null && tracker.isVoter(id);
    }

    // ---- time ------------------------------------------------------------------------------------------------

    void tick() {
        if (role == RaftRole.LEADER) {
            tickLeader();
        } else {
            tickElection();
        }
    }

    private void tickElection() {
        electionElapsedTicks++;
        if (promotable() && electionElapsedTicks >= randomizedElectionTicks) {
            electionElapsedTicks = 0;
            campaignIfAllowed(config.preVote() ? CampaignType.PRE_ELECTION : CampaignType.ELECTION);
        }
    }

    private void tickLeader() {
        heartbeatElapsedTicks++;
        electionElapsedTicks++;
        if (electionElapsedTicks >= config.electionTicks()) {
            electionElapsedTicks = 0;
            if (config.checkQuorum() && !checkQuorum()) {
                return;
            }
            if (leadTransferee != NONE) {
                // The transfer did not finish within an election timeout: take proposals again.
                leadTransferee = NONE;
            }
        }
        maybeAutoLeaveJoint();
        handOffIfNotVoter();
        if (heartbeatElapsedTicks >= config.heartbeatTicks()) {
            heartbeatElapsedTicks = 0;
            broadcastHeartbeat(readIndexQueue.latestStartedRound());
        }
    }

    /** Steps down (returns false) unless a quorum was heard from in the last election timeout. */
    private boolean checkQuorum() {
        final Progress self = tracker.progress(id);
        if (self != null) {
            self.recentActive = true;
        }
        if (!tracker.quorumActive()) {
            becomeFollower(term, NONE);
            return false;
        }
        for (final Map.Entry<Long, Progress> e : tracker.progress().entrySet()) {
            e.getValue().recentActive = e.getKey() == id;
        }
        return true;
    }

    // ---- elections -------------------------------------------------------------------------------------------

    enum CampaignType {
        PRE_ELECTION,
        ELECTION,
        TRANSFER
    }

    /** Start an election now (host's explicit campaign, or election timeout). */
    void campaignIfAllowed(final CampaignType type) {
        if (role == RaftRole.LEADER || !promotable()) {
            return;
        }
        if (hasUnappliedConfChanges()) {
            // Our membership may be about to change; campaigning on a stale one could split the cluster.
            return;
        }
        campaign(type);
    }

    private boolean hasUnappliedConfChanges() {
        if (log.committed() <= log.applied()) {
            return false;
        }
        for (final Entry entry : log.slice(Math.max(log.applied() + 1, log.firstIndex()), log.committed() + 1,
            Long.MAX_VALUE)) {
            if (entry.type() == EntryType.CONF_CHANGE) {
                return true;
            }
        }
        return false;
    }

    private void campaign(final CampaignType type) {
        final MessageType requestType;
        final long requestTerm;
        if (type == CampaignType.PRE_ELECTION) {
            becomePreCandidate();
            requestType = MessageType.PRE_VOTE;
            requestTerm = term + 1;
        } else {
            becomeCandidate();
            requestType = MessageType.VOTE;
            requestTerm = term;
        }
        if (poll(id, true) == VoteResult.WON) {
            // A single voter wins at once.
            if (type == CampaignType.PRE_ELECTION) {
                campaign(CampaignType.ELECTION);
            } else {
                becomeLeader();
            }
            return;
        }
        for (final long voter : tracker.config().members()) {
            if (voter == id || !tracker.isVoter(voter)) {
                continue;
            }
            send(Message.of(requestType, voter).term(requestTerm).index(log.lastIndex()).logTerm(log.lastTerm())
                .context(type == CampaignType.TRANSFER ? Message.CONTEXT_TRANSFER : 0));
        }
    }

    private VoteResult poll(final long from, final boolean granted) {
        tracker.recordVote(from, granted);
        return tracker.tallyVotes();
    }

    // ---- host requests ---------------------------------------------------------------------------------------

    /** Proposes {@code entries}; keeps none of the list itself (the host may reuse it). */
    void propose(final List<Entry> entries) {
        assert !entries.isEmpty();
        if (role == RaftRole.LEADER) {
            proposeAtLeader(entries, true);
            return;
        }
        if (leader == NONE || !config.forwardProposals()) {
            throw new NotLeaderException(leader);
        }
        send(Message.of(MessageType.PROPOSE, leader).entries(List.copyOf(entries)));
    }

    void readIndex(final long context) {
        if (role == RaftRole.LEADER) {
            if (!readAtLeader(id, context)) {
                throw new RequestDroppedException("too many pending reads (" + config.maxPendingReads() + ")");
            }
            return;
        }
        if (leader == NONE || !config.forwardProposals()) {
            throw new NotLeaderException(leader);
        }
        send(Message.of(MessageType.READ_INDEX, leader).context(context));
    }

    void transferLeadership(final long transferee) {
        if (role == RaftRole.LEADER) {
            startTransfer(transferee);
        } else if (leader != NONE) {
            send(Message.of(MessageType.TRANSFER_LEADER, leader).context(transferee));
        } else {
            throw new NotLeaderException(NONE);
        }
    }

    /**
     * Proposes NORMAL entries of these payloads; keeps none of the batch, only the slices it names. At
     * the leader each entry is made once, at its place in the log (an entry made to be placed, then
     * its placed copy, were 64 bytes per put, issue #21).
     */
    void proposeData(final Payloads payloads) {
        assert !payloads.isEmpty();
        if (role != RaftRole.LEADER) {
            final ArrayList<Entry> entries = new ArrayList<>(payloads.size());
            for (int i = 0; i < payloads.size(); i++) {
                entries.add(payloads.entry(0, 0, i));
            }
            propose(entries); // forwarded, or refused without a leader
            return;
        }
        final long bytes = payloads.totalBytes();
        if (refusedAtLeader(bytes, true)) {
            return;
        }
        uncommittedBytes += bytes;
        final long last = log.lastIndex();
        try {
            for (int i = 0; i < payloads.size(); i++) {
                placedScratch.add(payloads.entry(term, last + 1 + i, i));
            }
            log.append(placedScratch);
        } finally {
            placedScratch.clear();
        }
        appendPending = true;
    }

    /**
     * Whether the leader refuses a proposal of {@code bytes} payload bytes now (a local caller learns why
     * by exception; a forwarded proposal is dropped).
     */
    private boolean refusedAtLeader(final long bytes, final boolean local) {
        if (tracker.progress(id) == null) {
            refuse(local, "this leader was removed from the cluster");
            return true;
        }
        if (leadTransferee != NONE) {
            refuse(local, "leadership transfer to " + leadTransferee + " in progress");
            return true;
        }
        if (uncommittedBytes > 0 && uncommittedBytes + bytes > config.maxUncommittedBytes()) {
            refuse(local, "uncommitted bytes would exceed " + config.maxUncommittedBytes());
            return true;
        }
        return false;
    }

    /** Leader side of a proposal. Local callers learn of a refusal by exception; forwarded ones are dropped. */
    private void proposeAtLeader(final List<Entry> entries, final boolean local) {
        long bytes = 0;
        for (int i = 0; i < entries.size(); i++) {
            bytes += entries.get(i).length(); // indexed: no iterator per proposal
        }
        if (refusedAtLeader(bytes, local)) {
            return;
        }
        if (!hasConfChange(entries)) {
            uncommittedBytes += bytes;
            appendEntries(entries); // copies: the list is the host's
            appendPending = true;
            return;
        }
        final ArrayList<Entry> accepted = new ArrayList<>(entries.size());
        for (int i = 0; i < entries.size(); i++) {
            final Entry entry = entries.get(i);
            if (entry.type() == EntryType.CONF_CHANGE) {
                final String refusal = confChangeRefusal(entry);
                if (refusal != null) {
                    if (local) {
                        throw new RequestDroppedException(refusal);
                    }
                    // Keep the batch's shape; an empty entry is harmless.
                    accepted.add(Entry.normal(new byte[0]));
                    continue;
                }
                pendingConfIndex = log.lastIndex() + i + 1;
            }
            accepted.add(entry);
        }
        uncommittedBytes += bytes;
        appendEntries(accepted);
        appendPending = true;
    }

    private static boolean hasConfChange(final List<Entry> entries) {
        for (int i = 0; i < entries.size(); i++) {
            if (entries.get(i).type() == EntryType.CONF_CHANGE) {
                return true;
            }
        }
        return false;
    }

    private static void refuse(final boolean local, final String reason) {
        if (local) {
            throw new RequestDroppedException(reason);
        }
    }

    /** Why this conf change may not be proposed now, or null when it may. */
    private String confChangeRefusal(final Entry entry) {
        if (pendingConfIndex > log.applied()) {
            return "a conf change at or below " + pendingConfIndex + " is not applied yet (applied "
                + log.applied() + ")";
        }
        final ConfChange change;
        try {
            change = ConfChange.decode(entry.data()); // rare: a copy when the entry is a slice
        } catch (final IllegalArgumentException | IndexOutOfBoundsException | java.nio.BufferUnderflowException e) {
            return "malformed conf change: " + e.getMessage();
        }
        try {
            // Applied after everything before it, which is exactly the membership in force now.
            ConfChanger.apply(tracker, log.lastIndex(), change);
        } catch (final IllegalArgumentException e) {
            return "invalid conf change: " + e.getMessage();
        }
        return null;
    }

    private void appendEntries(final List<Entry> entries) {
        final long last = log.lastIndex();
        try {
            for (int i = 0; i < entries.size(); i++) {
                placedScratch.add(entries.get(i).at(term, last + 1 + i));
            }
            log.append(placedScratch);
        } finally {
            placedScratch.clear();
        }
        // The leader's own acknowledgement waits until the host has made these durable (see onStable): counting
        // them earlier could commit an entry that a crash of this leader then loses.
    }

    /** Host wrote entries up to (index, term): a leader now counts itself for them. */
    void onStable(final long index, final long entryTerm) {
        log.stableTo(index, entryTerm);
        if (role == RaftRole.LEADER && log.term(index) == entryTerm && index <= log.lastStableIndex()) {
            final Progress self = tracker.progress(id);
            if (self != null && self.maybeUpdate(index) && maybeCommit()) {
                broadcastAppend();
            }
        }
    }

    void onStableSnapshot(final long index) {
        log.stableSnapshotTo(index);
        log.appliedSnapshot(index);
    }

    /** Host applied committed entries up to index. */
    void onApplied(final long index, final long appliedPayloadBytes) {
        log.appliedTo(index);
        if (role == RaftRole.LEADER) {
            uncommittedBytes = Math.max(0, uncommittedBytes - appliedPayloadBytes);
            maybeAutoLeaveJoint();
        }
    }

    /** Once the joint configuration is applied here, the leader proposes leaving it (retried on tick if refused). */
    private void maybeAutoLeaveJoint() {
        if (tracker.config().autoLeave() && log.applied() >= pendingConfIndex) {
            proposeAtLeader(List.of(new Entry(0, 0, EntryType.CONF_CHANGE, ConfChange.leaveJoint().encode())),
                false);
        }
    }

    /** Before each Ready: flush batched work (one APPEND round for all new proposals, one read round). */
    void flush() {
        if (role != RaftRole.LEADER) {
            return;
        }
        if (appendPending) {
            appendPending = false;
            for (final long peer : tracker.ids()) {
                if (peer != id) {
                    sendAppendsWhileOpen(peer);
                }
            }
        }
        if (readIndexQueue.needsRound()) {
            broadcastHeartbeat(readIndexQueue.startRound(id));
        }
    }

    boolean hasPendingFlush() {
        return role == RaftRole.LEADER && (appendPending || readIndexQueue.needsRound());
    }

    /** Install the membership of an applied conf change entry; returns it. */
    ConfState applyConfChange(final ConfChange change) {
        final ConfChanger.Result result;
        try {
            result = ConfChanger.apply(tracker, log.lastIndex(), change);
        } catch (final IllegalArgumentException e) {
            // Every node applies the same entries in the same order: an invalid one here is a bug, not input.
            throw new IllegalStateException("committed conf change cannot apply: " + e.getMessage(), e);
        }
        switchToConfig(result);
        return tracker.config().toConfState();
    }

    private void switchToConfig(final ConfChanger.Result result) {
        tracker.switchTo(result.config(), result.progress());
        if ((role == RaftRole.CANDIDATE || role == RaftRole.PRE_CANDIDATE) && !promotable()) {
            // Removed or demoted mid-election: stop asking for votes we may no longer win with.
            becomeFollower(term, NONE);
        }
        if (role != RaftRole.LEADER) {
            return;
        }
        if (maybeCommit()) {
            broadcastAppend();
        } else {
            for (final long peer : tracker.ids()) {
                if (peer != id) {
                    sendAppend(peer, false);
                }
            }
        }
        if (leadTransferee != NONE && !tracker.isVoter(leadTransferee)) {
            leadTransferee = NONE;
        }
        handOffIfNotVoter();
    }

    /**
     * A leader removed or demoted by a change it committed keeps leading until a voter takes over: stepping down at
     * once could leave the only possible successors unaware that the change committed, still needing votes under
     * the old membership from nodes whose logs are longer than theirs. So it hands leadership to the most caught-up
     * voter (retried every election timeout until one takes it).
     */
    private void handOffIfNotVoter() {
        if (role != RaftRole.LEADER || tracker.isVoter(id) || leadTransferee != NONE) {
            return;
        }
        long best = NONE;
        long bestMatch = -1;
        for (final Map.Entry<Long, Progress> e : tracker.progress().entrySet()) {
            if (e.getKey() != id && tracker.isVoter(e.getKey()) && e.getValue().match > bestMatch) {
                best = e.getKey();
                bestMatch = e.getValue().match;
            }
        }
        if (best != NONE) {
            startTransfer(best);
        }
    }

    // ---- messages --------------------------------------------------------------------------------------------

    void step(final Message m) {
        if (m.to() != id) {
            throw new IllegalArgumentException("message for " + m.to() + " stepped into " + id);
        }
        if (m.reject() && (m.type() == MessageType.VOTE_RESPONSE || m.type() == MessageType.PRE_VOTE_RESPONSE)) {
            learnCommitFromVoter(m);
        }
        if (m.term() == 0) {
            assert m.type() == MessageType.PROPOSE || m.type() == MessageType.READ_INDEX
                || m.type() == MessageType.TRANSFER_LEADER : "term 0 on " + m;
        } else if (m.term() > term) {
            if (m.type() == MessageType.VOTE || m.type() == MessageType.PRE_VOTE) {
                final boolean force = m.context() == Message.CONTEXT_TRANSFER;
                final boolean inLease = config.checkQuorum() && leader != NONE
                    && electionElapsedTicks < config.electionTicks();
                if (!force && inLease) {
                    // We heard from a leader within the minimum election timeout: the requester is the one out of
                    // touch (§4.2.3). Do not bump our term, do not answer.
                    return;
                }
            }
            if (m.type() == MessageType.PRE_VOTE) {
                // A pre-vote never changes our term.
            } else if (m.type() == MessageType.PRE_VOTE_RESPONSE && !m.reject()) {
                // The granted pre-vote carries the future term; our term changes only when we campaign.
            } else if (m.type() == MessageType.APPEND || m.type() == MessageType.HEARTBEAT
                || m.type() == MessageType.SNAPSHOT) {
                becomeFollower(m.term(), m.from());
            } else {
                becomeFollower(m.term(), NONE);
            }
        } else if (m.term() < term) {
            if ((config.checkQuorum() || config.preVote())
                && (m.type() == MessageType.HEARTBEAT || m.type() == MessageType.APPEND)) {
                // A stale leader (e.g. after a partition) would otherwise never learn our term while we ignore it;
                // this answer makes it step down.
                send(Message.of(MessageType.APPEND_RESPONSE, m.from()));
            } else if (m.type() == MessageType.PRE_VOTE) {
                rejectVote(m, MessageType.PRE_VOTE_RESPONSE);
            }
            return;
        }

        switch (m.type()) {
            case VOTE, PRE_VOTE -> handleVoteRequest(m);
            default -> {
                switch (role) {
                    case LEADER -> stepLeader(m);
                    case CANDIDATE, PRE_CANDIDATE -> stepCandidate(m);
                    case FOLLOWER -> stepFollower(m);
                }
            }
        }
    }

    private void handleVoteRequest(final Message m) {
        final MessageType responseType = m.type() == MessageType.VOTE ? MessageType.VOTE_RESPONSE
            : MessageType.PRE_VOTE_RESPONSE;
        // We can vote for the same node again (a duplicate request), for anyone when we have neither voted nor know
        // a leader this term, and pre-vote for any future term.
        final boolean canVote = vote == m.from() || (vote == NONE && leader == NONE)
            || (m.type() == MessageType.PRE_VOTE && m.term() > term);
        if (canVote && log.isUpToDate(m.index(), m.logTerm())) {
            // Answer with the request's term: a pre-candidate counts only answers for the term it asked about.
            send(Message.of(responseType, m.from()).term(m.term()));
            if (m.type() == MessageType.VOTE) {
                electionElapsedTicks = 0;
                vote = m.from();
            }
        } else {
            rejectVote(m, responseType);
        }
    }

    /** A refusal carries our commit index and its term, see {@link #learnCommitFromVoter}. */
    private void rejectVote(final Message m, final MessageType responseType) {
        send(Message.of(responseType, m.from()).term(term).reject(true).commit(log.committed())
            .logTerm(log.term(log.committed())));
    }

    /**
     * Membership takes effect when applied, so after a joint change commits, the remaining members may not know it
     * yet and still need votes under the old membership from a removed node whose longer log makes it refuse them;
     * nobody else can tell them, so the election never ends. The refusal therefore says what the voter knows is
     * committed: if we hold the same entry there, Log Matching makes our log identical up to it, so it is committed
     * here too, and applying it gives us the membership that can elect.
     */
    private void learnCommitFromVoter(final Message m) {
        if (m.commit() > log.committed() && log.matchTerm(m.commit(), m.logTerm())) {
            log.commitTo(m.commit());
        }
    }

    private void stepLeader(final Message m) {
        switch (m.type()) {
            case PROPOSE -> proposeAtLeader(m.entries(), false);
            case READ_INDEX -> readAtLeader(m.from(), m.context());
            case TRANSFER_LEADER -> startTransfer(m.context());
            case APPEND_RESPONSE -> handleAppendResponse(m);
            case HEARTBEAT_RESPONSE -> handleHeartbeatResponse(m);
            default -> {
                // Leaders ignore the rest (stale answers of an earlier role in this term, TIMEOUT_NOW, ...).
            }
        }
    }

    private void stepCandidate(final Message m) {
        final MessageType wanted = role == RaftRole.PRE_CANDIDATE ? MessageType.PRE_VOTE_RESPONSE
            : MessageType.VOTE_RESPONSE;
        switch (m.type()) {
            case PROPOSE, READ_INDEX, TRANSFER_LEADER -> {
                // No leader to forward to; the sender retries.
            }
            case APPEND -> {
                becomeFollower(m.term(), m.from());
                handleAppend(m);
            }
            case HEARTBEAT -> {
                becomeFollower(m.term(), m.from());
                handleHeartbeat(m);
            }
            case SNAPSHOT -> {
                becomeFollower(m.term(), m.from());
                handleSnapshot(m);
            }
            case VOTE_RESPONSE, PRE_VOTE_RESPONSE -> {
                if (m.type() != wanted) {
                    return;
                }
                switch (poll(m.from(), !m.reject())) {
                    case WON -> {
                        if (role == RaftRole.PRE_CANDIDATE) {
                            campaign(CampaignType.ELECTION);
                        } else {
                            becomeLeader();
                        }
                    }
                    case LOST -> becomeFollower(term, NONE);
                    case PENDING -> {
                    }
                }
            }
            default -> {
            }
        }
    }

    private void stepFollower(final Message m) {
        switch (m.type()) {
            case PROPOSE, READ_INDEX -> {
                // Already forwarded once by a node that thought we lead: forward no further (no bouncing between
                // nodes with stale views); the client retries.
            }
            case TRANSFER_LEADER -> {
                if (leader != NONE) {
                    send(Message.of(MessageType.TRANSFER_LEADER, leader).context(m.context()));
                }
            }
            case APPEND -> {
                electionElapsedTicks = 0;
                leader = m.from();
                handleAppend(m);
            }
            case HEARTBEAT -> {
                electionElapsedTicks = 0;
                leader = m.from();
                handleHeartbeat(m);
            }
            case SNAPSHOT -> {
                electionElapsedTicks = 0;
                leader = m.from();
                handleSnapshot(m);
            }
            case TIMEOUT_NOW -> campaignIfAllowed(CampaignType.TRANSFER);
            case READ_INDEX_RESPONSE -> readStates.add(new ReadState(m.index(), m.context()));
            default -> {
            }
        }
    }

    // ---- follower side of replication ------------------------------------------------------------------------

    private void handleAppend(final Message m) {
        if (m.index() < log.committed()) {
            // Everything up to our commit index matches by Log Matching; tell the leader to go on from there.
            send(Message.of(MessageType.APPEND_RESPONSE, m.from()).index(log.committed()));
            return;
        }
        final long lastNew = log.maybeAppend(m.index(), m.logTerm(), m.commit(), m.entries());
        if (lastNew >= 0) {
            send(Message.of(MessageType.APPEND_RESPONSE, m.from()).index(lastNew));
            return;
        }
        // Term hint (§5.3 optimization): skip every entry that cannot match in one round trip.
        final long hintIndex = log.findConflictByTerm(Math.min(m.index(), log.lastIndex()), m.logTerm());
        send(Message.of(MessageType.APPEND_RESPONSE, m.from()).index(m.index()).reject(true).rejectHint(hintIndex)
            .logTerm(log.term(hintIndex)));
    }

    private void handleHeartbeat(final Message m) {
        // The leader sends min(its commit, our match), so this never commits past what we hold from it.
        log.commitTo(Math.min(m.commit(), log.lastIndex()));
        // (index, logTerm) is the last entry the leader had sent us when it sent this; not holding it means an
        // APPEND was lost.
        send(Message.of(MessageType.HEARTBEAT_RESPONSE, m.from()).context(m.context()).index(m.index())
            .reject(!log.matchTerm(m.index(), m.logTerm())));
    }

    private void handleSnapshot(final Message m) {
        if (restore(m.snapshot())) {
            send(Message.of(MessageType.APPEND_RESPONSE, m.from()).index(log.lastIndex()));
        } else {
            send(Message.of(MessageType.APPEND_RESPONSE, m.from()).index(log.committed()));
        }
    }

    /** Install a snapshot unless we already have what it covers. */
    private boolean restore(final Snapshot snapshot) {
        if (snapshot.index() <= log.committed()) {
            return false;
        }
        if (!snapshot.confState().isMember(id)) {
            // A snapshot of a configuration we are not in would leave us without a membership.
            return false;
        }
        if (log.matchTerm(snapshot.index(), snapshot.term())) {
            // We hold that entry already: by Log Matching everything before it matches; just learn the commit.
            log.commitTo(snapshot.index());
            return false;
        }
        log.restore(snapshot);
        final ConfChanger.Result restored = ConfChanger.restore(tracker, log.lastIndex(), snapshot.confState());
        tracker.switchTo(restored.config(), restored.progress());
        return true;
    }

    // ---- leader side of replication --------------------------------------------------------------------------

    private void handleAppendResponse(final Message m) {
        final Progress pr = tracker.progress(m.from());
        if (pr == null) {
            return;
        }
        pr.recentActive = true;
        if (m.reject()) {
            long nextProbe = m.rejectHint();
            if (m.logTerm() > 0) {
                // The follower's entry at rejectHint has term logTerm: skip to where our log could match it.
                nextProbe = log.findConflictByTerm(m.rejectHint(), m.logTerm());
            }
            if (pr.maybeDecreaseTo(m.index(), nextProbe)) {
                if (pr.state == ProgressState.REPLICATE) {
                    pr.becomeProbe();
                }
                sendAppend(m.from(), false);
            }
            return;
        }
        acknowledge(m.from(), pr, m.index());
    }

    /** The follower's log matches ours up to index (durably: it answers only after persisting). */
    private void acknowledge(final long from, final Progress pr, final long index) {
        final boolean updated = pr.maybeUpdate(index);
        if (!updated && !(pr.state == ProgressState.PROBE && pr.match == index)) {
            // Stale or duplicate acknowledgement.
            return;
        }
        // A probe answered at exactly our match also proves where the logs agree: stream from there.
        switch (pr.state) {
            case PROBE -> pr.becomeReplicate();
            case SNAPSHOT -> {
                if (pr.match >= pr.pendingSnapshot) {
                    pr.becomeProbe();
                    pr.becomeReplicate();
                }
            }
            case REPLICATE -> pr.inflights.freeTo(index);
        }
        if (maybeCommit()) {
            broadcastAppend();
        } else {
            sendAppendsWhileOpen(from);
        }
        if (from == leadTransferee && pr.match == log.lastIndex()) {
            send(Message.of(MessageType.TIMEOUT_NOW, from));
        }
    }

    private void handleHeartbeatResponse(final Message m) {
        final Progress pr = tracker.progress(m.from());
        if (pr == null) {
            return;
        }
        pr.recentActive = true;
        pr.probeSent = false;
        if (m.reject()) {
            if (pr.state == ProgressState.REPLICATE && pr.match < m.index()) {
                // The follower lacks entries we had sent before this heartbeat: an APPEND was lost (or is late).
                // Nothing else would resend it while no new entries arrive, so probe from its real match again.
                pr.becomeProbe();
            }
        } else if (m.index() > pr.match && m.index() >= log.firstIndex() - 1) {
            // It holds our entry at index, so by Log Matching all before it: as good as an APPEND acknowledgement,
            // and what recovers replication when those acknowledgements were lost.
            acknowledge(m.from(), pr, m.index());
        }
        if (pr.match < log.lastIndex()) {
            sendAppend(m.from(), false);
        }
        if (m.context() != 0 && config.readOnlyOption() == ReadOnlyOption.SAFE) {
            for (final ReadIndexQueue.PendingRead read : readIndexQueue.acknowledge(m.from(), m.context(), tracker)) {
                answerRead(read.from(), read.context(), read.index());
            }
        }
    }

    /** Commit what a quorum holds, if it is of our term; on the first commit of our term release waiting reads. */
    private boolean maybeCommit() {
        final long quorumIndex = tracker.committedIndex();
        final boolean firstInTerm = !committedInCurrentTerm();
        if (!log.maybeCommit(quorumIndex, term)) {
            return false;
        }
        if (firstInTerm && committedInCurrentTerm()) {
            int bound = readsAwaitingTermCommit.size();
            while (!readsAwaitingTermCommit.isEmpty() && bound-- > 0) {
                final long[] read = readsAwaitingTermCommit.pollFirst();
                readAtLeader(read[0], read[1]);
            }
        }
        return true;
    }

    private boolean committedInCurrentTerm() {
        return log.term(log.committed()) == term;
    }

    private void broadcastAppend() {
        for (final long peer : tracker.ids()) {
            if (peer != id) {
                sendAppend(peer, true);
            }
        }
    }

    private void sendAppendsWhileOpen(final long to) {
        int bound = config.maxInflightMessages() + 1;
        while (bound-- > 0 && sendAppend(to, false)) {
            // Each call sends one APPEND of up to maxMessageBytes; the inflight window ends the loop.
        }
    }

    /**
     * Send the follower what it misses after pr.next (or a snapshot if that is compacted away). With sendIfEmpty an
     * empty APPEND still goes out, to carry the commit index. Returns whether a message was sent.
     */
    private boolean sendAppend(final long to, final boolean sendIfEmpty) {
        final Progress pr = tracker.progress(to);
        if (pr == null || pr.isPaused()) {
            return false;
        }
        final long prevIndex = pr.next - 1;
        if (prevIndex < log.firstIndex() - 1) {
            return sendSnapshot(to, pr);
        }
        final long prevTerm = log.term(prevIndex);
        final List<Entry> entries;
        try {
            entries = log.entriesFrom(pr.next, config.maxMessageBytes());
        } catch (final LogCompactedException e) {
            return sendSnapshot(to, pr);
        }
        if (entries.isEmpty() && !sendIfEmpty) {
            return false;
        }
        long bytes = 0;
        for (final Entry entry : entries) {
            bytes += entry.sizeBytes();
        }
        send(Message.of(MessageType.APPEND, to).index(prevIndex).logTerm(prevTerm).entries(entries)
            .commit(log.committed()));
        pr.sentEntries(entries.size(), bytes);
        return true;
    }

    private boolean sendSnapshot(final long to, final Progress pr) {
        if (!pr.recentActive) {
            // Snapshots are big: only send one to a follower that is there to receive it.
            return false;
        }
        final Snapshot snapshot = log.snapshot();
        if (snapshot == null || snapshot.isEmpty()) {
            return false;
        }
        pr.becomeSnapshot(snapshot.index());
        send(Message.of(MessageType.SNAPSHOT, to).snapshot(snapshot));
        return true;
    }

    private void broadcastHeartbeat(final long readRound) {
        for (final Map.Entry<Long, Progress> e : tracker.progress().entrySet()) {
            if (e.getKey() == id) {
                continue;
            }
            // Never tell a follower a commit index beyond what it is known to hold.
            final long commit = Math.min(e.getValue().match, log.committed());
            final long lastSent = e.getValue().next - 1;
            send(Message.of(MessageType.HEARTBEAT, e.getKey()).commit(commit).index(lastSent)
                .logTerm(log.term(lastSent)).context(readRound));
        }
    }

    /** Host reports it could not reach a follower: stop streaming to it and probe. */
    void reportUnreachable(final long peer) {
        final Progress pr = tracker.progress(peer);
        if (role == RaftRole.LEADER && pr != null && pr.state == ProgressState.REPLICATE) {
            pr.becomeProbe();
        }
    }

    /** Host reports whether a snapshot reached the follower. */
    void reportSnapshot(final long peer, final boolean delivered) {
        final Progress pr = tracker.progress(peer);
        if (role != RaftRole.LEADER || pr == null || pr.state != ProgressState.SNAPSHOT) {
            return;
        }
        if (!delivered) {
            pr.pendingSnapshot = 0;
        }
        pr.becomeProbe();
        // Wait for a heartbeat answer before probing, rather than resending at once.
        pr.probeSent = true;
    }

    // ---- leadership transfer ---------------------------------------------------------------------------------

    private void startTransfer(final long transferee) {
        final Progress pr = tracker.progress(transferee);
        if (pr == null || pr.isLearner || transferee == id || transferee == leadTransferee) {
            return;
        }
        leadTransferee = transferee;
        // The transfer must finish within one election timeout (checked in tickLeader).
        electionElapsedTicks = 0;
        if (pr.match == log.lastIndex()) {
            send(Message.of(MessageType.TIMEOUT_NOW, transferee));
        } else {
            sendAppend(transferee, false);
        }
    }

    // ---- reads -----------------------------------------------------------------------------------------------

    /** False when the read had to be dropped (queue bound). */
    private boolean readAtLeader(final long from, final long context) {
        if (!committedInCurrentTerm()) {
            // Our commit index may lag the true one until an entry of our term commits (§6.4 step 1).
            if (readsAwaitingTermCommit.size() >= config.maxPendingReads()) {
                return false;
            }
            readsAwaitingTermCommit.addLast(new long[] {from, context});
            return true;
        }
        if (tracker.isSingleVoter(id) || config.readOnlyOption() == ReadOnlyOption.LEASE_BASED) {
            answerRead(from, context, log.committed());
            return true;
        }
        return readIndexQueue.add(from, context, log.committed());
    }

    private void answerRead(final long from, final long context, final long index) {
        if (from == id) {
            readStates.add(new ReadState(index, context));
        } else {
            send(Message.of(MessageType.READ_INDEX_RESPONSE, from).index(index).context(context));
        }
    }

    private void send(final Message.Builder builder) {
        builder.from(id);
        final MessageType type = builder.type();
        final boolean termless = type == MessageType.PROPOSE || type == MessageType.READ_INDEX
            || type == MessageType.TRANSFER_LEADER;
        if (!termless && builder.termOrZero() == 0) {
            // Vote answers and requests set their own term; everything else carries ours.
            builder.term(term);
        }
        messages.add(builder.build());
        if (messages.size() > MAX_QUEUED_MESSAGES) {
            throw new IllegalStateException("more than " + MAX_QUEUED_MESSAGES + " messages without a Ready");
        }
    }

    Map<Long, String> progressSummary() {
        final TreeMap<Long, String> summary = new TreeMap<>();
        tracker.progress().forEach((peer, pr) -> summary.put(peer, pr.toString()));
        return summary;
    }
}
