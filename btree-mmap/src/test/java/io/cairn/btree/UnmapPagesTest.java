package io.cairn.btree;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link Env#unmapPages} takes the tree's pages out of the process's resident set and loses nothing:
 * a reader open across the call and a reader after it see every value, and what they read is mapped
 * again. The resident figure is the kernel's own, the map's {@code Rss} in /proc/self/smaps.
 */
class UnmapPagesTest {
    private static final int KEYS = 3_000;
    private static final int VALUE_BYTES = 1_000;
    /** A line of /proc/PID/smaps that starts a map ("start-end perms offset dev inode [path]"), not one of its fields. */
    private static final Pattern MAP_HEADER = Pattern.compile("^[0-9a-f]+-[0-9a-f]+ ");

    @TempDir
    Path dir;

    @Test
    void unmappedPagesLeaveTheResidentSetAndReadTheSameAfter() throws Exception {
        Path path = dir.resolve("unmap.db");
        Env closed;
        try (Env env = Env.open(path)) {
            closed = env;
            try (WriteTxn w = env.beginWrite()) {
                Bucket b = w.createBucketIfAbsent("kv");
                for (int i = 0; i < KEYS; i++) {
                    b.put(key(i), value(i));
                }
                w.commit();
            }
            env.sync();
            try (ReadTxn open = env.beginRead()) {
                readAll(open);
                long mappedKiB = residentKiB(path);
                long fileKiB = Files.size(path) / 1024;
                assertTrue(mappedKiB >= fileKiB / 2, "a full read maps most of the file: " + mappedKiB + " of " + fileKiB + " KiB");

                env.unmapPages();
                assertEquals(0, residentKiB(path), "KiB of the tree resident after unmapPages");

                readAll(open); // a reader open across the call
                assertTrue(residentKiB(path) >= fileKiB / 2, "read again, mapped again");
            }
            env.unmapPages();
            try (ReadTxn after = env.beginRead()) {
                readAll(after);
            }
        }
        closed.unmapPages(); // a sync thread's last call may come after the close: nothing to do
    }

    private static void readAll(ReadTxn txn) {
        Cursor cursor = txn.bucket("kv").cursor();
        int seen = 0;
        for (boolean more = cursor.first(); more; more = cursor.next()) {
            int i = (int) cursor.key().get(ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN), 0);
            byte[] value = new byte[cursor.valueLength()];
            cursor.copyValue(0, value, 0, value.length);
            assertEquals(ByteBuffer.wrap(value(i)), ByteBuffer.wrap(value), "value of key " + i);
            seen++;
        }
        assertEquals(KEYS, seen, "keys read");
    }

    private static byte[] key(int i) {
        return ByteBuffer.allocate(8).putLong(i).array();
    }

    private static byte[] value(int i) {
        byte[] value = new byte[VALUE_BYTES];
        for (int j = 0; j < value.length; j++) {
            value[j] = (byte) (i * 31 + j);
        }
        return value;
    }

    /** The resident KiB of this process's maps of {@code file}, summed. */
    private static long residentKiB(Path file) throws IOException {
        String name = file.toRealPath().toString();
        List<String> lines = Files.readAllLines(Path.of("/proc/self/smaps"));
        long kib = 0;
        boolean inFile = false;
        for (String line : lines) {
            if (MAP_HEADER.matcher(line).find()) {
                inFile = line.endsWith(" " + name);
            } else if (inFile && line.startsWith("Rss:")) {
                kib += Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        }
        return kib;
    }
}
