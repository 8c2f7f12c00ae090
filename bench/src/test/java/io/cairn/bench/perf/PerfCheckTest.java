package io.cairn.bench.perf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class PerfCheckTest {
    @Test
    void profilesAreEtcdctls() {
        assertEquals(150, PerfProfile.named("s").writesPerSecond());
        assertEquals(50, PerfProfile.named("small").clients());
        assertEquals(1_000, PerfProfile.named("m").writesPerSecond());
        assertEquals(8_000, PerfProfile.named("large").writesPerSecond());
        assertEquals(1_000, PerfProfile.named("xLarge").clients());
        assertTrue(assertThrows(IllegalArgumentException.class, () -> PerfProfile.named("huge")).getMessage()
            .contains("unknown load option huge"));
    }
}
