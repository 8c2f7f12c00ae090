package io.cairn.transport;

import io.cairn.raft.Entry;
import io.cairn.raft.Message;
import io.cairn.sbe.raft.AppendEntriesEncoder;
import io.cairn.sbe.raft.AppendEntriesResponseEncoder;
import io.cairn.sbe.raft.BooleanType;
import io.cairn.sbe.raft.EntryType;
import io.cairn.sbe.raft.ForwardedProposalEncoder;
import io.cairn.sbe.raft.HeartbeatEncoder;
import io.cairn.sbe.raft.HeartbeatResponseEncoder;
import io.cairn.sbe.raft.MessageHeaderEncoder;
import io.cairn.sbe.raft.PreVoteRequestEncoder;
import io.cairn.sbe.raft.PreVoteResponseEncoder;
import io.cairn.sbe.raft.ReadIndexRequestEncoder;
import io.cairn.sbe.raft.ReadIndexResponseEncoder;
import io.cairn.sbe.raft.TimeoutNowEncoder;
import io.cairn.sbe.raft.TransferLeaderEncoder;
import io.cairn.sbe.raft.VoteRequestEncoder;
import io.cairn.sbe.raft.VoteResponseEncoder;
import java.nio.ByteOrder;
import java.util.List;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * Writes a Raft {@link Message} (any type but SNAPSHOT, which travels in chunks) as one SBE frame of the raft
 * schema, stamped with the cluster id. {@link #encodedLength} is exact, so the frame can be written straight into
 * a claimed slice of the publication's log buffer. One instance per thread: the encoders are reused flyweights.
 *
 * <p>The Raft core's long {@code context} travels in the schema's variable-length context field as 8 little-endian
 * bytes, or as no bytes when it is 0 (the common case).
 */
final class RaftMessageEncoder {
    static final int HEADER_BYTES = MessageHeaderEncoder.ENCODED_LENGTH;
    private static final int VAR_HEADER_BYTES = 4;
    private static final int GROUP_HEADER_BYTES = 4;

    private final long clusterId;
    private final MessageHeaderEncoder header = new MessageHeaderEncoder();
    private final AppendEntriesEncoder append = new AppendEntriesEncoder();
    private final AppendEntriesResponseEncoder appendResponse = new AppendEntriesResponseEncoder();
    private final VoteRequestEncoder vote = new VoteRequestEncoder();
    private final VoteResponseEncoder voteResponse = new VoteResponseEncoder();
    private final PreVoteRequestEncoder preVote = new PreVoteRequestEncoder();
    private final PreVoteResponseEncoder preVoteResponse = new PreVoteResponseEncoder();
    private final HeartbeatEncoder heartbeat = new HeartbeatEncoder();
    private final HeartbeatResponseEncoder heartbeatResponse = new HeartbeatResponseEncoder();
    private final TimeoutNowEncoder timeoutNow = new TimeoutNowEncoder();
    private final ReadIndexRequestEncoder readIndex = new ReadIndexRequestEncoder();
    private final ReadIndexResponseEncoder readIndexResponse = new ReadIndexResponseEncoder();
    private final ForwardedProposalEncoder propose = new ForwardedProposalEncoder();
    private final TransferLeaderEncoder transferLeader = new TransferLeaderEncoder();
    private final UnsafeBuffer contextBytes = new UnsafeBuffer(new byte[Long.BYTES]);

    RaftMessageEncoder(final long clusterId) {
        this.clusterId = clusterId;
    }

    /** Frame bytes for {@code m}, header included. */
    static int encodedLength(final Message m) {
        return HEADER_BYTES + switch (m.type()) {
            case APPEND -> AppendEntriesEncoder.BLOCK_LENGTH + GROUP_HEADER_BYTES
                + entriesBytes(m.entries(), AppendEntriesEncoder.EntriesEncoder.sbeBlockLength());
            case APPEND_RESPONSE -> AppendEntriesResponseEncoder.BLOCK_LENGTH;
            case VOTE -> VoteRequestEncoder.BLOCK_LENGTH;
            case VOTE_RESPONSE -> VoteResponseEncoder.BLOCK_LENGTH;
            case PRE_VOTE -> PreVoteRequestEncoder.BLOCK_LENGTH;
            case PRE_VOTE_RESPONSE -> PreVoteResponseEncoder.BLOCK_LENGTH;
            case HEARTBEAT -> HeartbeatEncoder.BLOCK_LENGTH + VAR_HEADER_BYTES + contextLength(m.context());
            case HEARTBEAT_RESPONSE -> HeartbeatResponseEncoder.BLOCK_LENGTH + VAR_HEADER_BYTES
                + contextLength(m.context());
            case TIMEOUT_NOW -> TimeoutNowEncoder.BLOCK_LENGTH;
            case READ_INDEX -> ReadIndexRequestEncoder.BLOCK_LENGTH + VAR_HEADER_BYTES + contextLength(m.context());
            case READ_INDEX_RESPONSE -> ReadIndexResponseEncoder.BLOCK_LENGTH + VAR_HEADER_BYTES
                + contextLength(m.context());
            case PROPOSE -> ForwardedProposalEncoder.BLOCK_LENGTH + GROUP_HEADER_BYTES
                + entriesBytes(m.entries(), ForwardedProposalEncoder.EntriesEncoder.sbeBlockLength());
            case TRANSFER_LEADER -> TransferLeaderEncoder.BLOCK_LENGTH;
            case SNAPSHOT -> throw new IllegalArgumentException("snapshots travel as chunks on the snapshot stream");
        };
    }

    private static int entriesBytes(final List<Entry> entries, final int blockBytes) {
        long bytes = 0;
        for (int i = 0; i < entries.size(); i++) {
            bytes += blockBytes + VAR_HEADER_BYTES + entries.get(i).length();
        }
        // Callers compare against the publication's maximum message length, far below 2 GiB.
        return (int) Math.min(bytes, Integer.MAX_VALUE / 2);
    }

    private static int contextLength(final long context) {
        return context == 0 ? 0 : Long.BYTES;
    }

    /** Writes {@code m} at {@code offset}; exactly {@link #encodedLength} bytes. */
    void encode(final Message m, final MutableDirectBuffer buffer, final int offset) {
        switch (m.type()) {
            case APPEND -> {
                append.wrapAndApplyHeader(buffer, offset, header).clusterId(clusterId).from(m.from()).to(m.to())
                    .term(m.term()).prevLogIndex(m.index()).prevLogTerm(m.logTerm()).leaderCommit(m.commit());
                final List<Entry> entries = m.entries();
                final AppendEntriesEncoder.EntriesEncoder group = append.entriesCount(entries.size());
                for (int i = 0; i < entries.size(); i++) {
                    final Entry e = entries.get(i);
                    group.next().index(e.index()).term(e.term()).entryType(entryType(e.type()))
                        .putData(e.buffer(), e.offset(), e.length());
                }
            }
            case APPEND_RESPONSE -> appendResponse.wrapAndApplyHeader(buffer, offset, header).clusterId(clusterId)
                .from(m.from()).to(m.to()).term(m.term()).index(m.index()).reject(bool(m.reject()))
                .rejectHintIndex(m.rejectHint()).rejectHintTerm(m.logTerm());
            case VOTE -> vote.wrapAndApplyHeader(buffer, offset, header).clusterId(clusterId).from(m.from())
                .to(m.to()).term(m.term()).lastLogIndex(m.index()).lastLogTerm(m.logTerm())
                .leadershipTransfer(bool(m.context() == Message.CONTEXT_TRANSFER));
            case VOTE_RESPONSE -> voteResponse.wrapAndApplyHeader(buffer, offset, header).clusterId(clusterId)
                .from(m.from()).to(m.to()).term(m.term()).granted(bool(!m.reject())).voterCommit(m.commit())
                .voterCommitTerm(m.logTerm());
            case PRE_VOTE -> preVote.wrapAndApplyHeader(buffer, offset, header).clusterId(clusterId).from(m.from())
                .to(m.to()).term(m.term()).lastLogIndex(m.index()).lastLogTerm(m.logTerm())
                .leadershipTransfer(bool(m.context() == Message.CONTEXT_TRANSFER));
            case PRE_VOTE_RESPONSE -> preVoteResponse.wrapAndApplyHeader(buffer, offset, header).clusterId(clusterId)
                .from(m.from()).to(m.to()).term(m.term()).granted(bool(!m.reject())).voterCommit(m.commit())
                .voterCommitTerm(m.logTerm());
            case HEARTBEAT -> {
                heartbeat.wrapAndApplyHeader(buffer, offset, header).clusterId(clusterId).from(m.from()).to(m.to())
                    .term(m.term()).commit(m.commit()).lastSentIndex(m.index()).lastSentTerm(m.logTerm());
                heartbeat.putContext(contextBytes, 0, putContext(m.context()));
            }
            case HEARTBEAT_RESPONSE -> {
                heartbeatResponse.wrapAndApplyHeader(buffer, offset, header).clusterId(clusterId).from(m.from())
                    .to(m.to()).term(m.term()).index(m.index()).reject(bool(m.reject()));
                heartbeatResponse.putContext(contextBytes, 0, putContext(m.context()));
            }
            case TIMEOUT_NOW -> timeoutNow.wrapAndApplyHeader(buffer, offset, header).clusterId(clusterId)
                .from(m.from()).to(m.to()).term(m.term());
            case READ_INDEX -> {
                readIndex.wrapAndApplyHeader(buffer, offset, header).clusterId(clusterId).from(m.from()).to(m.to())
                    .term(m.term());
                readIndex.putContext(contextBytes, 0, putContext(m.context()));
            }
            case READ_INDEX_RESPONSE -> {
                readIndexResponse.wrapAndApplyHeader(buffer, offset, header).clusterId(clusterId).from(m.from())
                    .to(m.to()).term(m.term()).index(m.index());
                readIndexResponse.putContext(contextBytes, 0, putContext(m.context()));
            }
            case PROPOSE -> {
                propose.wrapAndApplyHeader(buffer, offset, header).clusterId(clusterId).from(m.from()).to(m.to())
                    .term(m.term());
                final List<Entry> entries = m.entries();
                final ForwardedProposalEncoder.EntriesEncoder group = propose.entriesCount(entries.size());
                for (int i = 0; i < entries.size(); i++) {
                    final Entry e = entries.get(i);
                    group.next().entryType(entryType(e.type())).putData(e.buffer(), e.offset(), e.length());
                }
            }
            case TRANSFER_LEADER -> transferLeader.wrapAndApplyHeader(buffer, offset, header).clusterId(clusterId)
                .from(m.from()).to(m.to()).term(m.term()).transferee(m.context());
            case SNAPSHOT -> throw new IllegalArgumentException("snapshots travel as chunks on the snapshot stream");
        }
    }

    private int putContext(final long context) {
        if (context == 0) {
            return 0;
        }
        contextBytes.putLong(0, context, ByteOrder.LITTLE_ENDIAN);
        return Long.BYTES;
    }

    static BooleanType bool(final boolean value) {
        return value ? BooleanType.TRUE : BooleanType.FALSE;
    }

    static EntryType entryType(final io.cairn.raft.EntryType type) {
        return switch (type) {
            case NORMAL -> EntryType.NORMAL;
            case CONF_CHANGE -> EntryType.CONF_CHANGE;
        };
    }
}
