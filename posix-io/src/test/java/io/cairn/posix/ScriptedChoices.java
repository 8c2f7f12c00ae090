package io.cairn.posix;

import java.util.ArrayDeque;
import java.util.Deque;

/**
 * Revert choices a test spells out, in the order the layer asks (files first seen first, each file's
 * changes newest first, then directory operations newest first). Running out is a test bug.
 */
final class ScriptedChoices implements RevertChoices {
    private final Deque<Fate> writes = new ArrayDeque<>();
    private final Deque<Boolean> sectors = new ArrayDeque<>();
    private final Deque<Boolean> resizes = new ArrayDeque<>();
    private final Deque<Boolean> directoryOps = new ArrayDeque<>();

    ScriptedChoices writes(Fate... fates) {
        writes.addAll(java.util.List.of(fates));
        return this;
    }

    /** Sector choices of torn writes, as a string of '1' (kept) and '0' (written back). */
    ScriptedChoices sectors(String keptMask) {
        for (char c : keptMask.toCharArray()) {
            sectors.add(c == '1');
        }
        return this;
    }

    ScriptedChoices resizes(Boolean... keep) {
        resizes.addAll(java.util.List.of(keep));
        return this;
    }

    ScriptedChoices directoryOps(Boolean... keep) {
        directoryOps.addAll(java.util.List.of(keep));
        return this;
    }

    @Override
    public Fate ofWrite() {
        return next(writes, "write");
    }

    @Override
    public boolean keepSector() {
        return next(sectors, "sector");
    }

    @Override
    public boolean keepResize() {
        return next(resizes, "resize");
    }

    @Override
    public boolean keepDirectoryOp() {
        return next(directoryOps, "directory operation");
    }

    private static <T> T next(Deque<T> script, String what) {
        if (script.isEmpty()) {
            throw new AssertionError("the layer asked about one more " + what + " than the test scripted");
        }
        return script.removeFirst();
    }

    void assertUsedUp() {
        if (!writes.isEmpty() || !sectors.isEmpty() || !resizes.isEmpty() || !directoryOps.isEmpty()) {
            throw new AssertionError("the layer asked fewer questions than scripted: writes " + writes + ", sectors "
                    + sectors + ", resizes " + resizes + ", directory operations " + directoryOps);
        }
    }
}
