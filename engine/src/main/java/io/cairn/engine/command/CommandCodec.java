package io.cairn.engine.command;

import io.cairn.engine.auth.AuthInfo;
import io.cairn.engine.lease.Lessor;
import io.cairn.engine.mvcc.Compare;
import io.cairn.engine.mvcc.KeyRange;
import io.cairn.engine.mvcc.RangeQuery;
import io.cairn.engine.mvcc.TxnOp;
import io.cairn.engine.cluster.Alarm;
import io.cairn.sbe.command.AlarmAction;
import io.cairn.sbe.command.AlarmDecoder;
import io.cairn.sbe.command.AlarmEncoder;
import io.cairn.sbe.command.AlarmType;
import io.cairn.sbe.command.BooleanType;
import io.cairn.sbe.command.CompactDecoder;
import io.cairn.sbe.command.CompactEncoder;
import io.cairn.sbe.command.CompareResult;
import io.cairn.sbe.command.CompareTarget;
import io.cairn.sbe.command.DeleteRangeDecoder;
import io.cairn.sbe.command.DeleteRangeEncoder;
import io.cairn.sbe.command.LeaseCheckpointDecoder;
import io.cairn.sbe.command.LeaseCheckpointEncoder;
import io.cairn.sbe.command.LeaseGrantDecoder;
import io.cairn.sbe.command.LeaseGrantEncoder;
import io.cairn.sbe.command.LeaseRevokeDecoder;
import io.cairn.sbe.command.LeaseRevokeEncoder;
import io.cairn.sbe.command.LeaseRenewDecoder;
import io.cairn.sbe.command.LeaseRenewEncoder;
import io.cairn.sbe.command.MemberAttributesDecoder;
import io.cairn.sbe.command.MemberAttributesEncoder;
import io.cairn.sbe.command.MembershipChangeDecoder;
import io.cairn.sbe.command.MembershipChangeEncoder;
import io.cairn.sbe.command.MembershipChangeType;
import io.cairn.sbe.command.MessageHeaderDecoder;
import io.cairn.sbe.command.MessageHeaderEncoder;
import io.cairn.sbe.command.PutDecoder;
import io.cairn.sbe.command.PutEncoder;
import io.cairn.sbe.command.RangeDecoder;
import io.cairn.sbe.command.RangeEncoder;
import io.cairn.sbe.command.SortOrder;
import io.cairn.sbe.command.SortTarget;
import io.cairn.sbe.command.TxnDecoder;
import io.cairn.sbe.command.TxnEncoder;
import java.util.ArrayList;
import java.util.List;
import org.agrona.ExpandableArrayBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * Commands as the SBE messages of log-commands.xml (schema id 2), one message per log entry. A
 * Txn carries its operations as whole nested messages, header included, so nesting needs no
 * special case. Encoding copies the request once; nothing past this point sees protobuf.
 */
public final class CommandCodec {
    private static final int NESTING_MAX = 64; // etcd bounds txn depth by request size; so do we, loosely

    private CommandCodec() {
    }

    /**
     * Each thread's reusable encode buffer and flyweights (issue #21: a put encoded into a fresh
     * 256-byte buffer and fresh flyweights cost ~650 bytes). Owned by the thread that encodes or
     * decodes (gRPC threads, the Raft loop, the apply thread); only the outermost operation uses
     * them, nested Txn operations get their own. The encoded command is copied out to an exact
     * array, which the log keeps.
     */
    private static final class Scratch {
        /** A buffer grown past this by one large request is dropped after it, not kept per thread. */
        private static final int KEPT_CAPACITY_MAX = 64 << 10;
        ExpandableArrayBuffer buffer = new ExpandableArrayBuffer(256);
        final MessageHeaderEncoder headerEncoder = new MessageHeaderEncoder();
        final PutEncoder putEncoder = new PutEncoder();
        final UnsafeBuffer decodeBuffer = new UnsafeBuffer(new byte[0]);
        final MessageHeaderDecoder headerDecoder = new MessageHeaderDecoder();
        final PutDecoder putDecoder = new PutDecoder();
        final OpHeader opHeader = new OpHeader();
        final EncodedPut encodedPut = new EncodedPut();
        /** The last key {@link #plainPut} read without prev_kv (keys of one length are the common case). */
        private byte[] key = new byte[0];

        byte[] keyOfLength(final int length) {
            if (key.length != length) {
                key = new byte[length];
            }
            return key;
        }

        void trim() {
            if (buffer.capacity() > KEPT_CAPACITY_MAX) {
                buffer = new ExpandableArrayBuffer(256);
            }
        }
    }

    private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);

    public static byte[] encode(final Command command) {
        final Scratch scratch = SCRATCH.get();
        final ExpandableArrayBuffer buffer = scratch.buffer;
        final int length = switch (command) {
            case Command.Write write when write.op() instanceof TxnOp.Put put ->
                encodePut(put, write.requestId(), write.caller(), buffer, 0, scratch.headerEncoder, scratch.putEncoder);
            case Command.Write write -> encodeOp(write.op(), write.requestId(), write.caller(), buffer, 0);
            case Command.Compact compact -> {
                final CompactEncoder encoder = new CompactEncoder()
                    .wrapAndApplyHeader(buffer, 0, new MessageHeaderEncoder());
                encoder.requestId(compact.requestId()).revision(compact.revision()).physical(bool(compact.physical()));
                yield MessageHeaderEncoder.ENCODED_LENGTH + encoder.encodedLength();
            }
            case Command.LeaseGrant grant -> {
                final LeaseGrantEncoder encoder = new LeaseGrantEncoder()
                    .wrapAndApplyHeader(buffer, 0, new MessageHeaderEncoder());
                encoder.requestId(grant.requestId()).id(grant.id()).ttlSeconds(grant.ttlSeconds());
                yield MessageHeaderEncoder.ENCODED_LENGTH + encoder.encodedLength();
            }
            case Command.LeaseRevoke revoke -> {
                final LeaseRevokeEncoder encoder = new LeaseRevokeEncoder()
                    .wrapAndApplyHeader(buffer, 0, new MessageHeaderEncoder());
                encoder.requestId(revoke.requestId()).id(revoke.id());
                yield MessageHeaderEncoder.ENCODED_LENGTH + encoder.encodedLength();
            }
            case Command.LeaseCheckpoint checkpoint -> {
                final LeaseCheckpointEncoder encoder = new LeaseCheckpointEncoder()
                    .wrapAndApplyHeader(buffer, 0, new MessageHeaderEncoder());
                encoder.requestId(checkpoint.requestId());
                final LeaseCheckpointEncoder.CheckpointsEncoder group =
                    encoder.checkpointsCount(checkpoint.checkpoints().size());
                for (final Lessor.Checkpoint c : checkpoint.checkpoints()) {
                    group.next().id(c.id()).remainingTtlSeconds(c.remainingSeconds());
                }
                yield MessageHeaderEncoder.ENCODED_LENGTH + encoder.encodedLength();
            }
            case Command.LeaseRenew renew -> {
                final LeaseRenewEncoder encoder = new LeaseRenewEncoder()
                    .wrapAndApplyHeader(buffer, 0, new MessageHeaderEncoder());
                encoder.requestId(renew.requestId()).id(renew.id());
                yield MessageHeaderEncoder.ENCODED_LENGTH + encoder.encodedLength();
            }
            case Command.AddMember add -> encodeMembership(buffer, add.requestId(), MembershipChangeType.ADD_MEMBER,
                add.memberId(), add.learner(), add.peerUrls(), add.name());
            case Command.RemoveMember remove -> encodeMembership(buffer, remove.requestId(),
                MembershipChangeType.REMOVE_MEMBER, remove.memberId(), false, List.of(), "");
            case Command.PromoteMember promote -> encodeMembership(buffer, promote.requestId(),
                MembershipChangeType.PROMOTE_LEARNER, promote.memberId(), false, List.of(), "");
            case Command.UpdateMember update -> encodeMembership(buffer, update.requestId(),
                MembershipChangeType.UPDATE_MEMBER, update.memberId(), false, update.peerUrls(), "");
            case Command.AlarmChange change -> {
                final AlarmEncoder encoder = new AlarmEncoder().wrapAndApplyHeader(buffer, 0, new MessageHeaderEncoder());
                encoder.requestId(change.requestId())
                    .action(change.activate() ? AlarmAction.ACTIVATE : AlarmAction.DEACTIVATE)
                    .memberId(change.alarm().memberId())
                    .alarm(switch (change.alarm().kind()) {
                        case NOSPACE -> AlarmType.NOSPACE;
                        case CORRUPT -> AlarmType.CORRUPT;
                    });
                yield MessageHeaderEncoder.ENCODED_LENGTH + encoder.encodedLength();
            }
            case Command.AuthChange change -> AuthCommandCodec.encode(change, buffer);
            case Command.Authenticate authenticate -> AuthCommandCodec.encode(authenticate, buffer);
            case Command.PublishMember publish -> {
                final MemberAttributesEncoder encoder = new MemberAttributesEncoder()
                    .wrapAndApplyHeader(buffer, 0, new MessageHeaderEncoder());
                encoder.requestId(publish.requestId()).memberId(publish.memberId());
                final MemberAttributesEncoder.ClientUrlsEncoder urls =
                    encoder.clientUrlsCount(publish.clientUrls().size());
                for (final String url : publish.clientUrls()) {
                    urls.next().url(url);
                }
                encoder.name(publish.name());
                yield MessageHeaderEncoder.ENCODED_LENGTH + encoder.encodedLength();
            }
        };
        return copyOut(scratch, length);
    }

    /**
     * A plain Put of {@code caller} for request {@code requestId}: what {@link #encode} gives for
     * that {@link Command.Write}, without the command made first (issue #21: the proposer's own
     * objects per put).
     */
    public static byte[] encodePut(final long requestId, final TxnOp.Put put, final AuthInfo caller) {
        final Scratch scratch = SCRATCH.get();
        final int length = encodePut(put, requestId, caller, scratch.buffer, 0, scratch.headerEncoder, scratch.putEncoder);
        return copyOut(scratch, length);
    }

    /** The encoded command copied out of the thread's buffer to an exact array (the log keeps it). */
    private static byte[] copyOut(final Scratch scratch, final int length) {
        final byte[] bytes = new byte[length];
        scratch.buffer.getBytes(0, bytes);
        scratch.trim();
        return bytes;
    }

    /** At least the bytes {@link #encodePut(long, TxnOp.Put, AuthInfo, UnsafeBuffer, int)} writes for this put. */
    public static int putEncodedLengthMax(final TxnOp.Put put, final AuthInfo caller) {
        return MessageHeaderEncoder.ENCODED_LENGTH + PutEncoder.BLOCK_LENGTH
            + PutEncoder.keyHeaderLength() + put.key().length
            + PutEncoder.valueHeaderLength() + put.value().length
            + PutEncoder.usernameHeaderLength() + 3 * caller.username().length(); // UTF-8: at most 3 bytes a char
    }

    /**
     * A plain Put of {@code caller} for request {@code requestId}, encoded into {@code into} from {@code offset}, which
     * has room for {@link #putEncodedLengthMax} bytes: the Raft loop's encode into its log arena (issue #21: no array
     * per put). Returns the length written; the bytes are those {@link #encodePut(long, TxnOp.Put, AuthInfo)} gives.
     */
    public static int encodePut(final long requestId, final TxnOp.Put put, final AuthInfo caller,
        final UnsafeBuffer into, final int offset) {
        final Scratch scratch = SCRATCH.get();
        return encodePut(put, requestId, caller, into, offset, scratch.headerEncoder, scratch.putEncoder);
    }

    /** A plain Put, the commonest command, with the thread's flyweights, from {@code offset} of {@code buffer}. */
    private static int encodePut(final TxnOp.Put put, final long requestId, final AuthInfo caller,
        final MutableDirectBuffer buffer, final int offset, final MessageHeaderEncoder header,
        final PutEncoder e) {
        e.wrapAndApplyHeader(buffer, offset, header);
        e.requestId(requestId).authRevision(caller.revision()).lease(put.lease()).prevKv(bool(put.prevKv()))
            .ignoreValue(bool(put.ignoreValue())).ignoreLease(bool(put.ignoreLease()))
            .putKey(put.key(), 0, put.key().length).putValue(put.value(), 0, put.value().length);
        if (caller.username().isEmpty()) {
            e.putUsername(EMPTY, 0, 0); // String.getBytes would make a new empty array each time
        } else {
            e.username(caller.username());
        }
        return MessageHeaderEncoder.ENCODED_LENGTH + e.encodedLength();
    }

    private static final byte[] EMPTY = new byte[0];

    public static Command decode(final byte[] bytes) {
        return decode(bytes, 0, bytes.length);
    }

    /** The command encoded in {@code length} bytes of {@code bytes} from {@code offset} (a log entry's slice). */
    public static Command decode(final byte[] bytes, final int offset, final int length) {
        final Scratch scratch = SCRATCH.get();
        final UnsafeBuffer buffer = scratch.decodeBuffer;
        buffer.wrap(bytes, offset, length);
        final MessageHeaderDecoder header = scratch.headerDecoder.wrap(buffer, 0);
        if (header.schemaId() != MessageHeaderDecoder.SCHEMA_ID) {
            throw new IllegalArgumentException("log entry is not a command (schema " + header.schemaId() + ")");
        }
        if (AuthCommandCodec.isAuth(header.templateId())) {
            return AuthCommandCodec.decode(buffer, header);
        }
        switch (header.templateId()) {
            case AlarmDecoder.TEMPLATE_ID -> {
                final AlarmDecoder decoder = new AlarmDecoder().wrapAndApplyHeader(buffer, 0, header);
                final Alarm.Kind kind = switch (decoder.alarm()) {
                    case NOSPACE -> Alarm.Kind.NOSPACE;
                    case CORRUPT -> Alarm.Kind.CORRUPT;
                    case NONE, NULL_VAL -> throw new IllegalArgumentException("an alarm entry without an alarm type");
                };
                final boolean activate = switch (decoder.action()) {
                    case ACTIVATE -> true;
                    case DEACTIVATE -> false;
                    case GET, NULL_VAL -> throw new IllegalArgumentException("an alarm entry that changes nothing");
                };
                return new Command.AlarmChange(decoder.requestId(), activate, new Alarm(decoder.memberId(), kind));
            }
            case CompactDecoder.TEMPLATE_ID -> {
                final CompactDecoder decoder = new CompactDecoder().wrapAndApplyHeader(buffer, 0, header);
                return new Command.Compact(decoder.requestId(), decoder.revision(),
                    decoder.physical() == BooleanType.TRUE);
            }
            case LeaseGrantDecoder.TEMPLATE_ID -> {
                final LeaseGrantDecoder decoder = new LeaseGrantDecoder().wrapAndApplyHeader(buffer, 0, header);
                return new Command.LeaseGrant(decoder.requestId(), decoder.id(), decoder.ttlSeconds());
            }
            case LeaseRevokeDecoder.TEMPLATE_ID -> {
                final LeaseRevokeDecoder decoder = new LeaseRevokeDecoder().wrapAndApplyHeader(buffer, 0, header);
                return new Command.LeaseRevoke(decoder.requestId(), decoder.id());
            }
            case LeaseCheckpointDecoder.TEMPLATE_ID -> {
                final LeaseCheckpointDecoder decoder =
                    new LeaseCheckpointDecoder().wrapAndApplyHeader(buffer, 0, header);
                final long requestId = decoder.requestId();
                final List<Lessor.Checkpoint> checkpoints = new ArrayList<>();
                for (final LeaseCheckpointDecoder.CheckpointsDecoder c : decoder.checkpoints()) {
                    checkpoints.add(new Lessor.Checkpoint(c.id(), c.remainingTtlSeconds()));
                }
                return new Command.LeaseCheckpoint(requestId, checkpoints);
            }
            case LeaseRenewDecoder.TEMPLATE_ID -> {
                final LeaseRenewDecoder decoder = new LeaseRenewDecoder().wrapAndApplyHeader(buffer, 0, header);
                return new Command.LeaseRenew(decoder.requestId(), decoder.id());
            }
            case MembershipChangeDecoder.TEMPLATE_ID -> {
                final MembershipChangeDecoder decoder =
                    new MembershipChangeDecoder().wrapAndApplyHeader(buffer, 0, header);
                final MembershipChangeType change = decoder.change();
                final long requestId = decoder.requestId();
                final long memberId = decoder.memberId();
                final boolean learner = decoder.isLearner() == BooleanType.TRUE;
                final List<String> urls = new ArrayList<>();
                for (final MembershipChangeDecoder.PeerUrlsDecoder url : decoder.peerUrls()) {
                    urls.add(url.url());
                }
                final String name = decoder.name();
                return switch (change) {
                    case ADD_MEMBER -> new Command.AddMember(requestId, memberId, name, urls, learner);
                    case REMOVE_MEMBER -> new Command.RemoveMember(requestId, memberId);
                    case PROMOTE_LEARNER -> new Command.PromoteMember(requestId, memberId);
                    case UPDATE_MEMBER -> new Command.UpdateMember(requestId, memberId, urls);
                    case NULL_VAL -> throw new IllegalArgumentException("a membership change of no known kind");
                };
            }
            case MemberAttributesDecoder.TEMPLATE_ID -> {
                final MemberAttributesDecoder decoder =
                    new MemberAttributesDecoder().wrapAndApplyHeader(buffer, 0, header);
                final long requestId = decoder.requestId();
                final long memberId = decoder.memberId();
                final List<String> urls = new ArrayList<>();
                for (final MemberAttributesDecoder.ClientUrlsDecoder url : decoder.clientUrls()) {
                    urls.add(url.url());
                }
                return new Command.PublishMember(requestId, memberId, decoder.name(), urls);
            }
            default -> {
                // a KV operation: Put, DeleteRange or Txn
            }
        }
        if (header.templateId() == PutDecoder.TEMPLATE_ID) {
            return decodePut(buffer, header, scratch.putDecoder, scratch.opHeader);
        }
        final OpHeader opHeader = new OpHeader();
        final TxnOp op = decodeOp(buffer, opHeader, 0);
        return new Command.Write(opHeader.requestId, op, authInfo(opHeader));
    }

    /**
     * The entry as a plain Put read in place, or null if it is another command: this thread's
     * {@link EncodedPut}, valid until the thread's next call, and so is its key unless the put asks
     * for prev_kv (a consumer that keeps the key copies it). For the apply thread's put path while
     * auth is off (the caller is not decoded): no key-value request objects and no copy of the value
     * per put (issue #21). {@link #decode} gives the same fields as a {@link Command.Write}.
     */
    public static EncodedPut plainPut(final byte[] bytes) {
        return plainPut(bytes, 0, bytes.length);
    }

    /** As {@link #plainPut(byte[])}, for the command in {@code length} bytes of {@code bytes} from {@code offset}. */
    public static EncodedPut plainPut(final byte[] bytes, final int offset, final int length) {
        final Scratch scratch = SCRATCH.get();
        final UnsafeBuffer buffer = scratch.decodeBuffer;
        buffer.wrap(bytes, offset, length);
        final MessageHeaderDecoder header = scratch.headerDecoder.wrap(buffer, 0);
        if (header.schemaId() != MessageHeaderDecoder.SCHEMA_ID || header.templateId() != PutDecoder.TEMPLATE_ID) {
            return null;
        }
        final PutDecoder d = scratch.putDecoder.wrapAndApplyHeader(buffer, 0, header);
        final EncodedPut put = scratch.encodedPut;
        put.requestId = d.requestId();
        put.lease = d.lease();
        put.prevKv = d.prevKv() == BooleanType.TRUE;
        put.ignoreValue = d.ignoreValue() == BooleanType.TRUE;
        put.ignoreLease = d.ignoreLease() == BooleanType.TRUE;
        // The key in the thread's array unless prev_kv: only a prev_kv answer keeps the put's key
        // (its KeyValue), and it may be read after this thread's next put (issue #21: ~30 bytes a put).
        put.key = put.prevKv ? new byte[d.keyLength()] : scratch.keyOfLength(d.keyLength());
        d.getKey(put.key, 0, put.key.length);
        final int valueOffset = d.limit() + PutDecoder.valueHeaderLength();
        put.valueLength = d.valueLength();
        buffer.boundsCheck(valueOffset, put.valueLength); // as decode's copy would: an entry cut short throws
        put.entry = bytes;
        put.valueOffset = offset + valueOffset;
        return put;
    }

    /** The caller a decoded header names; a request without credentials is {@link AuthInfo#NONE}, shared. */
    private static AuthInfo authInfo(final OpHeader opHeader) {
        return opHeader.username.isEmpty() && opHeader.authRevision == 0 ? AuthInfo.NONE
            : new AuthInfo(opHeader.username, opHeader.authRevision);
    }

    /** A plain Put with the thread's flyweights: what stays is the key, the value and the command. */
    private static Command decodePut(final UnsafeBuffer buffer, final MessageHeaderDecoder header, final PutDecoder d,
        final OpHeader opHeader) {
        final TxnOp op = decodePutOp(d.wrapAndApplyHeader(buffer, 0, header), opHeader);
        return new Command.Write(opHeader.requestId, op, authInfo(opHeader));
    }

    private static TxnOp.Put decodePutOp(final PutDecoder d, final OpHeader opHeader) {
        opHeader.requestId = d.requestId();
        opHeader.authRevision = d.authRevision();
        final long lease = d.lease();
        final boolean prevKv = d.prevKv() == BooleanType.TRUE;
        final boolean ignoreValue = d.ignoreValue() == BooleanType.TRUE;
        final boolean ignoreLease = d.ignoreLease() == BooleanType.TRUE;
        final byte[] key = new byte[d.keyLength()];
        d.getKey(key, 0, key.length);
        final byte[] value = new byte[d.valueLength()];
        d.getValue(value, 0, value.length);
        opHeader.username = d.username();
        return new TxnOp.Put(key, value, lease, prevKv, ignoreValue, ignoreLease);
    }

    private static int encodeOp(final TxnOp op, final long requestId, final AuthInfo caller,
        final ExpandableArrayBuffer buffer, final int depth) {
        if (depth > NESTING_MAX) {
            throw new IllegalArgumentException("txn nested deeper than " + NESTING_MAX);
        }
        final MessageHeaderEncoder header = new MessageHeaderEncoder();
        final int bodyLength = switch (op) {
            case TxnOp.Put put -> {
                final PutEncoder e = new PutEncoder().wrapAndApplyHeader(buffer, 0, header);
                e.requestId(requestId).authRevision(caller.revision()).lease(put.lease()).prevKv(bool(put.prevKv()))
                    .ignoreValue(bool(put.ignoreValue())).ignoreLease(bool(put.ignoreLease()))
                    .putKey(put.key(), 0, put.key().length).putValue(put.value(), 0, put.value().length)
                    .username(caller.username());
                yield e.encodedLength();
            }
            case TxnOp.DeleteRange delete -> {
                final DeleteRangeEncoder e = new DeleteRangeEncoder().wrapAndApplyHeader(buffer, 0, header);
                final KeyRange range = delete.range();
                e.requestId(requestId).authRevision(caller.revision()).prevKv(bool(delete.prevKv()))
                    .putKey(range.key(), 0, range.key().length).putRangeEnd(range.rangeEnd(), 0, range.rangeEnd().length)
                    .username(caller.username());
                yield e.encodedLength();
            }
            case TxnOp.Range range -> {
                final RangeEncoder e = new RangeEncoder().wrapAndApplyHeader(buffer, 0, header);
                final RangeQuery q = range.query();
                e.requestId(requestId).authRevision(caller.revision()).keyLimit(q.limit()).revision(q.revision())
                    .sortOrder(SortOrder.get((short)q.sortOrder().ordinal()))
                    .sortTarget(SortTarget.get((short)q.sortTarget().ordinal())).serializable(BooleanType.FALSE)
                    .keysOnly(bool(q.keysOnly())).countOnly(bool(q.countOnly())).minModRevision(q.minModRevision())
                    .maxModRevision(q.maxModRevision()).minCreateRevision(q.minCreateRevision())
                    .maxCreateRevision(q.maxCreateRevision())
                    .putKey(q.range().key(), 0, q.range().key().length)
                    .putRangeEnd(q.range().rangeEnd(), 0, q.range().rangeEnd().length).username(caller.username());
                yield e.encodedLength();
            }
            case TxnOp.Txn txn -> encodeTxn(txn, requestId, caller, buffer, header, depth);
        };
        return MessageHeaderEncoder.ENCODED_LENGTH + bodyLength;
    }

    private static int encodeTxn(final TxnOp.Txn txn, final long requestId, final AuthInfo caller,
        final ExpandableArrayBuffer buffer, final MessageHeaderEncoder header, final int depth) {
        // Nested operations are encoded first, into their own buffers, then copied in as var data.
        final List<byte[]> success = encodeAll(txn.success(), depth);
        final List<byte[]> failure = encodeAll(txn.failure(), depth);
        final TxnEncoder e = new TxnEncoder().wrapAndApplyHeader(buffer, 0, header);
        e.requestId(requestId).authRevision(caller.revision());
        final TxnEncoder.ComparesEncoder compares = e.comparesCount(txn.compares().size());
        for (final Compare c : txn.compares()) {
            compares.next().result(CompareResult.get((short)c.result().ordinal()))
                .target(CompareTarget.get((short)c.target().ordinal()))
                .version(c.target() == Compare.Target.VERSION ? c.number() : 0)
                .createRevision(c.target() == Compare.Target.CREATE ? c.number() : 0)
                .modRevision(c.target() == Compare.Target.MOD ? c.number() : 0)
                .lease(c.target() == Compare.Target.LEASE ? c.number() : 0)
                .putKey(c.range().key(), 0, c.range().key().length)
                .putRangeEnd(c.range().rangeEnd(), 0, c.range().rangeEnd().length)
                .putValue(c.value(), 0, c.value().length);
        }
        final TxnEncoder.SuccessEncoder successes = e.successCount(success.size());
        for (final byte[] op : success) {
            successes.next().putOperation(op, 0, op.length);
        }
        final TxnEncoder.FailureEncoder failures = e.failureCount(failure.size());
        for (final byte[] op : failure) {
            failures.next().putOperation(op, 0, op.length);
        }
        e.username(caller.username());
        return e.encodedLength();
    }

    private static List<byte[]> encodeAll(final List<TxnOp> ops, final int depth) {
        final List<byte[]> encoded = new ArrayList<>(ops.size());
        for (final TxnOp op : ops) {
            final ExpandableArrayBuffer nested = new ExpandableArrayBuffer(128);
            final int length = encodeOp(op, 0, AuthInfo.NONE, nested, depth + 1);
            final byte[] bytes = new byte[length];
            nested.getBytes(0, bytes);
            encoded.add(bytes);
        }
        return encoded;
    }

    /** What a decoded operation's header said: its request id and caller. */
    private static final class OpHeader {
        long requestId;
        long authRevision;
        String username = "";
    }

    private static TxnOp decodeOp(final UnsafeBuffer buffer, final OpHeader opHeader, final int depth) {
        if (depth > NESTING_MAX) {
            throw new IllegalArgumentException("txn nested deeper than " + NESTING_MAX);
        }
        final MessageHeaderDecoder header = new MessageHeaderDecoder().wrap(buffer, 0);
        return switch (header.templateId()) {
            case PutDecoder.TEMPLATE_ID -> decodePutOp(new PutDecoder().wrapAndApplyHeader(buffer, 0, header), opHeader);
            case DeleteRangeDecoder.TEMPLATE_ID -> {
                final DeleteRangeDecoder d = new DeleteRangeDecoder().wrapAndApplyHeader(buffer, 0, header);
                opHeader.requestId = d.requestId();
                opHeader.authRevision = d.authRevision();
                final boolean prevKv = d.prevKv() == BooleanType.TRUE;
                final byte[] key = new byte[d.keyLength()];
                d.getKey(key, 0, key.length);
                final byte[] rangeEnd = new byte[d.rangeEndLength()];
                d.getRangeEnd(rangeEnd, 0, rangeEnd.length);
                opHeader.username = d.username();
                yield new TxnOp.DeleteRange(KeyRange.of(key, rangeEnd), prevKv);
            }
            case RangeDecoder.TEMPLATE_ID -> {
                final RangeDecoder d = new RangeDecoder().wrapAndApplyHeader(buffer, 0, header);
                opHeader.requestId = d.requestId();
                opHeader.authRevision = d.authRevision();
                final long limit = d.keyLimit();
                final long revision = d.revision();
                final RangeQuery.SortOrder order = RangeQuery.SortOrder.values()[d.sortOrderRaw()];
                final RangeQuery.SortTarget target = RangeQuery.SortTarget.values()[d.sortTargetRaw()];
                final boolean keysOnly = d.keysOnly() == BooleanType.TRUE;
                final boolean countOnly = d.countOnly() == BooleanType.TRUE;
                final long minMod = d.minModRevision();
                final long maxMod = d.maxModRevision();
                final long minCreate = d.minCreateRevision();
                final long maxCreate = d.maxCreateRevision();
                final byte[] key = new byte[d.keyLength()];
                d.getKey(key, 0, key.length);
                final byte[] rangeEnd = new byte[d.rangeEndLength()];
                d.getRangeEnd(rangeEnd, 0, rangeEnd.length);
                opHeader.username = d.username();
                yield new TxnOp.Range(new RangeQuery(KeyRange.of(key, rangeEnd), limit, revision, order, target, keysOnly,
                    countOnly, minMod, maxMod, minCreate, maxCreate));
            }
            case TxnDecoder.TEMPLATE_ID -> decodeTxn(buffer, header, opHeader, depth);
            default -> throw new IllegalArgumentException("unknown command template " + header.templateId());
        };
    }

    private static TxnOp.Txn decodeTxn(final UnsafeBuffer buffer, final MessageHeaderDecoder header,
        final OpHeader opHeader, final int depth) {
        final TxnDecoder d = new TxnDecoder().wrapAndApplyHeader(buffer, 0, header);
        opHeader.requestId = d.requestId();
        opHeader.authRevision = d.authRevision();
        final List<Compare> compares = new ArrayList<>();
        for (final TxnDecoder.ComparesDecoder c : d.compares()) {
            final Compare.Result result = Compare.Result.values()[c.resultRaw()];
            final Compare.Target target = Compare.Target.values()[c.targetRaw()];
            final long number = switch (target) {
                case VERSION -> c.version();
                case CREATE -> c.createRevision();
                case MOD -> c.modRevision();
                case LEASE -> c.lease();
                case VALUE, OTHER -> 0;
            };
            final byte[] key = new byte[c.keyLength()];
            c.getKey(key, 0, key.length);
            final byte[] rangeEnd = new byte[c.rangeEndLength()];
            c.getRangeEnd(rangeEnd, 0, rangeEnd.length);
            final byte[] value = new byte[c.valueLength()];
            c.getValue(value, 0, value.length);
            compares.add(new Compare(KeyRange.of(key, rangeEnd), target, result, number, value));
        }
        final List<TxnOp> success = new ArrayList<>();
        for (final TxnDecoder.SuccessDecoder s : d.success()) {
            success.add(decodeNested(s.operationLength(), s::getOperation, depth));
        }
        final List<TxnOp> failure = new ArrayList<>();
        for (final TxnDecoder.FailureDecoder f : d.failure()) {
            failure.add(decodeNested(f.operationLength(), f::getOperation, depth));
        }
        opHeader.username = d.username();
        return new TxnOp.Txn(compares, success, failure);
    }

    /** Reads one nested operation's bytes out of a group's var data. */
    private interface OperationBytes {
        int get(byte[] dst, int offset, int length);
    }

    private static TxnOp decodeNested(final int length, final OperationBytes source, final int depth) {
        final byte[] bytes = new byte[length];
        source.get(bytes, 0, length);
        return decodeOp(new UnsafeBuffer(bytes), new OpHeader(), depth + 1);
    }

    private static int encodeMembership(final MutableDirectBuffer buffer, final long requestId,
        final MembershipChangeType change, final long memberId, final boolean learner, final List<String> peerUrls,
        final String name) {
        final MembershipChangeEncoder encoder = new MembershipChangeEncoder()
            .wrapAndApplyHeader(buffer, 0, new MessageHeaderEncoder());
        encoder.requestId(requestId).change(change).memberId(memberId).isLearner(bool(learner));
        final MembershipChangeEncoder.PeerUrlsEncoder urls = encoder.peerUrlsCount(peerUrls.size());
        for (final String url : peerUrls) {
            urls.next().url(url);
        }
        encoder.name(name);
        return MessageHeaderEncoder.ENCODED_LENGTH + encoder.encodedLength();
    }

    private static BooleanType bool(final boolean value) {
        return value ? BooleanType.TRUE : BooleanType.FALSE;
    }
}
