package io.cairn.raft;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * A membership change proposal. With no changes it means "leave the joint configuration". A change of at most one
 * voter with transition AUTO is applied in a single step; anything else enters a joint configuration, which is left
 * automatically by the leader (AUTO, IMPLICIT) or by an explicit empty ConfChange (EXPLICIT).
 *
 * <p>{@code context} is the host's and opaque to Raft (etcd's ConfChange.Context): the member being added, and
 * whatever the host needs to answer whoever asked for the change.
 */
public record ConfChange(Transition transition, List<ConfChangeSingle> changes, byte[] context) {
    public enum Transition {
        /** Single step when safe (one voter changes), else joint with automatic leave. */
        AUTO(0),
        /** Always joint, left automatically. */
        JOINT_IMPLICIT(1),
        /** Always joint, left only when the host proposes {@link #leaveJoint()}. */
        JOINT_EXPLICIT(2);

        /** The on-disk code (in log entries): never the ordinal. */
        final byte code;

        Transition(final int code) {
            this.code = (byte) code;
        }

        static Transition ofCode(final byte code) {
            for (final Transition t : values()) {
                if (t.code == code) {
                    return t;
                }
            }
            throw new IllegalArgumentException("unknown conf change transition code " + code);
        }
    }

    private static final int MAX_CHANGES = 1024;
    /** Bounds a decoded context: the host's member record, a few hundred bytes in practice. */
    private static final int MAX_CONTEXT_BYTES = 1 << 20;
    /** transition (1 byte), change count (4), context length (4). */
    private static final int FIXED_BYTES = 9;
    /** type (1 byte), node id (8). */
    private static final int CHANGE_BYTES = 9;

    public ConfChange {
        changes = List.copyOf(changes);
        context = context.clone();
        if (changes.size() > MAX_CHANGES) {
            throw new IllegalArgumentException("at most " + MAX_CHANGES + " changes per ConfChange");
        }
        if (context.length > MAX_CONTEXT_BYTES) {
            throw new IllegalArgumentException("a conf change context of at most " + MAX_CONTEXT_BYTES + " bytes");
        }
    }

    public ConfChange(final Transition transition, final List<ConfChangeSingle> changes) {
        this(transition, changes, new byte[0]);
    }

    public static ConfChange of(final ConfChangeSingle... changes) {
        return new ConfChange(Transition.AUTO, List.of(changes));
    }

    /** One single-step change carrying the host's {@code context}. */
    public static ConfChange single(final ConfChangeSingle change, final byte[] context) {
        return new ConfChange(Transition.AUTO, List.of(change), context);
    }

    public static ConfChange leaveJoint() {
        return new ConfChange(Transition.AUTO, List.of());
    }

    @Override
    public byte[] context() {
        return context.clone();
    }

    public boolean isLeaveJoint() {
        return changes.isEmpty();
    }

    /** Whether this change must go through a joint configuration, rather than a single step. */
    public boolean entersJoint() {
        return transition != Transition.AUTO || changes.size() > 1;
    }

    public boolean autoLeave() {
        return transition != Transition.JOINT_EXPLICIT;
    }

    /**
     * Layout (big-endian): transition code (1 byte), change count (4), then per change its type code (1) and node
     * id (8), then the context's length (4) and bytes.
     */
    public byte[] encode() {
        final ByteBuffer buffer = ByteBuffer.allocate(FIXED_BYTES + CHANGE_BYTES * changes.size() + context.length);
        buffer.put(transition.code).putInt(changes.size());
        for (final ConfChangeSingle change : changes) {
            buffer.put(change.type().code).putLong(change.nodeId());
        }
        buffer.putInt(context.length).put(context);
        return buffer.array();
    }

    /** @throws IllegalArgumentException for bytes {@link #encode} did not write */
    public static ConfChange decode(final byte[] bytes) {
        if (bytes.length < FIXED_BYTES) {
            throw new IllegalArgumentException("malformed ConfChange of " + bytes.length + " bytes");
        }
        final ByteBuffer buffer = ByteBuffer.wrap(bytes);
        final Transition transition = Transition.ofCode(buffer.get());
        final int count = buffer.getInt();
        if (count < 0 || count > MAX_CHANGES || bytes.length < FIXED_BYTES + (long) CHANGE_BYTES * count) {
            throw new IllegalArgumentException("malformed ConfChange of " + bytes.length + " bytes: " + count
                + " changes");
        }
        final ArrayList<ConfChangeSingle> changes = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            changes.add(new ConfChangeSingle(ConfChangeSingle.Type.ofCode(buffer.get()), buffer.getLong()));
        }
        final int contextBytes = buffer.getInt();
        if (contextBytes != buffer.remaining()) {
            throw new IllegalArgumentException("malformed ConfChange of " + bytes.length + " bytes: context of "
                + contextBytes + " bytes, " + buffer.remaining() + " left");
        }
        final byte[] context = new byte[contextBytes];
        buffer.get(context);
        return new ConfChange(transition, changes, context);
    }

    @Override
    public boolean equals(final Object other) {
        return other instanceof ConfChange c && c.transition == transition && c.changes.equals(changes)
            && java.util.Arrays.equals(c.context, context);
    }

    @Override
    public int hashCode() {
        return (transition.hashCode() * 31 + changes.hashCode()) * 31 + java.util.Arrays.hashCode(context);
    }

    @Override
    public String toString() {
        return "ConfChange[" + transition + " " + changes + (context.length > 0 ? " +" + context.length + " context bytes"
            : "") + "]";
    }
}
