package io.cairn.raft;

/** One membership edit. */
public record ConfChangeSingle(Type type, long nodeId) {
    public enum Type {
        ADD_VOTER,
        /** Add as non-voting member, or demote a voter to one. */
        ADD_LEARNER,
        REMOVE
    }

    public ConfChangeSingle {
        if (nodeId == 0) {
            throw new IllegalArgumentException("node id 0 is reserved");
        }
    }

    public static ConfChangeSingle addVoter(final long id) {
        return new ConfChangeSingle(Type.ADD_VOTER, id);
    }

    public static ConfChangeSingle addLearner(final long id) {
        return new ConfChangeSingle(Type.ADD_LEARNER, id);
    }

    public static ConfChangeSingle remove(final long id) {
        return new ConfChangeSingle(Type.REMOVE, id);
    }
}
