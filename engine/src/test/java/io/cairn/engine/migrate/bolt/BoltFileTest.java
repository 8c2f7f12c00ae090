package io.cairn.engine.migrate.bolt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The bbolt reader on hand-made files: page trees, inline buckets, the meta choice, and damaged files refused. */
class BoltFileTest {
    @TempDir
    Path dir;

    /** A bucket over two leaf pages under a branch page, an inline bucket, and one missing. */
    private static byte[] twoBuckets(final BoltTestFile file, final long txid0, final long txid1) {
        final long left = file.leaf(List.of(BoltTestFile.Entry.of("a", bytes("1")), BoltTestFile.Entry.of("b", bytes("2"))));
        final long right = file.leaf(List.of(BoltTestFile.Entry.of("c", bytes("3"))));
        final long branch = file.branch(List.of("a", "c"), List.of(left, right));
        final long root = file.leaf(List.of(
            BoltTestFile.Entry.bucket("big", BoltTestFile.bucketAt(branch)),
            BoltTestFile.Entry.bucket("small", BoltTestFile.inlineBucket(List.of(BoltTestFile.Entry.of("x", bytes("9"))))),
            BoltTestFile.Entry.of("plain", bytes("not a bucket"))));
        return file.build(root, txid0, txid1);
    }

    @Test
    void walksPageTreesAndInlineBucketsInKeyOrder() throws IOException {
        final Path path = write(twoBuckets(new BoltTestFile(), 4, 5));
        try (BoltFile file = BoltFile.open(path, Files.size(path))) {
            assertEquals(5, file.txid());
            assertEquals(List.of("a=1", "b=2", "c=3"), entries(file.root().bucket("big")));
            assertEquals(List.of("x=9"), entries(file.root().bucket("small")));
            assertNull(file.root().bucket("plain"), "a plain key is not a bucket");
            assertNull(file.root().bucket("missing"));
        }
    }

    @Test
    void takesTheValidMetaWithTheHigherTxid() throws IOException {
        final byte[] bytes = twoBuckets(new BoltTestFile(), 7, 6);
        try (BoltFile file = BoltFile.open(write(bytes), bytes.length)) {
            assertEquals(7, file.txid());
        }
        bytes[16 + 60] ^= 1; // meta 0's checksum: meta 1 is all that is left
        try (BoltFile file = BoltFile.open(write(bytes), bytes.length)) {
            assertEquals(6, file.txid());
        }
    }

    @Test
    void refusesAFileWithBothMetasDamaged() throws IOException {
        final byte[] bytes = twoBuckets(new BoltTestFile(), 4, 5);
        bytes[16 + 60] ^= 1;
        bytes[BoltTestFile.PAGE_BYTES + 16 + 60] ^= 1;
        final Path path = write(bytes);
        final BoltFormatException refused = assertThrows(BoltFormatException.class, () -> BoltFile.open(path, bytes.length));
        assertEquals(path + ": meta page 0 fails its checksum; meta page 1 fails its checksum", refused.getMessage());
    }

    @Test
    void refusesWhatIsNotABboltFile() throws IOException {
        final byte[] text = "this is a text file, not a database\n".repeat(300).getBytes(StandardCharsets.UTF_8);
        final Path path = write(text);
        final BoltFormatException refused = assertThrows(BoltFormatException.class, () -> BoltFile.open(path, text.length));
        assertTrue(refused.getMessage().startsWith(path + ": meta page 0 has no bbolt magic"), refused.getMessage());

        final Path tiny = write(new byte[10]);
        assertEquals(tiny + ": truncated: 10 bytes is too short for a bbolt file",
            assertThrows(BoltFormatException.class, () -> BoltFile.open(tiny, 10)).getMessage());
    }

    @Test
    void refusesATruncatedFile() throws IOException {
        final byte[] bytes = twoBuckets(new BoltTestFile(), 4, 5);
        final Path path = write(bytes);
        final long cut = bytes.length - BoltTestFile.PAGE_BYTES;
        final BoltFormatException refused = assertThrows(BoltFormatException.class, () -> BoltFile.open(path, cut));
        assertEquals(path + ": truncated: its meta counts 7 pages of 4096 bytes, the file holds " + cut + " bytes",
            refused.getMessage());
    }

    @Test
    void refusesAPageReferenceOutsideTheFile() throws IOException {
        final BoltTestFile built = new BoltTestFile();
        final long root = built.leaf(List.of(BoltTestFile.Entry.bucket("key", BoltTestFile.bucketAt(99))));
        final byte[] bytes = built.build(root, 1, 2);
        final Path path = write(bytes);
        try (BoltFile file = BoltFile.open(path, bytes.length)) {
            final BoltFormatException refused = assertThrows(BoltFormatException.class, () -> file.root().bucket("key"));
            assertEquals(path + ": bucket key refers to page 99, outside pages [2, 4)", refused.getMessage());
        }
    }

    @Test
    void refusesAnElementPointingOutsideItsPage() throws IOException {
        final byte[] bytes = twoBuckets(new BoltTestFile(), 4, 5);
        final int rightLeaf = 4 * BoltTestFile.PAGE_BYTES;
        ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).putInt(rightLeaf + 16 + 12, 1 << 20); // value size
        final Path path = write(bytes);
        try (BoltFile file = BoltFile.open(path, bytes.length)) {
            final BoltBucket big = file.root().bucket("big");
            final BoltFormatException refused = assertThrows(BoltFormatException.class, () -> entries(big));
            assertEquals(path + ": element 0 of leaf page 4 (bucket big) points outside the page", refused.getMessage());
        }
    }

    private static List<String> entries(final BoltBucket bucket) throws IOException {
        final List<String> out = new ArrayList<>();
        bucket.forEach(entry -> out.add(new String(entry.key(), StandardCharsets.UTF_8) + "="
            + new String(entry.value(), StandardCharsets.UTF_8)));
        return out;
    }

    private Path write(final byte[] bytes) throws IOException {
        final Path path = Files.createTempFile(dir, "bolt", ".db");
        Files.write(path, bytes);
        return path;
    }

    static byte[] bytes(final String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
