package io.cairn.chaos.linearizability;

/**
 * What a client asked of one key. Values are strings so that model states are plain values that
 * can be compared and memoised; a test that writes a unique value per write gets the sharpest check.
 */
public sealed interface Input permits Input.Put, Input.Get, Input.Cas, Input.Delete {
    String key();

    /** Whether the operation can change the key; an unknown-outcome read tells nothing and is dropped. */
    default boolean readOnly() {
        return this instanceof Get;
    }

    /** Whether {@code output} is a possible answer to this input at all (any state). */
    boolean accepts(Output output);

    static Put put(final String key, final String value) {
        return new Put(key, value);
    }

    static Get get(final String key) {
        return new Get(key);
    }

    /** A Txn comparing the key's value with {@code expected} ({@code null}: the key is absent), then putting. */
    static Cas cas(final String key, final String expected, final String value) {
        return new Cas(key, expected, value);
    }

    static Delete delete(final String key) {
        return new Delete(key);
    }

    record Put(String key, String value) implements Input {
        @Override
        public boolean accepts(final Output output) {
            return output instanceof Output.Written;
        }

        @Override
        public String toString() {
            return "put(" + key + ", " + Output.quote(value) + ")";
        }
    }

    record Get(String key) implements Input {
        @Override
        public boolean accepts(final Output output) {
            return output instanceof Output.Read;
        }

        @Override
        public String toString() {
            return "get(" + key + ")";
        }
    }

    /** {@code expected == null} compares with "absent" (etcd: {@code create_revision == 0}). */
    record Cas(String key, String expected, String value) implements Input {
        @Override
        public boolean accepts(final Output output) {
            return output instanceof Output.Swapped;
        }

        @Override
        public String toString() {
            return "cas(" + key + ", " + Output.quote(expected) + " -> " + Output.quote(value) + ")";
        }
    }

    record Delete(String key) implements Input {
        @Override
        public boolean accepts(final Output output) {
            return output instanceof Output.Deleted;
        }

        @Override
        public String toString() {
            return "delete(" + key + ")";
        }
    }
}
