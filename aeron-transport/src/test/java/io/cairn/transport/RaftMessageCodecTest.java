package io.cairn.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cairn.raft.Message;
import io.cairn.raft.MessageType;
import java.util.Random;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

class RaftMessageCodecTest {
    private final RaftMessageEncoder encoder = new RaftMessageEncoder(TestNodes.CLUSTER_ID);
    private final RaftMessageDecoder decoder = new RaftMessageDecoder();

    @Test
    void everyTypeButSnapshotRoundTripsAtItsExactLength() {
        int checked = 0;
        for (final Message m : SampleMessages.all(1, 2)) {
            if (m.type() == MessageType.SNAPSHOT) {
                continue;
            }
            final int length = RaftMessageEncoder.encodedLength(m);
            final UnsafeBuffer buffer = new UnsafeBuffer(new byte[length + 16]);
            encoder.encode(m, buffer, 3);
            final Message decoded = decoder.decode(buffer, 3, length);
            assertEquals(m, decoded, m.type().toString());
            checked++;
        }
        assertEquals(MessageType.values().length - 1, checked);
    }

    @Test
    void contextZeroTravelsAsNoBytes() {
        final Message m = new Message(MessageType.HEARTBEAT, 1, 2, 3, 3, 4, java.util.List.of(), 2, false, 0, null, 0);
        final Message withContext = new Message(MessageType.HEARTBEAT, 1, 2, 3, 3, 4, java.util.List.of(), 2, false,
            0, null, 99);
        assertEquals(RaftMessageEncoder.encodedLength(m) + Long.BYTES, RaftMessageEncoder.encodedLength(withContext));
    }

    /** Truncated and bit-flipped frames must decode to null or to some message, never throw or over-allocate. */
    @Test
    void damagedFramesNeverThrow() {
        final Random random = new Random(42);
        int rejected = 0;
        for (final Message m : SampleMessages.all(1, 2)) {
            if (m.type() == MessageType.SNAPSHOT) {
                continue;
            }
            final int length = RaftMessageEncoder.encodedLength(m);
            for (int trial = 0; trial < 500; trial++) {
                final UnsafeBuffer buffer = new UnsafeBuffer(new byte[length]);
                encoder.encode(m, buffer, 0);
                final int damagedLength = trial % 2 == 0 ? random.nextInt(length) : length;
                for (int flips = 1 + random.nextInt(4); flips > 0; flips--) {
                    final int at = random.nextInt(length);
                    buffer.putByte(at, (byte) random.nextInt(256));
                }
                if (decoder.decode(buffer, 0, damagedLength) == null) {
                    rejected++;
                }
            }
        }
        assertTrue(rejected > 0, "some damaged frames must be recognised as malformed");
    }

    @Test
    void hugeLengthFieldIsRejectedWithoutAllocating() {
        final Message m = SampleMessages.all(1, 2).get(MessageType.APPEND.ordinal());
        final int length = RaftMessageEncoder.encodedLength(m);
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[length]);
        encoder.encode(m, buffer, 0);
        final int firstDataLengthOffset = RaftMessageEncoder.HEADER_BYTES
            + io.cairn.sbe.raft.AppendEntriesEncoder.BLOCK_LENGTH + 4
            + io.cairn.sbe.raft.AppendEntriesEncoder.EntriesEncoder.sbeBlockLength();
        buffer.putInt(firstDataLengthOffset, Integer.MAX_VALUE - 1, java.nio.ByteOrder.LITTLE_ENDIAN);
        assertNull(decoder.decode(buffer, 0, length));
        buffer.putInt(firstDataLengthOffset, 64, java.nio.ByteOrder.LITTLE_ENDIAN);
        assertNotNull(decoder.decode(buffer, 0, length), "restoring the length makes the frame valid again");
    }
}
