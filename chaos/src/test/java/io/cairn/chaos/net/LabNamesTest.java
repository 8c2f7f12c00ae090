package io.cairn.chaos.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** Names and addresses a lab derives from its prefix and subnet (no root needed). */
class LabNamesTest {
    /** Linux refuses interface names longer than IFNAMSIZ - 1. */
    private static final int MAX_INTERFACE_NAME_CHARS = 15;

    @Test
    void theLongestPrefixStillGivesInterfaceNamesLinuxAccepts() {
        final LabNames names = new LabNames("abcdefghij");
        assertTrue(names.rootVeth(LabNames.MAX_MEMBERS).length() <= MAX_INTERFACE_NAME_CHARS);
        assertTrue(names.bridge().length() <= MAX_INTERFACE_NAME_CHARS);
        assertThrows(IllegalArgumentException.class, () -> new LabNames("abcdefghijk"));
        assertThrows(IllegalArgumentException.class, () -> new LabNames("Bad-prefix"));
    }

    @Test
    void leftoversAreRecognisedByPrefixAndShapeOnly() {
        final LabNames names = new LabNames("cn");
        assertEquals("cn-m3", names.namespace(3));
        assertTrue(names.isNamespace("cn-m17"));
        assertFalse(names.isNamespace("cnx-m1"));
        assertFalse(names.isNamespace("cn-m1x"));
        assertTrue(names.isRootVeth("cn-v2"));
        assertFalse(names.isRootVeth("cn-br"));
    }

    @Test
    void subnetAddressesBridgeAndMembers() {
        final LabSubnet subnet = LabSubnet.parse("10.99.7.0/24");
        assertEquals("10.99.7.1", subnet.bridgeAddress());
        assertEquals("10.99.7.11", subnet.memberAddress(1));
        assertEquals("10.99.7.0/24", subnet.cidr());
        assertEquals("10.231.0.15", LabSubnet.DEFAULT.memberAddress(5));
        assertThrows(IllegalArgumentException.class, () -> LabSubnet.parse("10.99.7.0/16"));
    }
}
