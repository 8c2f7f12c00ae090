package io.cairn.transport;

import io.cairn.raft.ConfState;
import io.cairn.raft.Entry;
import io.cairn.raft.EntryType;
import io.cairn.raft.Message;
import io.cairn.raft.MessageType;
import io.cairn.raft.Snapshot;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

/** One message of every type, with the fields the Raft core sets for that type, deterministic per (from, to). */
final class SampleMessages {
    private SampleMessages() {
    }

    static List<Message> all(final long from, final long to) {
        final Random random = new Random(from * 31 + to);
        final long term = 7 + from;
        final List<Message> messages = new ArrayList<>();
        for (final MessageType type : MessageType.values()) {
            messages.add(switch (type) {
                case PROPOSE -> message(type, from, to, 0, 0, 0, List.of(proposal(EntryType.NORMAL, "put k v"),
                    proposal(EntryType.CONF_CHANGE, "add 4"), proposal(EntryType.NORMAL, "")), 0, false, 0, null, 0);
                case APPEND -> message(type, from, to, term, term - 1, 41, List.of(
                    new Entry(term, 42, EntryType.NORMAL, bytes(random, 64)),
                    new Entry(term, 43, EntryType.CONF_CHANGE, bytes(random, 3)),
                    new Entry(term, 44, EntryType.NORMAL, bytes(random, 5000))), 40, false, 0, null, 0);
                case APPEND_RESPONSE -> message(type, from, to, term, term - 2, 45, List.of(), 0, true, 30, null, 0);
                case HEARTBEAT -> message(type, from, to, term, term, 44, List.of(), 40, false, 0, null,
                    random.nextLong(1, Long.MAX_VALUE));
                case HEARTBEAT_RESPONSE -> message(type, from, to, term, 0, 44, List.of(), 0, true, 0, null,
                    random.nextLong(1, Long.MAX_VALUE));
                case SNAPSHOT -> message(type, from, to, term, 0, 0, List.of(), 0, false, 0,
                    new Snapshot(100, term - 1, new ConfState(List.of(1L, 2L, 3L), List.of(1L, 2L), List.of(4L),
                        List.of(5L), true), bytes(random, 300_000)), 0);
                case VOTE -> message(type, from, to, term, term - 1, 44, List.of(), 0, false, 0, null,
                    Message.CONTEXT_TRANSFER);
                case VOTE_RESPONSE -> message(type, from, to, term, term - 3, 0, List.of(), 39, true, 0, null, 0);
                case PRE_VOTE -> message(type, from, to, term + 1, term, 44, List.of(), 0, false, 0, null, 0);
                case PRE_VOTE_RESPONSE -> message(type, from, to, term + 1, 0, 0, List.of(), 0, false, 0, null, 0);
                case READ_INDEX -> message(type, from, to, 0, 0, 0, List.of(), 0, false, 0, null, 12345);
                case READ_INDEX_RESPONSE -> message(type, from, to, term, 0, 44, List.of(), 0, false, 0, null, 12345);
                case TRANSFER_LEADER -> message(type, from, to, 0, 0, 0, List.of(), 0, false, 0, null, 3);
                case TIMEOUT_NOW -> message(type, from, to, term, 0, 0, List.of(), 0, false, 0, null, 0);
            });
        }
        return messages;
    }

    private static Message message(final MessageType type, final long from, final long to, final long term,
                                   final long logTerm, final long index, final List<Entry> entries, final long commit,
                                   final boolean reject, final long rejectHint, final Snapshot snapshot,
                                   final long context) {
        return new Message(type, from, to, term, logTerm, index, entries, commit, reject, rejectHint, snapshot, context);
    }

    private static Entry proposal(final EntryType type, final String text) {
        return new Entry(0, 0, type, text.getBytes(StandardCharsets.UTF_8));
    }

    static byte[] bytes(final Random random, final int length) {
        final byte[] data = new byte[length];
        random.nextBytes(data);
        return data;
    }

    /** Message equality with snapshot data compared by content (records compare arrays by identity). */
    static boolean same(final Message a, final Message b) {
        if (a.snapshot() == null || b.snapshot() == null) {
            return a.equals(b);
        }
        final Snapshot sa = a.snapshot();
        final Snapshot sb = b.snapshot();
        return withoutSnapshot(a).equals(withoutSnapshot(b)) && sa.index() == sb.index() && sa.term() == sb.term()
            && sa.confState().equals(sb.confState()) && Arrays.equals(sa.data(), sb.data());
    }

    private static Message withoutSnapshot(final Message m) {
        return new Message(MessageType.PROPOSE, m.from(), m.to(), m.term(), m.logTerm(), m.index(), m.entries(),
            m.commit(), m.reject(), m.rejectHint(), null, m.context());
    }
}
