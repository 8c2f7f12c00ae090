package io.cairn.raft;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class ConfChangeTest {
    @Test
    void encodedChangesAndContextComeBackAsTheyWere() {
        final byte[] context = "member m4 at http://10.0.0.4:2380".getBytes(StandardCharsets.UTF_8);
        final ConfChange change = new ConfChange(ConfChange.Transition.JOINT_EXPLICIT,
            List.of(ConfChangeSingle.addLearner(4), ConfChangeSingle.remove(3), ConfChangeSingle.addVoter(5)), context);
        final ConfChange decoded = ConfChange.decode(change.encode());
        assertEquals(change, decoded);
        assertArrayEquals(context, decoded.context());
        assertEquals(ConfChange.leaveJoint(), ConfChange.decode(ConfChange.leaveJoint().encode()));
    }

    @Test
    void theLayoutUsesExplicitCodes() {
        // transition JOINT_IMPLICIT = 1, one change, REMOVE = 2 of node 7, no context
        final byte[] bytes = new ConfChange(ConfChange.Transition.JOINT_IMPLICIT, List.of(ConfChangeSingle.remove(7)))
            .encode();
        assertArrayEquals(new byte[] {1, 0, 0, 0, 1, 2, 0, 0, 0, 0, 0, 0, 0, 7, 0, 0, 0, 0}, bytes);
    }

    @Test
    void bytesItDidNotWriteAreRefused() {
        final byte[] good = ConfChange.single(ConfChangeSingle.addVoter(9), new byte[] {1, 2, 3}).encode();
        assertThrows(IllegalArgumentException.class, () -> ConfChange.decode(new byte[] {0, 0}));
        assertThrows(IllegalArgumentException.class, () -> ConfChange.decode(java.util.Arrays.copyOf(good, good.length - 1)));
        final byte[] badType = good.clone();
        badType[5] = 9;
        assertThrows(IllegalArgumentException.class, () -> ConfChange.decode(badType));
        final byte[] badTransition = good.clone();
        badTransition[0] = 7;
        assertThrows(IllegalArgumentException.class, () -> ConfChange.decode(badTransition));
    }
}
