package io.cairn.chaos.linearizability;

/** What the store answered. An operation whose outcome is unknown has no output at all. */
public sealed interface Output permits Output.Written, Output.Read, Output.Swapped, Output.Deleted {
    /** A put acknowledged without a revision recorded. */
    static Written written() {
        return new Written(0);
    }

    static Written written(final long revision) {
        return new Written(revision);
    }

    /** A get's answer; {@code null}: the key was absent. */
    static Read read(final String value) {
        return new Read(value);
    }

    static Read absent() {
        return new Read(null);
    }

    static Swapped swapped(final boolean succeeded) {
        return new Swapped(succeeded);
    }

    static Deleted deleted(final long count) {
        return new Deleted(count);
    }

    /**
     * A put's acknowledgement. The revision is kept for the dump only: revisions are global across
     * keys, so a per-key model cannot check them.
     */
    record Written(long revision) implements Output {
        @Override
        public String toString() {
            return revision == 0 ? "ok" : "ok@" + revision;
        }
    }

    /** {@code value == null}: the key was absent. */
    record Read(String value) implements Output {
        @Override
        public String toString() {
            return quote(value);
        }
    }

    record Swapped(boolean succeeded) implements Output {
        @Override
        public String toString() {
            return succeeded ? "succeeded" : "failed";
        }
    }

    record Deleted(long count) implements Output {
        @Override
        public String toString() {
            return "deleted " + count;
        }
    }

    /** A value as the dumps show it: quoted, or {@code absent}. */
    static String quote(final String value) {
        return value == null ? "absent" : '"' + value + '"';
    }
}
