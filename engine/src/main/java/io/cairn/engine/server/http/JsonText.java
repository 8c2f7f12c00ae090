package io.cairn.engine.server.http;

import java.util.ArrayList;
import java.util.List;

/** JSON written and split by hand, for the few places that need it (bodies of a few fields, a stream's requests). */
final class JsonText {
    private JsonText() {
    }

    static String quoted(final String text) {
        final StringBuilder out = new StringBuilder(text.length() + 2).append('"');
        for (final char c : text.toCharArray()) {
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                default -> out.append(c < 0x20 ? String.format("\\u%04x", (int)c) : String.valueOf(c));
            }
        }
        return out.append('"').toString();
    }

    /**
     * The JSON objects or arrays written one after the other in {@code body} (a streaming gateway
     * call's requests, as Go's json.Decoder reads them), each as its own text; only their extent is
     * found here, the parser checks each. A body that does not start a value, or ends inside one, is
     * refused with Go's texts.
     */
    static List<String> topLevelValues(final String body) {
        final List<String> values = new ArrayList<>();
        int i = 0;
        while (true) {
            while (i < body.length() && Character.isWhitespace(body.charAt(i))) {
                i++;
            }
            if (i == body.length()) {
                return values;
            }
            final char first = body.charAt(i);
            if (first != '{' && first != '[') {
                throw new IllegalArgumentException("invalid character '" + first + "' looking for beginning of value");
            }
            final int start = i;
            int depth = 0;
            boolean inString = false;
            for (; i < body.length(); i++) {
                final char c = body.charAt(i);
                if (inString) {
                    if (c == '\\') {
                        i++; // the escaped character cannot end the string
                    } else if (c == '"') {
                        inString = false;
                    }
                } else if (c == '"') {
                    inString = true;
                } else if (c == '{' || c == '[') {
                    depth++;
                } else if ((c == '}' || c == ']') && --depth == 0) {
                    break;
                }
            }
            if (i >= body.length()) {
                throw new IllegalArgumentException("unexpected EOF");
            }
            values.add(body.substring(start, ++i));
        }
    }
}
