package io.cairn.transport;

import io.cairn.raft.Entry;
import io.cairn.raft.Message;
import io.cairn.raft.MessageType;
import io.cairn.sbe.raft.AppendEntriesDecoder;
import io.cairn.sbe.raft.AppendEntriesResponseDecoder;
import io.cairn.sbe.raft.BooleanType;
import io.cairn.sbe.raft.EntryType;
import io.cairn.sbe.raft.ForwardedProposalDecoder;
import io.cairn.sbe.raft.HeartbeatDecoder;
import io.cairn.sbe.raft.HeartbeatResponseDecoder;
import io.cairn.sbe.raft.MessageHeaderDecoder;
import io.cairn.sbe.raft.PreVoteRequestDecoder;
import io.cairn.sbe.raft.PreVoteResponseDecoder;
import io.cairn.sbe.raft.ReadIndexRequestDecoder;
import io.cairn.sbe.raft.ReadIndexResponseDecoder;
import io.cairn.sbe.raft.TimeoutNowDecoder;
import io.cairn.sbe.raft.TransferLeaderDecoder;
import io.cairn.sbe.raft.VoteRequestDecoder;
import io.cairn.sbe.raft.VoteResponseDecoder;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import org.agrona.DirectBuffer;

/**
 * Reads one admitted SBE frame of the raft schema back into a Raft {@link Message}. A frame that does not decode
 * (unknown template, lengths pointing past the frame, bad enum values, a context that is neither 0 nor 8 bytes)
 * yields null: the caller counts and drops it. Lengths are checked before any array is allocated, so a hostile
 * length field cannot make the decoder allocate more than the frame's own size.
 */
final class RaftMessageDecoder {
    private static final int VAR_HEADER_BYTES = 4;

    private final MessageHeaderDecoder header = new MessageHeaderDecoder();
    private final AppendEntriesDecoder append = new AppendEntriesDecoder();
    private final AppendEntriesResponseDecoder appendResponse = new AppendEntriesResponseDecoder();
    private final VoteRequestDecoder vote = new VoteRequestDecoder();
    private final VoteResponseDecoder voteResponse = new VoteResponseDecoder();
    private final PreVoteRequestDecoder preVote = new PreVoteRequestDecoder();
    private final PreVoteResponseDecoder preVoteResponse = new PreVoteResponseDecoder();
    private final HeartbeatDecoder heartbeat = new HeartbeatDecoder();
    private final HeartbeatResponseDecoder heartbeatResponse = new HeartbeatResponseDecoder();
    private final TimeoutNowDecoder timeoutNow = new TimeoutNowDecoder();
    private final ReadIndexRequestDecoder readIndex = new ReadIndexRequestDecoder();
    private final ReadIndexResponseDecoder readIndexResponse = new ReadIndexResponseDecoder();
    private final ForwardedProposalDecoder propose = new ForwardedProposalDecoder();
    private final TransferLeaderDecoder transferLeader = new TransferLeaderDecoder();

    /** The decoded message, or null when the frame is malformed. */
    Message decode(final DirectBuffer buffer, final int offset, final int length) {
        try {
            return decodeOrThrow(buffer, offset, length);
        } catch (final IndexOutOfBoundsException | IllegalArgumentException | IllegalStateException malformed) {
            return null;
        }
    }

    private Message decodeOrThrow(final DirectBuffer buffer, final int offset, final int length) {
        header.wrap(buffer, offset);
        final int block = header.blockLength();
        final int version = header.version();
        final int body = offset + MessageHeaderDecoder.ENCODED_LENGTH;
        final int end = offset + length;
        final Message message = switch (header.templateId()) {
            case AppendEntriesDecoder.TEMPLATE_ID -> {
                append.wrap(buffer, body, block, version);
                final List<Entry> entries = new ArrayList<>();
                for (final AppendEntriesDecoder.EntriesDecoder e : append.entries()) {
                    final long index = e.index();
                    final long term = e.term();
                    final io.cairn.raft.EntryType type = entryType(e.entryType());
                    final byte[] data = new byte[checkedLength(e.dataLength(), append.limit(), end)];
                    e.getData(data, 0, data.length);
                    entries.add(new Entry(nonNegative(term), nonNegative(index), type, data));
                }
                yield message(MessageType.APPEND, append.from(), append.to(), append.term(), append.prevLogTerm(),
                    append.prevLogIndex(), List.copyOf(entries), append.leaderCommit(), false, 0, 0, append.limit(), end);
            }
            case AppendEntriesResponseDecoder.TEMPLATE_ID -> {
                appendResponse.wrap(buffer, body, block, version);
                yield message(MessageType.APPEND_RESPONSE, appendResponse.from(), appendResponse.to(),
                    appendResponse.term(), appendResponse.rejectHintTerm(), appendResponse.index(), List.of(), 0,
                    bool(appendResponse.reject()), appendResponse.rejectHintIndex(), 0, appendResponse.limit(), end);
            }
            case VoteRequestDecoder.TEMPLATE_ID -> {
                vote.wrap(buffer, body, block, version);
                yield message(MessageType.VOTE, vote.from(), vote.to(), vote.term(), vote.lastLogTerm(),
                    vote.lastLogIndex(), List.of(), 0, false, 0, transferContext(vote.leadershipTransfer()),
                    vote.limit(), end);
            }
            case VoteResponseDecoder.TEMPLATE_ID -> {
                voteResponse.wrap(buffer, body, block, version);
                yield message(MessageType.VOTE_RESPONSE, voteResponse.from(), voteResponse.to(), voteResponse.term(),
                    voteResponse.voterCommitTerm(), 0, List.of(), voteResponse.voterCommit(),
                    !bool(voteResponse.granted()), 0, 0, voteResponse.limit(), end);
            }
            case PreVoteRequestDecoder.TEMPLATE_ID -> {
                preVote.wrap(buffer, body, block, version);
                yield message(MessageType.PRE_VOTE, preVote.from(), preVote.to(), preVote.term(),
                    preVote.lastLogTerm(), preVote.lastLogIndex(), List.of(), 0, false, 0,
                    transferContext(preVote.leadershipTransfer()), preVote.limit(), end);
            }
            case PreVoteResponseDecoder.TEMPLATE_ID -> {
                preVoteResponse.wrap(buffer, body, block, version);
                yield message(MessageType.PRE_VOTE_RESPONSE, preVoteResponse.from(), preVoteResponse.to(),
                    preVoteResponse.term(), preVoteResponse.voterCommitTerm(), 0, List.of(),
                    preVoteResponse.voterCommit(), !bool(preVoteResponse.granted()), 0, 0, preVoteResponse.limit(),
                    end);
            }
            case HeartbeatDecoder.TEMPLATE_ID -> {
                heartbeat.wrap(buffer, body, block, version);
                final long from = heartbeat.from();
                final long to = heartbeat.to();
                final long term = heartbeat.term();
                final long commit = heartbeat.commit();
                final long lastSentIndex = heartbeat.lastSentIndex();
                final long lastSentTerm = heartbeat.lastSentTerm();
                final long context = context(buffer, heartbeat.limit(), end);
                heartbeat.skipContext();
                yield message(MessageType.HEARTBEAT, from, to, term, lastSentTerm, lastSentIndex, List.of(), commit,
                    false, 0, context, heartbeat.limit(), end);
            }
            case HeartbeatResponseDecoder.TEMPLATE_ID -> {
                heartbeatResponse.wrap(buffer, body, block, version);
                final long from = heartbeatResponse.from();
                final long to = heartbeatResponse.to();
                final long term = heartbeatResponse.term();
                final long index = heartbeatResponse.index();
                final boolean reject = bool(heartbeatResponse.reject());
                final long context = context(buffer, heartbeatResponse.limit(), end);
                heartbeatResponse.skipContext();
                yield message(MessageType.HEARTBEAT_RESPONSE, from, to, term, 0, index, List.of(), 0, reject, 0,
                    context, heartbeatResponse.limit(), end);
            }
            case TimeoutNowDecoder.TEMPLATE_ID -> {
                timeoutNow.wrap(buffer, body, block, version);
                yield message(MessageType.TIMEOUT_NOW, timeoutNow.from(), timeoutNow.to(), timeoutNow.term(), 0, 0,
                    List.of(), 0, false, 0, 0, timeoutNow.limit(), end);
            }
            case ReadIndexRequestDecoder.TEMPLATE_ID -> {
                readIndex.wrap(buffer, body, block, version);
                final long from = readIndex.from();
                final long to = readIndex.to();
                final long term = readIndex.term();
                final long context = context(buffer, readIndex.limit(), end);
                readIndex.skipContext();
                yield message(MessageType.READ_INDEX, from, to, term, 0, 0, List.of(), 0, false, 0, context,
                    readIndex.limit(), end);
            }
            case ReadIndexResponseDecoder.TEMPLATE_ID -> {
                readIndexResponse.wrap(buffer, body, block, version);
                final long from = readIndexResponse.from();
                final long to = readIndexResponse.to();
                final long term = readIndexResponse.term();
                final long index = readIndexResponse.index();
                final long context = context(buffer, readIndexResponse.limit(), end);
                readIndexResponse.skipContext();
                yield message(MessageType.READ_INDEX_RESPONSE, from, to, term, 0, index, List.of(), 0, false, 0,
                    context, readIndexResponse.limit(), end);
            }
            case ForwardedProposalDecoder.TEMPLATE_ID -> {
                propose.wrap(buffer, body, block, version);
                final List<Entry> entries = new ArrayList<>();
                for (final ForwardedProposalDecoder.EntriesDecoder e : propose.entries()) {
                    final io.cairn.raft.EntryType type = entryType(e.entryType());
                    final byte[] data = new byte[checkedLength(e.dataLength(), propose.limit(), end)];
                    e.getData(data, 0, data.length);
                    entries.add(new Entry(0, 0, type, data));
                }
                yield message(MessageType.PROPOSE, propose.from(), propose.to(), propose.term(), 0, 0,
                    List.copyOf(entries), 0, false, 0, 0, propose.limit(), end);
            }
            case TransferLeaderDecoder.TEMPLATE_ID -> {
                transferLeader.wrap(buffer, body, block, version);
                yield message(MessageType.TRANSFER_LEADER, transferLeader.from(), transferLeader.to(),
                    transferLeader.term(), 0, 0, List.of(), 0, false, 0, transferLeader.transferee(),
                    transferLeader.limit(), end);
            }
            default -> null;
        };
        return message;
    }

    private static Message message(final MessageType type, final long from, final long to, final long term,
                                   final long logTerm, final long index, final List<Entry> entries, final long commit,
                                   final boolean reject, final long rejectHint, final long context, final int limit,
                                   final int end) {
        if (limit > end) {
            throw new IllegalArgumentException("frame shorter than its fields");
        }
        return new Message(type, from, to, nonNegative(term), nonNegative(logTerm), nonNegative(index), entries,
            nonNegative(commit), reject, rejectHint, null, context);
    }

    /** Raft's indexes and terms are non-negative longs; a uint64 above that is not from a Cairn member. */
    private static long nonNegative(final long value) {
        if (value < 0) {
            throw new IllegalArgumentException("uint64 field above Long.MAX_VALUE");
        }
        return value;
    }

    static int checkedLength(final int length, final int limit, final int end) {
        if (length < 0 || (long) limit + VAR_HEADER_BYTES + length > end) {
            throw new IllegalArgumentException("variable-length field runs past the frame");
        }
        return length;
    }

    private static long context(final DirectBuffer buffer, final int limit, final int end) {
        if (limit + VAR_HEADER_BYTES > end) {
            throw new IllegalArgumentException("frame ends before its context field");
        }
        final int length = checkedLength(buffer.getInt(limit, ByteOrder.LITTLE_ENDIAN), limit, end);
        return switch (length) {
            case 0 -> 0;
            case Long.BYTES -> buffer.getLong(limit + VAR_HEADER_BYTES, ByteOrder.LITTLE_ENDIAN);
            default -> throw new IllegalArgumentException("context of " + length + " bytes");
        };
    }

    private static long transferContext(final BooleanType transfer) {
        return bool(transfer) ? Message.CONTEXT_TRANSFER : 0;
    }

    static boolean bool(final BooleanType value) {
        return switch (value) {
            case TRUE -> true;
            case FALSE -> false;
            case NULL_VAL -> throw new IllegalArgumentException("boolean neither 0 nor 1");
        };
    }

    static io.cairn.raft.EntryType entryType(final EntryType type) {
        return switch (type) {
            case NORMAL -> io.cairn.raft.EntryType.NORMAL;
            case CONF_CHANGE -> io.cairn.raft.EntryType.CONF_CHANGE;
            case NULL_VAL -> throw new IllegalArgumentException("unknown entry type");
        };
    }
}
