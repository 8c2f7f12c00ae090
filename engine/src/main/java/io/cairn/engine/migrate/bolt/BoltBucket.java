package io.cairn.engine.migrate.bolt;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * One bucket of a bbolt file: its entries in key order, and the buckets nested in it (etcd's are
 * all nested in the file's root bucket). A bucket's tree starts at a page of the file, or, for a
 * small bucket, at the page stored inline in its parent's value.
 */
public final class BoltBucket {
    private final BoltFile file;
    private final String name;
    private final BoltPage root;

    private BoltBucket(final BoltFile file, final String name, final BoltPage root) {
        this.file = file;
        this.name = name;
        this.root = root;
    }

    /** The file's root bucket, whose tree starts at {@code root}. */
    static BoltBucket ofPage(final BoltFile file, final String name, final BoltPage root) {
        return new BoltBucket(file, name, root);
    }

    /** The bucket whose header is {@code value} (a bucket entry's value in its parent). */
    static BoltBucket of(final BoltFile file, final String name, final MemorySegment value) {
        if (value.byteSize() < BoltBucketHeader.BYTES) {
            throw file.problem("bucket " + name + " has a " + value.byteSize() + "-byte header, expected "
                + BoltBucketHeader.BYTES);
        }
        final BoltBucketHeader header = BoltBucketHeader.read(value);
        if (!header.inline()) {
            return new BoltBucket(file, name, file.page(header.rootPageId(), name));
        }
        final MemorySegment inline = value.asSlice(BoltBucketHeader.BYTES);
        if (!BoltPage.fitsHeader(inline) || !new BoltPage(inline).isLeaf()) {
            throw file.problem("inline bucket " + name + " does not hold a leaf page");
        }
        return new BoltBucket(file, name, new BoltPage(inline));
    }

    public String name() {
        return name;
    }

    /** The bucket nested here under {@code childName}, or null if there is none. */
    public BoltBucket bucket(final String childName) throws IOException {
        final byte[] wanted = childName.getBytes(StandardCharsets.UTF_8);
        final BoltBucket[] found = new BoltBucket[1];
        new BoltTreeWalk(file, name).walk(root, element -> {
            if (found[0] == null && element.bucket() && Arrays.equals(BoltTreeWalk.copy(element.key()), wanted)) {
                found[0] = of(file, childName, element.value());
            }
        });
        return found[0];
    }

    /** What {@link #forEach} hands each entry to. */
    @FunctionalInterface
    public interface EntryVisitor {
        void entry(BoltEntry entry) throws IOException;
    }

    /** Every entry of this bucket in key order (a nested bucket's value is its raw header). */
    public void forEach(final EntryVisitor visitor) throws IOException {
        new BoltTreeWalk(file, name).walk(root, element -> visitor.entry(new BoltEntry(
            BoltTreeWalk.copy(element.key()), BoltTreeWalk.copy(element.value()), element.bucket())));
    }
}
