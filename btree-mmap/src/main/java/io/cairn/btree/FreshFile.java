package io.cairn.btree;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * The first four pages of a new tree file (metas 0 and 1 at txids 0 and 1, an empty bucket directory
 * at page 2, an empty freelist at page 3), and how to tell a creation a power cut interrupted from a
 * foreign file. The image is the same every time, so a file no longer than it whose every 512-byte
 * sector is either zeros or the image's sector can only be a torn creation: nothing was ever
 * committed in it (the first commit grows the file past these pages), and it is safe to write again.
 */
final class FreshFile {
    static final int PAGES = 4;
    static final long BYTES = (long) PAGES * Page.SIZE_BYTES;
    private static final int SECTOR_BYTES = 512;

    private FreshFile() {
    }

    static MemorySegment image(Arena arena) {
        MemorySegment pages = arena.allocate(BYTES, Page.SIZE_BYTES);
        MemorySegment directory = pages.asSlice(2L * Page.SIZE_BYTES, Page.SIZE_BYTES);
        Node.init(directory, 0, 2, Page.FLAG_LEAF);
        MemorySegment freelist = pages.asSlice(3L * Page.SIZE_BYTES, Page.SIZE_BYTES);
        Page.clearHeader(freelist, 0);
        Page.setPgno(freelist, 0, 3);
        Page.setFlags(freelist, 0, Page.FLAG_FREELIST);
        Page.setRunPages(freelist, 0, 1);
        new Meta(0, 2, 3, PAGES).encode(pages.asSlice(0, Page.SIZE_BYTES), 0);
        new Meta(1, 2, 3, PAGES).encode(pages.asSlice(Page.SIZE_BYTES, Page.SIZE_BYTES), 1);
        return pages;
    }

    /** Whether a file of this size may be a creation cut short: no longer than the image, whole sectors. */
    static boolean mayBeInterruptedCreation(long sizeBytes) {
        return sizeBytes <= BYTES && sizeBytes % SECTOR_BYTES == 0;
    }

    /** Whether {@code content} (the whole file, at most {@link #BYTES}) is what an interrupted creation leaves. */
    static boolean isInterruptedCreation(MemorySegment content, long sizeBytes) {
        if (sizeBytes > BYTES) {
            return false;
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment image = image(arena);
            MemorySegment zeros = arena.allocate(SECTOR_BYTES);
            for (long at = 0; at < sizeBytes; at += SECTOR_BYTES) {
                long length = Math.min(SECTOR_BYTES, sizeBytes - at);
                boolean fromImage = MemorySegment.mismatch(content, at, at + length, image, at, at + length) < 0;
                boolean zero = MemorySegment.mismatch(content, at, at + length, zeros, 0, length) < 0;
                if (!fromImage && !zero) {
                    return false;
                }
            }
        }
        return true;
    }
}
