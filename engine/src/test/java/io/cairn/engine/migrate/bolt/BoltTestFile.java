package io.cairn.engine.migrate.bolt;

import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Hand-made bbolt files for the reader's tests, laid out as bbolt lays them out (see BoltPage,
 * BoltMeta): pages 0 and 1 the metas, page 2 an empty freelist, then the pages the test adds.
 */
public final class BoltTestFile {
    public static final int PAGE_BYTES = 4096;
    private static final int FLAG_BRANCH = 0x01;
    private static final int FLAG_LEAF = 0x02;
    private static final int FLAG_META = 0x04;
    private static final int FLAG_FREELIST = 0x10;

    /** One leaf entry: a key and value, or a key and a nested bucket's header (with its inline page). */
    public record Entry(byte[] key, byte[] value, boolean bucket) {
        public static Entry of(final String key, final byte[] value) {
            return new Entry(key.getBytes(StandardCharsets.UTF_8), value, false);
        }

        public static Entry bucket(final String name, final byte[] header) {
            return new Entry(name.getBytes(StandardCharsets.UTF_8), header, true);
        }
    }

    private final List<byte[]> pages = new ArrayList<>();

    public BoltTestFile() {
        pages.add(new byte[PAGE_BYTES]);
        pages.add(new byte[PAGE_BYTES]);
        final ByteBuffer freelist = page(PAGE_BYTES);
        header(freelist, 2, FLAG_FREELIST, 0, 0);
        pages.add(freelist.array());
    }

    /** Adds a leaf page; returns its id. */
    public long leaf(final List<Entry> entries) {
        final long id = pages.size();
        pages.add(leafBytes(id, entries, PAGE_BYTES));
        return id;
    }

    /** Adds a branch page over {@code children}, whose first keys are {@code firstKeys}; returns its id. */
    public long branch(final List<String> firstKeys, final List<Long> children) {
        final long id = pages.size();
        final ByteBuffer page = page(PAGE_BYTES);
        header(page, id, FLAG_BRANCH, firstKeys.size(), 0);
        int data = 16 + 16 * firstKeys.size();
        for (int i = 0; i < firstKeys.size(); i++) {
            final byte[] key = firstKeys.get(i).getBytes(StandardCharsets.UTF_8);
            final int element = 16 + 16 * i;
            page.putInt(element, data - element).putInt(element + 4, key.length).putLong(element + 8, children.get(i));
            page.put(data, key);
            data += key.length;
        }
        pages.add(page.array());
        return id;
    }

    /** A bucket entry's value for a bucket whose tree starts at page {@code rootPageId}. */
    public static byte[] bucketAt(final long rootPageId) {
        return ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putLong(rootPageId).putLong(0).array();
    }

    /** A bucket entry's value for a small bucket stored inline: header with root 0, then its leaf page. */
    public static byte[] inlineBucket(final List<Entry> entries) {
        final byte[] leaf = leafBytes(0, entries, -1);
        final ByteBuffer value = ByteBuffer.allocate(16 + leaf.length).order(ByteOrder.LITTLE_ENDIAN);
        value.putLong(0).putLong(0).put(leaf);
        return value.array();
    }

    /** The file with both metas at {@code rootPageId}, meta 0 at txid {@code txid0} and meta 1 at {@code txid1}. */
    public byte[] build(final long rootPageId, final long txid0, final long txid1) {
        pages.set(0, meta(0, rootPageId, txid0));
        pages.set(1, meta(1, rootPageId, txid1));
        final ByteBuffer file = ByteBuffer.allocate(pages.size() * PAGE_BYTES);
        pages.forEach(file::put);
        return file.array();
    }

    private byte[] meta(final int slot, final long rootPageId, final long txid) {
        final ByteBuffer page = page(PAGE_BYTES);
        header(page, slot, FLAG_META, 0, 0);
        page.putInt(16, 0xED0CDAED).putInt(20, 2).putInt(24, PAGE_BYTES).putInt(28, 0)
            .putLong(32, rootPageId).putLong(40, 0).putLong(48, 2).putLong(56, pages.size()).putLong(64, txid);
        page.putLong(72, BoltMeta.fnv64a(MemorySegment.ofArray(page.array()).asSlice(16, 56)));
        return page.array();
    }

    /** A leaf page's bytes; {@code pageBytes} -1: just as long as its entries need (an inline page). */
    private static byte[] leafBytes(final long id, final List<Entry> entries, final int pageBytes) {
        int dataBytes = 0;
        for (final Entry entry : entries) {
            dataBytes += entry.key().length + entry.value().length;
        }
        final int used = 16 + 16 * entries.size() + dataBytes;
        final ByteBuffer page = page(pageBytes < 0 ? used : pageBytes);
        header(page, id, FLAG_LEAF, entries.size(), 0);
        int data = 16 + 16 * entries.size();
        for (int i = 0; i < entries.size(); i++) {
            final Entry entry = entries.get(i);
            final int element = 16 + 16 * i;
            page.putInt(element, entry.bucket() ? 1 : 0).putInt(element + 4, data - element)
                .putInt(element + 8, entry.key().length).putInt(element + 12, entry.value().length);
            page.put(data, entry.key());
            page.put(data + entry.key().length, entry.value());
            data += entry.key().length + entry.value().length;
        }
        return page.array();
    }

    private static ByteBuffer page(final int bytes) {
        return ByteBuffer.allocate(bytes).order(ByteOrder.LITTLE_ENDIAN);
    }

    private static void header(final ByteBuffer page, final long id, final int flags, final int count, final int overflow) {
        page.putLong(0, id).putShort(8, (short)flags).putShort(10, (short)count).putInt(12, overflow);
    }
}
