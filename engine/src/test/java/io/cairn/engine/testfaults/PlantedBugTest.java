package io.cairn.engine.testfaults;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cairn.chaos.cluster.ServerCommand;
import java.util.EnumSet;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PlantedBugTest {
    @Test
    void noVariableNoBug() {
        assertTrue(PlantedBug.fromEnvironment(Map.of()).isEmpty());
        assertTrue(PlantedBug.fromEnvironment(Map.of(PlantedBug.ENVIRONMENT, " ")).isEmpty());
    }

    @Test
    void namesAreCommaSeparated() {
        assertEquals(EnumSet.of(PlantedBug.ACK_BEFORE_WAL_FDATASYNC, PlantedBug.WATCH_SKIPS_EVENT_UNDER_LOAD),
            PlantedBug.fromEnvironment(Map.of(PlantedBug.ENVIRONMENT,
                "ack-before-wal-fdatasync, watch-skips-event-under-load")));
    }

    /** The chaos harness (which does not depend on the engine) names the same variables. */
    @Test
    void theHarnessUsesTheseVariables() {
        assertEquals(PlantedBug.ENVIRONMENT, ServerCommand.PLANTED_BUG_ENVIRONMENT);
        assertEquals(StorageFaultControl.ENVIRONMENT, ServerCommand.FAULT_CONTROL_ENVIRONMENT);
    }

    @Test
    void anUnknownNameIsRefusedWithTheKnownOnes() {
        final IllegalArgumentException refused = assertThrows(IllegalArgumentException.class,
            () -> PlantedBug.fromEnvironment(Map.of(PlantedBug.ENVIRONMENT, "stale-reads")));
        assertEquals("CAIRN_TEST_PLANTED_BUG: no planted bug named 'stale-reads'; known: "
            + "follower-reads-skip-read-index, ack-before-wal-fdatasync, watch-skips-event-under-load",
            refused.getMessage());
    }
}
