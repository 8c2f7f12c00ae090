package io.cairn.engine.testfaults;

import java.util.Arrays;
import java.util.EnumSet;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * TESTS ONLY. Bugs planted on purpose, so the chaos harness can show that it catches each kind of
 * mistake it exists to catch. A member has them only when its environment names them in
 * {@value #ENVIRONMENT}, comma-separated; nothing else turns them on.
 */
public enum PlantedBug {
    /** A follower serves linearizable reads (and TimeToLive) from its own tree, without ReadIndex: stale. */
    FOLLOWER_READS_SKIP_READ_INDEX("follower-reads-skip-read-index"),
    /** The WAL acknowledges appends without their fdatasync: a power cut loses acknowledged entries. */
    ACK_BEFORE_WAL_FDATASYNC("ack-before-wal-fdatasync"),
    /** When the watch thread fans out several revisions at once (load), the last one's events are skipped. */
    WATCH_SKIPS_EVENT_UNDER_LOAD("watch-skips-event-under-load");

    public static final String ENVIRONMENT = "CAIRN_TEST_PLANTED_BUG";

    private final String flagName;

    PlantedBug(final String flagName) {
        this.flagName = flagName;
    }

    /** The name {@value #ENVIRONMENT} gives it. */
    public String flagName() {
        return flagName;
    }

    /** The bugs {@code environment} plants; none when the variable is unset or empty. */
    public static Set<PlantedBug> fromEnvironment(final Map<String, String> environment) {
        final String names = environment.getOrDefault(ENVIRONMENT, "").strip();
        final Set<PlantedBug> bugs = EnumSet.noneOf(PlantedBug.class);
        if (names.isEmpty()) {
            return bugs;
        }
        for (final String name : names.split(",")) {
            bugs.add(Arrays.stream(values()).filter(bug -> bug.flagName.equals(name.strip())).findFirst()
                .orElseThrow(() -> new IllegalArgumentException(ENVIRONMENT + ": no planted bug named '"
                    + name.strip() + "'; known: " + Arrays.stream(values()).map(PlantedBug::flagName)
                    .collect(Collectors.joining(", ")))));
        }
        return bugs;
    }
}
