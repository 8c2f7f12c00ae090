package io.cairn.raft;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * A membership change proposal. With no changes it means "leave the joint configuration". A change of at most one
 * voter with transition AUTO is applied in a single step; anything else enters a joint configuration, which is left
 * automatically by the leader (AUTO, IMPLICIT) or by an explicit empty ConfChange (EXPLICIT).
 */
public record ConfChange(Transition transition, List<ConfChangeSingle> changes) {
    public enum Transition {
        /** Single step when safe (one voter changes), else joint with automatic leave. */
        AUTO,
        /** Always joint, left automatically. */
        JOINT_IMPLICIT,
        /** Always joint, left only when the host proposes {@link #leaveJoint()}. */
        JOINT_EXPLICIT
    }

    private static final int MAX_CHANGES = 1024;

    public ConfChange {
        changes = List.copyOf(changes);
        if (changes.size() > MAX_CHANGES) {
            throw new IllegalArgumentException("at most " + MAX_CHANGES + " changes per ConfChange");
        }
    }

    public static ConfChange of(final ConfChangeSingle... changes) {
        return new ConfChange(Transition.AUTO, List.of(changes));
    }

    public static ConfChange leaveJoint() {
        return new ConfChange(Transition.AUTO, List.of());
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

    /** Layout: transition (1 byte), count (4), then per change: type (1), node id (8). */
    public byte[] encode() {
        final ByteBuffer buffer = ByteBuffer.allocate(5 + 9 * changes.size());
        buffer.put((byte) transition.ordinal()).putInt(changes.size());
        for (final ConfChangeSingle change : changes) {
            buffer.put((byte) change.type().ordinal()).putLong(change.nodeId());
        }
        return buffer.array();
    }

    public static ConfChange decode(final byte[] bytes) {
        final ByteBuffer buffer = ByteBuffer.wrap(bytes);
        final Transition transition = Transition.values()[buffer.get()];
        final int count = buffer.getInt();
        if (count < 0 || count > MAX_CHANGES || bytes.length != 5 + 9 * count) {
            throw new IllegalArgumentException("malformed ConfChange of " + bytes.length + " bytes");
        }
        final ArrayList<ConfChangeSingle> changes = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            changes.add(new ConfChangeSingle(ConfChangeSingle.Type.values()[buffer.get()], buffer.getLong()));
        }
        return new ConfChange(transition, changes);
    }
}
