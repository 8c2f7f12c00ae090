package io.cairn.engine.mvcc;

/** A Range request (etcd RangeRequest, minus the serializable flag which is the server's concern). */
public record RangeQuery(
    KeyRange range,
    long limit,
    long revision,
    SortOrder sortOrder,
    SortTarget sortTarget,
    boolean keysOnly,
    boolean countOnly,
    long minModRevision,
    long maxModRevision,
    long minCreateRevision,
    long maxCreateRevision) {

    /** OTHER stands for a value etcd does not define: etcd fetches everything and sorts nothing. */
    public enum SortOrder { NONE, ASCEND, DESCEND, OTHER }

    public enum SortTarget { KEY, VERSION, CREATE, MOD, VALUE }

    /** All versions of {@code range} at the current revision, in key order. */
    public static RangeQuery of(final KeyRange range) {
        return new RangeQuery(range, 0, 0, SortOrder.NONE, SortTarget.KEY, false, false, 0, 0, 0, 0);
    }

    boolean hasFilters() {
        return minModRevision != 0 || maxModRevision != 0 || minCreateRevision != 0 || maxCreateRevision != 0;
    }
}
