package io.cairn.engine.log;

import java.util.Objects;

/**
 * One named value of a log event, passed as a parameter of {@link System.Logger#log(System.Logger.Level,
 * String, Object...)}: {@code LOG.log(WARNING, "slow fdatasync", LogField.of("took", took))}. With
 * --logger=zap it becomes a JSON field; with capnslog it is appended to the line as "[took: 1.2s]".
 * Values: strings, numbers, booleans, {@link java.time.Duration} (written as Go writes durations) and
 * collections of these; anything else is written as its {@code toString()}.
 *
 * <p>The message of such a call is a constant ("slow fdatasync"), so that operators can grep it;
 * the values go in fields. Any other logging (plain text, or MessageFormat's {0} parameters) works
 * as before.
 */
public record LogField(String key, Object value) {
    public LogField {
        Objects.requireNonNull(key, "key");
    }

    public static LogField of(final String key, final Object value) {
        return new LogField(key, value);
    }

    /** A member id as etcd writes it in logs: lower-case hex without padding. */
    public static LogField memberId(final String key, final long id) {
        return new LogField(key, Long.toHexString(id));
    }
}
