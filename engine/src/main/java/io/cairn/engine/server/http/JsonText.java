package io.cairn.engine.server.http;

/** A Java string as a JSON string literal, quotes included (for the few bodies written by hand). */
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
}
