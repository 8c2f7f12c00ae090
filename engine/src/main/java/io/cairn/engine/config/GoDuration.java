package io.cairn.engine.config;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Duration;

/**
 * Parses durations written the way Go's {@code time.ParseDuration} accepts them ("300ms", "1h30m",
 * "2.5s"), because etcd's flags and unit files use that syntax and operators copy them over; and
 * writes them as Go's {@code Duration.String} does, because etcd's logs show durations that way
 * ("took":"1.502345678s").
 */
public final class GoDuration {
    private static final int TEXT_LENGTH_MAX = 64;
    private static final long NANOS_PER_SECOND = 1_000_000_000L;
    /** Any 18 digits parse as a long (19 may not). */
    private static final int WHOLE_DIGITS_IN_A_LONG = 18;

    private GoDuration() {
    }

    /** Returns the duration, or throws {@link IllegalArgumentException} naming the bad text. */
    public static Duration parse(final String text) {
        if (text == null || text.isEmpty() || text.length() > TEXT_LENGTH_MAX) {
            throw invalid(text);
        }
        int i = 0;
        boolean negative = false;
        if (text.charAt(0) == '-' || text.charAt(0) == '+') {
            negative = text.charAt(0) == '-';
            i++;
        }
        if (text.substring(i).equals("0")) {
            return Duration.ZERO;
        }
        if (i == text.length()) {
            throw invalid(text);
        }
        long totalNanos = 0;
        while (i < text.length()) {
            final int numberStart = i;
            while (i < text.length() && (Character.isDigit(text.charAt(i)) || text.charAt(i) == '.')) {
                i++;
            }
            final String number = text.substring(numberStart, i);
            final int unitStart = i;
            while (i < text.length() && !Character.isDigit(text.charAt(i)) && text.charAt(i) != '.') {
                i++;
            }
            final long unitNanos = unitNanos(text.substring(unitStart, i), text);
            if (number.isEmpty() || number.equals(".") || number.indexOf('.') != number.lastIndexOf('.')) {
                throw invalid(text);
            }
            try {
                totalNanos = Math.addExact(totalNanos, nanos(number, unitNanos));
            } catch (final ArithmeticException e) {
                throw new IllegalArgumentException("duration out of range: \"" + text + "\"", e);
            }
        }
        return Duration.ofNanos(negative ? -totalNanos : totalNanos);
    }

    /**
     * {@code number} (digits, perhaps with one '.') times {@code unitNanos}, a fraction below a
     * nanosecond truncated as Go does. A whole number of up to 18 digits is multiplied as a long:
     * BigDecimal's class initialisation alone took 15-20 ms of every member's start (issue #21).
     *
     * @throws ArithmeticException when the result does not fit a long
     */
    private static long nanos(final String number, final long unitNanos) {
        if (number.indexOf('.') < 0 && number.length() <= WHOLE_DIGITS_IN_A_LONG) {
            return Math.multiplyExact(Long.parseLong(number), unitNanos);
        }
        return new BigDecimal(number).multiply(BigDecimal.valueOf(unitNanos)).setScale(0, RoundingMode.DOWN)
            .longValueExact();
    }

    /** Go's {@code Duration.String}: "0s", "950µs", "1.5s", "2m3.25s", "1h0m0s". */
    public static String format(final Duration duration) {
        final long nanos = duration.toNanos();
        if (nanos == 0) {
            return "0s";
        }
        final StringBuilder text = new StringBuilder(nanos < 0 ? "-" : "");
        final long magnitude = Math.abs(nanos);
        if (magnitude < NANOS_PER_SECOND) {
            // Below a second Go picks the largest unit that keeps the number at or above 1.
            if (magnitude < 1_000) {
                return text.append(magnitude).append("ns").toString();
            }
            final boolean micros = magnitude < 1_000_000;
            appendDecimal(text, magnitude, micros ? 1_000 : 1_000_000);
            return text.append(micros ? "µs" : "ms").toString();
        }
        final long hours = magnitude / (3_600 * NANOS_PER_SECOND);
        final long minutes = magnitude / (60 * NANOS_PER_SECOND) % 60;
        if (hours > 0) {
            text.append(hours).append('h');
        }
        if (hours > 0 || minutes > 0) {
            text.append(minutes).append('m');
        }
        appendDecimal(text, magnitude % (60 * NANOS_PER_SECOND), NANOS_PER_SECOND);
        return text.append('s').toString();
    }

    /** value / scale with the fraction's trailing zeros dropped (scale a power of ten). */
    private static void appendDecimal(final StringBuilder text, final long value, final long scale) {
        text.append(value / scale);
        final long fraction = value % scale;
        if (fraction != 0) {
            final String digits = Long.toString(scale + fraction).substring(1); // zero-padded
            text.append('.').append(digits.replaceFirst("0+$", ""));
        }
    }

    private static long unitNanos(final String unit, final String text) {
        return switch (unit) {
            case "ns" -> 1L;
            case "us", "µs", "μs" -> 1_000L;
            case "ms" -> 1_000_000L;
            case "s" -> 1_000_000_000L;
            case "m" -> 60_000_000_000L;
            case "h" -> 3_600_000_000_000L;
            case "" -> throw new IllegalArgumentException("missing unit in duration \"" + text + "\"");
            default -> throw new IllegalArgumentException("unknown unit \"" + unit + "\" in duration \"" + text + "\"");
        };
    }

    private static IllegalArgumentException invalid(final String text) {
        return new IllegalArgumentException("invalid duration \"" + text + "\"");
    }
}
