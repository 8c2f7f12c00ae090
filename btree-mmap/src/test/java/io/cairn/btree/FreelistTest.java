package io.cairn.btree;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.TreeSet;

import org.junit.jupiter.api.Test;

/**
 * A rolled-back transaction leaves the freelist exactly as it began, whatever it took (single pages and
 * runs) and gave back at once; a committed one keeps its changes. Random transactions over a list of a
 * few thousand ids; a failure names its seed, and {@code -Dcairn.freelist.seed} replays one.
 */
class FreelistTest {
    private static final int TRANSACTIONS = 300;

    @Test
    void aRollbackUndoesEverythingTheTransactionDidToTheList() {
        String replay = System.getProperty("cairn.freelist.seed");
        long seed = replay == null ? System.nanoTime() : Long.parseLong(replay);
        try {
            run(new SplittableRandom(seed));
        } catch (AssertionError e) {
            throw new AssertionError("seed " + seed + " (replay with -Dcairn.freelist.seed=" + seed + "): "
                    + e.getMessage(), e);
        }
    }

    private static void run(SplittableRandom random) {
        Freelist freelist = new Freelist(true);
        TreeSet<Long> initial = new TreeSet<>();
        while (initial.size() < 3_000) {
            initial.add(2 + (long) random.nextInt(20_000));
        }
        freelist.load(initial.stream().mapToLong(Long::longValue).toArray());
        long highWater = 20_002;
        for (int t = 0; t < TRANSACTIONS; t++) {
            long[] before = ids(freelist);
            freelist.beginTxn();
            List<Long> taken = new ArrayList<>();
            int operations = 1 + random.nextInt(40);
            for (int op = 0; op < operations; op++) {
                int dice = random.nextInt(10);
                if (dice < 5) {
                    long pgno = freelist.allocate(1);
                    taken.add(pgno != 0 ? pgno : highWater++);
                } else if (dice < 7) {
                    int pages = 2 + random.nextInt(3);
                    long first = freelist.allocate(pages);
                    for (int p = 0; p < pages; p++) {
                        taken.add(first != 0 ? first + p : highWater++);
                    }
                } else if (!taken.isEmpty()) {
                    freelist.freeNow(taken.remove(random.nextInt(taken.size()))); // taken here, given back at once
                }
            }
            if (random.nextInt(3) == 0) {
                freelist.rollbackTxn();
                assertArrayEquals(before, ids(freelist), "transaction " + t + " rolled back");
            } else {
                freelist.commitTxn(t + 1);
            }
        }
    }

    /** The ids the list holds (nothing pending here: every transaction only took and gave back at once). */
    private static long[] ids(Freelist freelist) {
        MemorySegment out = Arena.ofAuto().allocate(8L * (freelist.persistedIdCount() + 1));
        long n = freelist.write(out, 0);
        long[] ids = new long[(int) n];
        for (int i = 0; i < n; i++) {
            ids[i] = out.get(Page.U64, 8L * i);
        }
        Arrays.sort(ids);
        return ids;
    }
}
