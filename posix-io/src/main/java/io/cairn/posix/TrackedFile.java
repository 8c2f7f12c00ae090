package io.cairn.posix;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Set;

/**
 * One file (an inode: it keeps its identity across renames and unlinks) as {@link FaultyPosix} sees
 * it: the changes since its last sync, oldest first, and the size that sync made durable. Writers
 * hold this object's monitor from reading the old bytes until the change is recorded, so changes
 * are recorded in the order they reached the file.
 */
final class TrackedFile {
    final long id;
    /** Its current name: follows renames; the stash path once unlinked. Written under the namespace lock. */
    volatile Path path;
    /** The unlink reached the disk for good and the stash copy is deleted: nothing left to revert. */
    volatile boolean gone;
    /** Guarded by the namespace lock: descriptors the code under test holds, and our own for reading old bytes. */
    int openHandles;
    OpenFile reader;

    // Guarded by this.
    private long syncedSizeBytes;
    private final List<ContentChange> unsynced = new ArrayList<>();

    TrackedFile(long id, Path path, long syncedSizeBytes) {
        this.id = id;
        this.path = path;
        this.syncedSizeBytes = syncedSizeBytes;
    }

    synchronized boolean clean() {
        return unsynced.isEmpty();
    }

    synchronized int unsyncedCount() {
        return unsynced.size();
    }

    /**
     * What {@code [offset, offset + lengthBytes)} holds now, read through our own buffered descriptor
     * (the caller's may be write-only or O_DIRECT); null when it is all zeros, past the end included.
     */
    byte[] read(Posix disk, long offset, long lengthBytes) throws IOException {
        if (lengthBytes == 0) {
            return null;
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment buffer = arena.allocate(lengthBytes);
            long read = disk.preadFully(reader, buffer, offset);
            if (allZero(buffer, read)) {
                return null;
            }
            return buffer.toArray(ValueLayout.JAVA_BYTE);
        }
    }

    private static boolean allZero(MemorySegment buffer, long lengthBytes) {
        long i = 0;
        for (; i + 8 <= lengthBytes; i += 8) {
            if (buffer.get(ValueLayout.JAVA_LONG_UNALIGNED, i) != 0) {
                return false;
            }
        }
        for (; i < lengthBytes; i++) {
            if (buffer.get(ValueLayout.JAVA_BYTE, i) != 0) {
                return false;
            }
        }
        return true;
    }

    /** Records a change that reached the file. A durable one with nothing unsynced under it needs no record. */
    synchronized void record(ContentChange change, boolean durable) {
        boolean onlyDurableBefore = unsynced.stream().allMatch(ContentChange::durable);
        if (durable && onlyDurableBefore) {
            unsynced.clear();
            syncedSizeBytes = change.sizeAfterCallBytes;
            return;
        }
        if (durable) {
            change.markDurable(); // kept as a mask: older unsynced changes must not be undone over it
        }
        unsynced.add(change);
    }

    /** The changes a sync starting now covers: every one recorded so far (each was recorded after its call returned). */
    synchronized List<ContentChange> unsyncedSnapshot() {
        return new ArrayList<>(unsynced);
    }

    /**
     * A sync covering {@code covered} failed: the kernel may have marked those pages clean without
     * writing them (PostgreSQL's "fsyncgate"), so no later sync makes them durable.
     */
    synchronized void orphan(List<ContentChange> covered) {
        for (ContentChange c : covered) {
            c.markOrphaned();
        }
    }

    /**
     * A sync covering {@code covered} returned. They are a prefix of the unsynced list (changes are
     * only appended); each is forgotten, except that one newer than an orphan stays as a durable mask.
     */
    synchronized void synced(List<ContentChange> covered) {
        Set<ContentChange> coveredSet = Collections.newSetFromMap(new IdentityHashMap<>());
        coveredSet.addAll(covered);
        boolean orphanSeen = false;
        for (Iterator<ContentChange> it = unsynced.iterator(); it.hasNext(); ) {
            ContentChange c = it.next();
            if (c.orphaned()) {
                orphanSeen = true;
            } else if (coveredSet.contains(c)) {
                if (orphanSeen) {
                    c.markDurable();
                } else {
                    syncedSizeBytes = c.sizeAfterCallBytes;
                    it.remove();
                }
            }
        }
    }

    /**
     * Puts the file in a state a power cut could have left: each unsynced change, newest first,
     * kept, dropped (its old bytes written back) or torn (some of its sectors written back), then the
     * size the kept changes add up to. A sector a newer change kept is not touched by older ones:
     * its content on disk is the newer one's, which already holds the older writes under it.
     */
    synchronized void revert(Posix disk, RevertChoices choices, List<String> report) throws IOException {
        if (unsynced.isEmpty()) {
            return;
        }
        int count = unsynced.size();
        RevertChoices.Fate[] fates = new RevertChoices.Fate[count];
        long[] keptEnds = new long[count];
        BitSet decidedSectors = new BitSet();
        OpenFile file = disk.open(path, Posix.O_RDWR | Posix.O_CLOEXEC, 0);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment sector = arena.allocate(ContentChange.SECTOR_BYTES);
            for (int i = count - 1; i >= 0; i--) {
                ContentChange c = unsynced.get(i);
                RevertChoices.Fate fate = c.durable() ? RevertChoices.Fate.KEEP
                        : c.tearable() ? choices.ofWrite()
                        : choices.keepResize() ? RevertChoices.Fate.KEEP : RevertChoices.Fate.DROP;
                fates[i] = fate;
                long keptEnd = -1;
                int keptSectors = 0;
                int sectors = 0;
                if (c.lengthBytes > 0) {
                    long first = c.offset / ContentChange.SECTOR_BYTES;
                    long last = (c.end() - 1) / ContentChange.SECTOR_BYTES;
                    for (long s = first; s <= last; s++) {
                        boolean keep = fate == RevertChoices.Fate.KEEP || fate == RevertChoices.Fate.TEAR && choices.keepSector();
                        sectors++;
                        if (keep) {
                            keptSectors++;
                            keptEnd = Math.min(c.end(), (s + 1) * ContentChange.SECTOR_BYTES);
                        }
                        int index = Math.toIntExact(s);
                        if (decidedSectors.get(index)) {
                            continue;
                        }
                        if (keep) {
                            decidedSectors.set(index);
                        } else {
                            restoreSector(disk, file, c, s, sector);
                        }
                    }
                }
                keptEnds[i] = keptEnd;
                report.add(path.getFileName() + ": " + c.describe() + ": " + describe(c, fate, keptSectors, sectors));
            }
            long size = syncedSizeBytes;
            for (int i = 0; i < count; i++) {
                size = unsynced.get(i).sizeAfter(size, fates[i], keptEnds[i]);
            }
            if (disk.sizeBytes(file) != size) {
                disk.truncate(file, size);
            }
        } finally {
            disk.close(file);
        }
        unsynced.clear();
    }

    private static String describe(ContentChange c, RevertChoices.Fate fate, int keptSectors, int sectors) {
        String what = switch (fate) {
            case KEEP -> "kept";
            case DROP -> "dropped";
            case TEAR -> "torn, " + keptSectors + " of " + sectors + " sectors kept";
        };
        return c.durable() ? what + " (synced)" : c.orphaned() ? what + " (a failed sync covered it)" : what;
    }

    /** Writes back what sector {@code s}'s part of the change's range held before it. */
    private static void restoreSector(Posix disk, OpenFile file, ContentChange c, long s, MemorySegment buffer)
            throws IOException {
        long from = Math.max(c.offset, s * ContentChange.SECTOR_BYTES);
        long to = Math.min(c.end(), (s + 1) * ContentChange.SECTOR_BYTES);
        MemorySegment part = buffer.asSlice(0, to - from);
        byte[] before = c.beforeBytes();
        if (before == null) {
            part.fill((byte) 0);
        } else {
            MemorySegment.copy(before, (int) (from - c.offset), part, ValueLayout.JAVA_BYTE, 0, (int) (to - from));
        }
        disk.pwriteFully(file, part, from);
    }
}
