package io.cairn.chaos.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Which directions each fault cuts, without namespaces (no root needed). */
class LinkFaultsTest {
    @Test
    void aPartitionCutsEveryDirectionBetweenGroupsAndUnlistedMembersStandAlone() {
        final LinkFaults faults = new LinkFaults(5);
        faults.partition(List.of(Set.of(1, 2), Set.of(3)));
        assertEquals(Set.of(3, 4, 5), faults.droppedAt(1));
        assertEquals(Set.of(3, 4, 5), faults.droppedAt(2));
        assertEquals(Set.of(1, 2, 4, 5), faults.droppedAt(3));
        assertEquals(Set.of(1, 2, 3, 5), faults.droppedAt(4));
        assertEquals("partition {1,2} | {3} | {4} | {5}", faults.describe());
    }

    @Test
    void isolateCutsOneMemberBothWaysAndLeavesTheRestTogether() {
        final LinkFaults faults = new LinkFaults(3);
        faults.isolate(2);
        assertEquals(Set.of(2), faults.droppedAt(1));
        assertEquals(Set.of(1, 3), faults.droppedAt(2));
        assertEquals(Set.of(2), faults.droppedAt(3));
    }

    @Test
    void oneWayCutsOnlyTheNamedDirectionAndFaultsAddUpUntilHeal() {
        final LinkFaults faults = new LinkFaults(3);
        faults.oneWay(1, 2);
        assertEquals(Set.of(), faults.droppedAt(1));
        assertEquals(Set.of(1), faults.droppedAt(2));
        faults.oneWay(3, 2);
        assertEquals(Set.of(1, 3), faults.droppedAt(2));
        assertEquals("one-way 1->2; one-way 3->2", faults.describe());

        faults.heal();
        assertEquals(Set.of(), faults.droppedAt(2));
        assertEquals("none", faults.describe());
    }

    @Test
    void nonsenseIsRefused() {
        final LinkFaults faults = new LinkFaults(3);
        assertThrows(IllegalArgumentException.class, () -> faults.partition(List.of(Set.of(1), Set.of(1, 2))));
        assertThrows(IllegalArgumentException.class, () -> faults.partition(List.of(Set.of(4))));
        assertThrows(IllegalArgumentException.class, () -> faults.partition(List.of(Set.of())));
        assertThrows(IllegalArgumentException.class, () -> faults.oneWay(2, 2));
        assertThrows(IllegalArgumentException.class, () -> faults.isolate(0));
    }
}
