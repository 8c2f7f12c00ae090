package io.cairn.wal;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** etcd's segment file name: {@code <sequence>-<first index>.wal}, both as 16 hex digits. */
record SegmentName(long sequence, long firstIndex) implements Comparable<SegmentName> {
    private static final Pattern PATTERN = Pattern.compile("([0-9a-f]{16})-([0-9a-f]{16})\\.wal");

    static SegmentName parse(String fileName) {
        Matcher m = PATTERN.matcher(fileName);
        if (!m.matches()) {
            return null;
        }
        return new SegmentName(Long.parseUnsignedLong(m.group(1), 16), Long.parseUnsignedLong(m.group(2), 16));
    }

    String fileName() {
        return String.format("%016x-%016x.wal", sequence, firstIndex);
    }

    @Override
    public int compareTo(SegmentName other) {
        return Long.compare(sequence, other.sequence);
    }
}
