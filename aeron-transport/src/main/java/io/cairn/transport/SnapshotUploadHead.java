package io.cairn.transport;

import io.cairn.raft.ConfState;
import io.cairn.raft.Message;
import io.cairn.raft.Snapshot;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * What travels in the HTTP head of a snapshot sent over TCP ({@code POST /cairn/snapshot} on the peer URL, as etcd
 * posts its snapshots to {@code /raft/snapshot}); everything but the bytes. The body is the snapshot's
 * {@code sizeBytes} bytes followed by their CRC32C, 4 bytes big-endian, so the sender checksums as it streams.
 *
 * <pre>
 *   X-Cairn-Cluster-Id       hex    the sender's cluster; another cluster's snapshot is refused
 *   X-Cairn-From, -To        hex    the sending and the receiving member
 *   X-Cairn-Term             dec    the sender's term (the SNAPSHOT message's)
 *   X-Cairn-Snapshot-Index   dec    the snapshot's last entry
 *   X-Cairn-Snapshot-Term    dec    that entry's term
 *   X-Cairn-Size-Bytes       dec    the snapshot's length; Content-Length is 4 more
 *   X-Cairn-Voters, -Voters-Outgoing, -Learners, -Learners-Next   hex ids, comma-separated (may be empty)
 *   X-Cairn-Auto-Leave       true or false
 * </pre>
 *
 * @param clusterId the sender's cluster
 * @param message   the SNAPSHOT message without its data (the bytes follow in the body)
 * @param sizeBytes the snapshot's length
 */
record SnapshotUploadHead(long clusterId, Message message, long sizeBytes) {
    static final int CRC_BYTES = 4;

    private static final String CLUSTER_ID = "X-Cairn-Cluster-Id";
    private static final String FROM = "X-Cairn-From";
    private static final String TO = "X-Cairn-To";
    private static final String TERM = "X-Cairn-Term";
    private static final String INDEX = "X-Cairn-Snapshot-Index";
    private static final String SNAPSHOT_TERM = "X-Cairn-Snapshot-Term";
    private static final String SIZE = "X-Cairn-Size-Bytes";
    private static final String VOTERS = "X-Cairn-Voters";
    private static final String VOTERS_OUTGOING = "X-Cairn-Voters-Outgoing";
    private static final String LEARNERS = "X-Cairn-Learners";
    private static final String LEARNERS_NEXT = "X-Cairn-Learners-Next";
    private static final String AUTO_LEAVE = "X-Cairn-Auto-Leave";

    /** The request headers, in this order. */
    Map<String, String> headers() {
        final Snapshot snapshot = message.snapshot();
        final ConfState conf = snapshot.confState();
        final Map<String, String> headers = new LinkedHashMap<>();
        headers.put(CLUSTER_ID, Long.toHexString(clusterId));
        headers.put(FROM, Long.toHexString(message.from()));
        headers.put(TO, Long.toHexString(message.to()));
        headers.put(TERM, Long.toString(message.term()));
        headers.put(INDEX, Long.toString(snapshot.index()));
        headers.put(SNAPSHOT_TERM, Long.toString(snapshot.term()));
        headers.put(SIZE, Long.toString(sizeBytes));
        headers.put(VOTERS, ids(conf.voters()));
        headers.put(VOTERS_OUTGOING, ids(conf.votersOutgoing()));
        headers.put(LEARNERS, ids(conf.learners()));
        headers.put(LEARNERS_NEXT, ids(conf.learnersNext()));
        headers.put(AUTO_LEAVE, Boolean.toString(conf.autoLeave()));
        return headers;
    }

    /**
     * Reads a head back; {@code header} gives a header's value or null.
     *
     * @throws IllegalArgumentException naming the header that is missing or malformed
     */
    static SnapshotUploadHead parse(final Function<String, String> header) {
        final ConfState conf = new ConfState(ids(header, VOTERS), ids(header, VOTERS_OUTGOING), ids(header, LEARNERS),
            ids(header, LEARNERS_NEXT), bool(header, AUTO_LEAVE));
        final Snapshot snapshot = new Snapshot(number(header, INDEX), number(header, SNAPSHOT_TERM), conf,
            new byte[0]);
        final Message message = new Message(io.cairn.raft.MessageType.SNAPSHOT, hex(header, FROM), hex(header, TO),
            number(header, TERM), 0, 0, List.of(), 0, false, 0, snapshot, 0);
        return new SnapshotUploadHead(hex(header, CLUSTER_ID), message, number(header, SIZE));
    }

    private static String ids(final List<Long> ids) {
        final StringBuilder text = new StringBuilder();
        for (final long id : ids) {
            if (!text.isEmpty()) {
                text.append(',');
            }
            text.append(Long.toHexString(id));
        }
        return text.toString();
    }

    private static List<Long> ids(final Function<String, String> header, final String name) {
        final String text = value(header, name);
        final List<Long> ids = new ArrayList<>();
        if (!text.isEmpty()) {
            for (final String id : text.split(",", -1)) {
                ids.add(parseHex(name, id));
            }
        }
        return ids;
    }

    private static long hex(final Function<String, String> header, final String name) {
        return parseHex(name, value(header, name));
    }

    private static long parseHex(final String name, final String text) {
        try {
            if (text.isEmpty() || text.charAt(0) == '+' || text.charAt(0) == '-') {
                throw new NumberFormatException("a sign or nothing");
            }
            return Long.parseUnsignedLong(text, 16);
        } catch (final NumberFormatException e) {
            throw new IllegalArgumentException(name + " is not a hex id: \"" + text + "\"");
        }
    }

    private static long number(final Function<String, String> header, final String name) {
        final String text = value(header, name);
        try {
            final long value = Long.parseLong(text);
            if (value < 0 || text.charAt(0) == '+') {
                throw new NumberFormatException("negative or signed");
            }
            return value;
        } catch (final NumberFormatException e) {
            throw new IllegalArgumentException(name + " is not a count: \"" + text + "\"");
        }
    }

    private static boolean bool(final Function<String, String> header, final String name) {
        return switch (value(header, name)) {
            case "true" -> true;
            case "false" -> false;
            default -> throw new IllegalArgumentException(name + " is neither true nor false");
        };
    }

    private static String value(final Function<String, String> header, final String name) {
        final String value = header.apply(name);
        if (value == null) {
            throw new IllegalArgumentException("no " + name + " header");
        }
        return value.strip();
    }
}
