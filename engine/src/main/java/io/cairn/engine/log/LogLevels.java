package io.cairn.engine.log;

import java.util.logging.Level;

/**
 * etcd's level names against java.util.logging's levels (which System.Logger's levels map to:
 * DEBUG is FINE, INFO is INFO, WARNING is WARNING, ERROR is SEVERE). Cairn has nothing above
 * error: a stopped Raft loop or apply thread is logged as an error, so --log-level=panic or fatal
 * keep only errors.
 */
final class LogLevels {
    private LogLevels() {
    }

    /** The least severe level logged at etcd's --log-level. */
    static Level threshold(final String etcdLevel) {
        return switch (etcdLevel) {
            case "debug" -> Level.FINE;
            case "info" -> Level.INFO;
            case "warn" -> Level.WARNING;
            case "error", "dpanic", "panic", "fatal" -> Level.SEVERE;
            default -> throw new IllegalArgumentException("unknown level \"" + etcdLevel + "\"");
        };
    }

    /** zap's lower-case name of a record's level. */
    static String zapName(final Level level) {
        if (level.intValue() >= Level.SEVERE.intValue()) {
            return "error";
        }
        if (level.intValue() >= Level.WARNING.intValue()) {
            return "warn";
        }
        return level.intValue() >= Level.INFO.intValue() ? "info" : "debug";
    }

    /** capnslog's letter of a record's level: E, W, I or D. */
    static char capnslogLetter(final Level level) {
        return Character.toUpperCase(zapName(level).charAt(0));
    }
}
