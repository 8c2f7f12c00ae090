package io.cairn.raft.sim;

import java.nio.ByteBuffer;
import java.util.Arrays;

import io.cairn.raft.Entry;
import io.cairn.raft.EntryType;

/**
 * The application under test. Its state is a fingerprint of every entry applied so far (so two nodes at the same
 * index with equal fingerprints applied the same history) and a session table that applies each client command
 * once even when the log holds it twice (a client retry, or a network-duplicated forward).
 */
final class SimStateMachine {
    private long appliedIndex;
    private long fingerprint;
    private final long[] lastSeqByClient;

    SimStateMachine(final int clients, final long appliedIndex) {
        this.lastSeqByClient = new long[clients];
        this.appliedIndex = appliedIndex;
    }

    long appliedIndex() {
        return appliedIndex;
    }

    long fingerprint() {
        return fingerprint;
    }

    /** Applies one entry; returns the command if it took effect now, null for a duplicate or a non-command. */
    Command apply(final Entry entry) {
        if (entry.index() != appliedIndex + 1) {
            throw new AssertionError("applied " + entry.index() + " after " + appliedIndex + ": gap or repeat");
        }
        appliedIndex = entry.index();
        fingerprint = mix(fingerprint, entry.index(), entry.term(), Arrays.hashCode(entry.data())
            + entry.type().ordinal());
        if (entry.type() != EntryType.NORMAL) {
            return null;
        }
        final Command command = Command.decode(entry.data());
        if (command == null || command.seq() <= lastSeqByClient[command.client()]) {
            return null;
        }
        if (command.seq() != lastSeqByClient[command.client()] + 1) {
            throw new AssertionError("client " + command.client() + " command " + command.seq() + " applied after "
                + lastSeqByClient[command.client()] + ": a command was skipped or reordered");
        }
        lastSeqByClient[command.client()] = command.seq();
        return command;
    }

    long lastSeq(final int client) {
        return lastSeqByClient[client];
    }

    private static long mix(final long state, final long a, final long b, final long c) {
        long h = state * 0x9E3779B97F4A7C15L + a;
        h = (h ^ (h >>> 29)) * 0xBF58476D1CE4E5B9L + b;
        h = (h ^ (h >>> 32)) * 0x94D049BB133111EBL + c;
        return h ^ (h >>> 31);
    }

    byte[] encode() {
        final ByteBuffer buffer = ByteBuffer.allocate(16 + 8 * lastSeqByClient.length);
        buffer.putLong(appliedIndex).putLong(fingerprint);
        for (final long seq : lastSeqByClient) {
            buffer.putLong(seq);
        }
        return buffer.array();
    }

    /** State from a snapshot; empty data is the bootstrap snapshot at index. */
    static SimStateMachine decode(final byte[] data, final int clients, final long index) {
        final SimStateMachine machine = new SimStateMachine(clients, index);
        if (data.length == 0) {
            return machine;
        }
        final ByteBuffer buffer = ByteBuffer.wrap(data);
        machine.appliedIndex = buffer.getLong();
        machine.fingerprint = buffer.getLong();
        for (int i = 0; i < clients; i++) {
            machine.lastSeqByClient[i] = buffer.getLong();
        }
        if (machine.appliedIndex != index) {
            throw new AssertionError("snapshot at " + index + " holds state of " + machine.appliedIndex);
        }
        return machine;
    }
}
