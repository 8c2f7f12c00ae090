package io.cairn.engine.peer;

import com.google.gson.Strictness;
import com.google.gson.stream.JsonReader;
import com.google.gson.stream.JsonToken;
import io.cairn.engine.cluster.Member;
import java.io.IOException;
import java.io.StringReader;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * The body of etcd's peer {@code GET /members}: a JSON array of etcd's {@code membership.Member},
 * sorted by id, as Go's {@code json.Encoder} writes it, for example
 *
 * <pre>{@code
 * [{"id":7383792418829112008,"peerURLs":["http://127.0.0.1:2380"],"name":"m1","clientURLs":["http://127.0.0.1:2379"]},{"id":12779731854521009603,"peerURLs":["http://127.0.0.1:2390"],"isLearner":true}]
 * }</pre>
 *
 * followed by one newline. Ids are unsigned 64-bit decimal numbers; {@code isLearner} is written
 * only when true, {@code name} and {@code clientURLs} only once the member has published them
 * ({@code omitempty}). Written by hand with Go's escaping so the bytes are etcd's; read with Gson.
 */
public final class MembersJson {
    /** A member list is small; this bounds what a misbehaving peer can make the parser hold. */
    static final int MEMBERS_MAX = 10_000;
    private static final char[] HEX = "0123456789abcdef".toCharArray();

    private MembersJson() {
    }

    /** The members as etcd writes them: sorted by (unsigned) id, ending with a newline. */
    public static String write(final List<Member> members) {
        final List<Member> sorted = new ArrayList<>(members);
        sorted.sort(Comparator.comparing(Member::id, Long::compareUnsigned));
        final StringBuilder out = new StringBuilder(128 * (sorted.size() + 1)).append('[');
        for (int i = 0; i < sorted.size(); i++) {
            final Member member = sorted.get(i);
            if (i > 0) {
                out.append(',');
            }
            out.append("{\"id\":").append(Long.toUnsignedString(member.id()));
            out.append(",\"peerURLs\":");
            strings(out, member.peerUrls());
            if (member.learner()) {
                out.append(",\"isLearner\":true");
            }
            if (!member.name().isEmpty()) {
                out.append(",\"name\":");
                quoted(out, member.name());
            }
            if (!member.clientUrls().isEmpty()) {
                out.append(",\"clientURLs\":");
                strings(out, member.clientUrls());
            }
            out.append('}');
        }
        return out.append("]\n").toString();
    }

    /**
     * The members in {@code body}, in its order. As Go's decoder does, unknown fields are skipped and
     * {@code null} stands for an absent list or name; unlike it, field names must be spelled as etcd
     * writes them (Go also takes other letter cases, which no etcd writes).
     *
     * @throws IllegalArgumentException when the body is not such an array
     */
    public static List<Member> parse(final String body) {
        try (JsonReader reader = new JsonReader(new StringReader(body))) {
            reader.setStrictness(Strictness.STRICT);
            final List<Member> members = new ArrayList<>();
            if (reader.peek() == JsonToken.NULL) {
                reader.nextNull(); // Go's encoding of an empty (nil) list
            } else {
                reader.beginArray();
                while (reader.hasNext()) {
                    if (members.size() == MEMBERS_MAX) {
                        throw new IllegalArgumentException("more than " + MEMBERS_MAX + " members");
                    }
                    members.add(member(reader));
                }
                reader.endArray();
            }
            if (reader.peek() != JsonToken.END_DOCUMENT) {
                throw new IllegalArgumentException("invalid character after top-level value");
            }
            return members;
        } catch (final IOException | IllegalStateException | NumberFormatException e) {
            // Gson's malformed-input, wrong-token and bad-number failures alike: the body is not etcd's.
            throw new IllegalArgumentException("not a member list: " + e.getMessage(), e);
        }
    }

    private static Member member(final JsonReader reader) throws IOException {
        Long id = null;
        List<String> peerUrls = List.of();
        List<String> clientUrls = List.of();
        String name = "";
        boolean learner = false;
        reader.beginObject();
        while (reader.hasNext()) {
            switch (reader.nextName()) {
                case "id" -> id = unsignedId(reader);
                case "peerURLs" -> peerUrls = strings(reader);
                case "clientURLs" -> clientUrls = strings(reader);
                case "name" -> name = nullableString(reader);
                case "isLearner" -> learner = reader.nextBoolean();
                default -> reader.skipValue();
            }
        }
        reader.endObject();
        if (id == null) {
            throw new IllegalArgumentException("a member without an id");
        }
        return new Member(id, name, peerUrls, clientUrls, learner);
    }

    /** Read as the number's literal text: an id above 2^63 fits neither a signed long nor a double. */
    private static long unsignedId(final JsonReader reader) throws IOException {
        if (reader.peek() != JsonToken.NUMBER) {
            throw new IllegalArgumentException("member id is a " + reader.peek() + ", not a number");
        }
        return Long.parseUnsignedLong(reader.nextString());
    }

    private static List<String> strings(final JsonReader reader) throws IOException {
        if (reader.peek() == JsonToken.NULL) {
            reader.nextNull();
            return List.of();
        }
        final List<String> values = new ArrayList<>();
        reader.beginArray();
        while (reader.hasNext()) {
            values.add(reader.nextString());
        }
        reader.endArray();
        return values;
    }

    private static String nullableString(final JsonReader reader) throws IOException {
        if (reader.peek() == JsonToken.NULL) {
            reader.nextNull();
            return "";
        }
        return reader.nextString();
    }

    private static void strings(final StringBuilder out, final List<String> values) {
        out.append('[');
        for (int i = 0; i < values.size(); i++) {
            if (i > 0) {
                out.append(',');
            }
            quoted(out, values.get(i));
        }
        out.append(']');
    }

    /**
     * A JSON string as Go 1.19's encoder writes it with HTML escaping on (json.Encoder's default):
     * {@code \n \r \t \" \\} short, other control characters and {@code < > &} and U+2028/U+2029
     * as lower-case {@code \}{@code u00XX}, and a lone surrogate (invalid UTF-8 to Go) as U+FFFD.
     */
    static void quoted(final StringBuilder out, final String text) {
        out.append('"');
        for (int i = 0; i < text.length(); i++) {
            final char c = text.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                case '<', '>', '&', '\u2028', '\u2029' -> unicodeEscape(out, c);
                default -> {
                    if (c < 0x20) {
                        unicodeEscape(out, c);
                    } else if (Character.isHighSurrogate(c) && i + 1 < text.length()
                        && Character.isLowSurrogate(text.charAt(i + 1))) {
                        out.append(c).append(text.charAt(++i));
                    } else if (Character.isSurrogate(c)) {
                        out.append("\\ufffd");
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        out.append('"');
    }

    private static void unicodeEscape(final StringBuilder out, final char c) {
        out.append("\\u").append(HEX[c >> 12 & 0xF]).append(HEX[c >> 8 & 0xF]).append(HEX[c >> 4 & 0xF])
            .append(HEX[c & 0xF]);
    }
}
