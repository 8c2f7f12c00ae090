package io.cairn.engine.backend;

/** The engine's named sub-trees in the backend (DESIGN.md, "Storage layout"). */
public enum Bucket {
    /** RevisionKey -> KeyValueRecord: every version of every user key. */
    KV,
    /** bigendian(main, sub) -> user key: the history in revision order (watch catch-up, compaction). */
    REV,
    /** Small named values: current and compacted revision, applied index, ids. */
    META
}
