package io.cairn.engine.config;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Duration;

/**
 * Parses durations written the way Go's {@code time.ParseDuration} accepts them ("300ms", "1h30m",
 * "2.5s"), because etcd's flags and unit files use that syntax and operators copy them over.
 */
public final class GoDuration {
    private static final int TEXT_LENGTH_MAX = 64;

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
                // Go truncates fractions below a nanosecond; so do we.
                totalNanos = Math.addExact(totalNanos,
                    new BigDecimal(number).multiply(BigDecimal.valueOf(unitNanos))
                        .setScale(0, RoundingMode.DOWN).longValueExact());
            } catch (final ArithmeticException e) {
                throw new IllegalArgumentException("duration out of range: \"" + text + "\"", e);
            }
        }
        return Duration.ofNanos(negative ? -totalNanos : totalNanos);
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
