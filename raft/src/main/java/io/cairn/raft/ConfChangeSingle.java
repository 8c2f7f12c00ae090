package io.cairn.raft;

/** One membership edit. */
public record ConfChangeSingle(Type type, long nodeId) {
    public enum Type {
        ADD_VOTER(0),
        /** Add as non-voting member, or demote a voter to one. */
        ADD_LEARNER(1),
        REMOVE(2);

        /** The on-disk code (in log entries): never the ordinal. */
        final byte code;

        Type(final int code) {
            this.code = (byte) code;
        }

        static Type ofCode(final byte code) {
            for (final Type t : values()) {
                if (t.code == code) {
                    return t;
                }
            }
            throw new IllegalArgumentException("unknown conf change type code " + code);
        }
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
