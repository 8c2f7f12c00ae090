package io.cairn.engine.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cairn.engine.config.ServerConfig;
import org.junit.jupiter.api.Test;

/** A member's WAL segments are 16 MiB unless the largest request's entry needs more. */
class WalSegmentSizeTest {
    @Test
    void theDefaultSegmentHoldsTheDefaultRequest() {
        assertEquals(MemberOptions.DEFAULT_WAL_SEGMENT_BYTES, MemberStorage.walSegmentBytes(
            MemberOptions.DEFAULT_MAX_REQUEST_BYTES, MemberOptions.DEFAULT_WAL_SEGMENT_BYTES));
    }

    @Test
    void theLargestRequestGrowsTheSegmentToHoldItsEntry() {
        final long maxRequestBytes = ServerConfig.MAX_REQUEST_BYTES_MAX;
        final long segmentBytes = MemberStorage.walSegmentBytes(maxRequestBytes, MemberOptions.DEFAULT_WAL_SEGMENT_BYTES);
        assertTrue(segmentBytes > MemberOptions.DEFAULT_WAL_SEGMENT_BYTES, "segment bytes: " + segmentBytes);
        // Throws when the segment cannot hold the request's entry.
        assertTrue(MemberStorage.walWriteBytesMax(maxRequestBytes, segmentBytes) >= 2 * maxRequestBytes);
    }

    @Test
    void aSmallConfiguredSegmentStaysSmallForSmallRequests() {
        assertEquals(128 << 10, MemberStorage.walSegmentBytes(16_384, 128 << 10));
    }
}
