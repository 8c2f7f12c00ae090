package io.cairn.engine.cluster;

import io.cairn.engine.backend.BackendCursor;
import io.cairn.engine.backend.BackendReader;
import io.cairn.engine.backend.BackendWriter;
import io.cairn.engine.backend.Bucket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The members bucket: bigendian(member id) -> a member record, written by the apply thread as
 * membership entries are applied, so membership survives restarts in the member's own data.
 *
 * <p>Record layout, version 1 (big-endian): version (1 byte, = 1), learner (1 byte, 0 or 1), name,
 * then the peer URL count (4 bytes) and the URLs, then the client URL count and the URLs; every
 * string is its UTF-8 length (4 bytes) followed by its bytes.
 */
public final class MemberTable {
    private static final byte FORMAT_VERSION = 1;
    private static final int URLS_MAX = 64;

    private MemberTable() {
    }

    public static void put(final BackendWriter backend, final Member member) {
        backend.put(Bucket.MEMBERS, key(member.id()), encode(member));
    }

    public static void remove(final BackendWriter backend, final long id) {
        backend.delete(Bucket.MEMBERS, key(id));
    }

    public static Member get(final BackendReader backend, final long id) {
        final byte[] value = backend.get(Bucket.MEMBERS, key(id));
        return value == null ? null : decode(id, value);
    }

    /** Every member, in id order (unsigned, as etcd sorts them). */
    public static List<Member> all(final BackendReader backend) {
        final List<Member> members = new ArrayList<>();
        final BackendCursor cursor = backend.cursor(Bucket.MEMBERS);
        for (boolean ok = cursor.seek(new byte[0]); ok; ok = cursor.next()) {
            members.add(decode(ByteBuffer.wrap(cursor.key()).getLong(), cursor.value()));
        }
        return members;
    }

    private static byte[] key(final long id) {
        return ByteBuffer.allocate(Long.BYTES).putLong(id).array();
    }

    static byte[] encode(final Member member) {
        final List<byte[]> strings = new ArrayList<>();
        strings.add(utf8(member.name()));
        member.peerUrls().forEach(url -> strings.add(utf8(url)));
        member.clientUrls().forEach(url -> strings.add(utf8(url)));
        final int bytes = 2 + 8 + strings.stream().mapToInt(s -> 4 + s.length).sum();
        final ByteBuffer out = ByteBuffer.allocate(bytes)
            .put(FORMAT_VERSION).put((byte)(member.learner() ? 1 : 0));
        putString(out, strings.get(0));
        out.putInt(member.peerUrls().size());
        for (int i = 0; i < member.peerUrls().size(); i++) {
            putString(out, strings.get(1 + i));
        }
        out.putInt(member.clientUrls().size());
        for (int i = 0; i < member.clientUrls().size(); i++) {
            putString(out, strings.get(1 + member.peerUrls().size() + i));
        }
        return out.array();
    }

    static Member decode(final long id, final byte[] value) {
        final ByteBuffer in = ByteBuffer.wrap(value);
        final byte version = in.get();
        if (version != FORMAT_VERSION) {
            throw new IllegalStateException("member " + Long.toHexString(id) + " is stored in format " + version
                + ", which this version of Cairn does not read");
        }
        final boolean learner = in.get() == 1;
        final String name = getString(in);
        final List<String> peerUrls = getStrings(in);
        final List<String> clientUrls = getStrings(in);
        return new Member(id, name, peerUrls, clientUrls, learner);
    }

    private static byte[] utf8(final String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static void putString(final ByteBuffer out, final byte[] s) {
        out.putInt(s.length).put(s);
    }

    private static String getString(final ByteBuffer in) {
        final byte[] bytes = new byte[in.getInt()];
        in.get(bytes);
        return new String(bytes, StandardCharsets.UTF_8);
    }

    private static List<String> getStrings(final ByteBuffer in) {
        final int count = in.getInt();
        if (count < 0 || count > URLS_MAX) {
            throw new IllegalStateException("a member record lists " + count + " URLs");
        }
        final List<String> strings = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            strings.add(getString(in));
        }
        return strings;
    }
}
