package io.cairn.chaos.net;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;

/**
 * What netem does to a member's outgoing packets: drop {@code lossPercent} of them, hold each for
 * {@code delayMillis} give or take {@code jitterMillis}, and send {@code reorderPercent} of them at
 * once, ahead of delayed ones. Zero means "not this effect".
 */
public record NetemSpec(double lossPercent, long delayMillis, long jitterMillis, double reorderPercent) {
    public NetemSpec {
        percent("lossPercent", lossPercent);
        percent("reorderPercent", reorderPercent);
        if (delayMillis < 0 || jitterMillis < 0) {
            throw new IllegalArgumentException("negative delay or jitter: " + delayMillis + ", " + jitterMillis);
        }
        // Jitter varies a delay, and reordering lets packets skip the delay queue: both need a delay.
        if (delayMillis == 0 && (jitterMillis > 0 || reorderPercent > 0)) {
            throw new IllegalArgumentException("jitter and reorder need a delay: " + this);
        }
    }

    /** Loses {@code lossPercent} of the member's packets, nothing else. */
    public static NetemSpec loss(final double lossPercent) {
        return new NetemSpec(lossPercent, 0, 0, 0);
    }

    /** Delays every packet by {@code delayMillis}, nothing else. */
    public static NetemSpec delay(final long delayMillis) {
        return new NetemSpec(0, delayMillis, 0, 0);
    }

    /** The netem options as {@code tc qdisc ... netem} takes them, e.g. {@code delay 200ms 20ms loss 5%}. */
    public List<String> tcArguments() {
        final List<String> arguments = new ArrayList<>();
        if (delayMillis > 0) {
            arguments.add("delay");
            arguments.add(delayMillis + "ms");
            if (jitterMillis > 0) {
                arguments.add(jitterMillis + "ms");
            }
        }
        if (lossPercent > 0) {
            arguments.add("loss");
            arguments.add(plain(lossPercent) + "%");
        }
        if (reorderPercent > 0) {
            arguments.add("reorder");
            arguments.add(plain(reorderPercent) + "%");
        }
        return List.copyOf(arguments);
    }

    /** The same options as one line, for the harness's log. */
    public String describe() {
        final List<String> arguments = tcArguments();
        return arguments.isEmpty() ? "netem without effects" : String.join(" ", arguments);
    }

    private static void percent(final String name, final double value) {
        if (!(value >= 0 && value <= 100)) {
            throw new IllegalArgumentException(name + " outside 0..100: " + value);
        }
    }

    /** "12.5", "100": tc reads plain decimals, not "1.0E2". */
    private static String plain(final double value) {
        return BigDecimal.valueOf(value).stripTrailingZeros().toPlainString();
    }
}
