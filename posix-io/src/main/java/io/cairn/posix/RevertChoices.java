package io.cairn.posix;

/**
 * What a power cut did to each unsynced operation. {@link FaultyPosix#revertUnsynced(long)} asks in
 * a fixed order (files in the order they were first seen, each file's changes newest first, then
 * directory operations newest first), so one seed always makes the same choices for the same
 * operations; tests of the layer script them instead.
 */
interface RevertChoices {
    enum Fate { KEEP, DROP, TEAR }

    /** A write or punched hole: on disk whole, not at all, or some of its 512-byte sectors. */
    Fate ofWrite();

    /** For a torn write, asked once per sector it covers, in order. */
    boolean keepSector();

    /** A size change (fallocate, ftruncate) is kept or dropped whole. */
    boolean keepResize();

    boolean keepDirectoryOp();
}
