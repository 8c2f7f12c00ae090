package io.cairn.engine.migrate.bolt;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Visits every entry of one bucket's B+tree in key order: branch pages lead to child pages, leaf
 * pages hold the entries. Every page and element is bounds-checked, and the depth is bounded, so a
 * damaged file is refused with its page named instead of read past its end or forever.
 */
final class BoltTreeWalk {
    /** bbolt's trees are a few levels deep; a walk this deep is going round a cycle of pages. */
    static final int DEPTH_MAX = 64;

    /** What a walk hands each entry to. */
    @FunctionalInterface
    interface Visitor {
        void entry(BoltLeafElement element) throws IOException;
    }

    private final BoltFile file;
    private final String bucketName;

    BoltTreeWalk(final BoltFile file, final String bucketName) {
        this.file = file;
        this.bucketName = bucketName;
    }

    void walk(final BoltPage root, final Visitor visitor) throws IOException {
        walk(root, visitor, 0);
    }

    private void walk(final BoltPage page, final Visitor visitor, final int depth) throws IOException {
        if (depth > DEPTH_MAX) {
            throw file.problem("bucket " + bucketName + " is deeper than " + DEPTH_MAX + " pages (a cycle of pages?)");
        }
        if (!page.elementsFit()) {
            throw file.problem("page " + page.id() + " of bucket " + bucketName + " has " + page.count()
                + " elements, more than fit its " + page.bytes().byteSize() + " bytes");
        }
        if (page.isBranch()) {
            for (int i = 0; i < page.count(); i++) {
                final BoltBranchElement element = BoltBranchElement.read(page, i);
                if (element == null) {
                    throw file.problem("element " + i + " of branch page " + page.id() + " (bucket " + bucketName
                        + ") points outside the page");
                }
                walk(file.page(element.childPageId(), bucketName), visitor, depth + 1);
            }
        } else if (page.isLeaf()) {
            for (int i = 0; i < page.count(); i++) {
                final BoltLeafElement element = BoltLeafElement.read(page, i);
                if (element == null) {
                    throw file.problem("element " + i + " of leaf page " + page.id() + " (bucket " + bucketName
                        + ") points outside the page");
                }
                visitor.entry(element);
            }
        } else {
            throw file.problem("page " + page.id() + " of bucket " + bucketName + " is neither a branch nor a leaf (flags 0x"
                + Integer.toHexString(page.flags()) + ")");
        }
    }

    static byte[] copy(final MemorySegment bytes) {
        return bytes.toArray(ValueLayout.JAVA_BYTE);
    }
}
