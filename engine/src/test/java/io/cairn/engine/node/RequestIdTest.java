package io.cairn.engine.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cairn.engine.command.Command;
import io.cairn.engine.command.CommandCodec;
import io.cairn.engine.mvcc.TxnOp;
import io.cairn.wal.Wal;
import io.cairn.wal.WalOptions;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The request ids a member writes into its log follow etcd's idutil: the member id's low 16 bits
 * on top, then the start time in milliseconds, then a counter. Two members, or one member after a
 * restart, never reuse an id, so a forwarded or replayed proposal cannot complete the wrong call.
 */
class RequestIdTest {
    private static final long MEMBER_A = 0x8e9e05c52164694dL; // etcd's id for the default single member
    private static final long MEMBER_B = 0x1c6ba9ad2c6c1f53L;

    @TempDir
    Path dir;

    @Test
    void idsCarryTheMemberAndNeverRepeatAcrossMembersAndRestarts() throws Exception {
        final long before = System.currentTimeMillis();
        final List<Long> firstRun = writeAndReadIds(MEMBER_A, dir.resolve("a"), 3);
        final List<Long> secondRun = writeAndReadIds(MEMBER_A, dir.resolve("a"), 3); // a restart
        final List<Long> otherMember = writeAndReadIds(MEMBER_B, dir.resolve("b"), 3);
        final Set<Long> all = new HashSet<>();
        for (final List<Long> ids : List.of(firstRun, otherMember)) {
            all.addAll(ids);
        }
        assertEquals(6, all.size(), "ids repeat across members: " + firstRun + " " + otherMember);
        for (final long id : firstRun) {
            assertEquals(MEMBER_A & 0xFFFF, id >>> 48, "member bits of " + Long.toHexString(id));
            final long startMillis = (id >>> 8) & 0xFF_FFFF_FFFFL;
            assertTrue(startMillis >= (before & 0xFF_FFFF_FFFFL) - 1_000, "time bits of " + Long.toHexString(id));
        }
        for (final long id : otherMember) {
            assertEquals(MEMBER_B & 0xFFFF, id >>> 48, "member bits of " + Long.toHexString(id));
        }
        // The restarted member's log holds the first run's ids and then ids above them all.
        assertEquals(firstRun, secondRun.subList(0, 3));
        for (final long id : secondRun.subList(3, 6)) {
            assertTrue(Long.compareUnsigned(id, firstRun.getLast()) > 0,
                "after a restart " + Long.toHexString(id) + " is not above " + Long.toHexString(firstRun.getLast()));
        }
    }

    /** Opens the member in {@code data}, writes {@code puts} keys, closes it; every request id in its WAL. */
    private static List<Long> writeAndReadIds(final long memberId, final Path data, final int puts) throws Exception {
        try (RaftKeyValueStore store = RaftKeyValueStore.open(data, data.resolve("wal"),
            MemberOptions.defaults(memberId))) {
            for (int i = 0; i < puts; i++) {
                store.put(new TxnOp.Put(("k" + i).getBytes(StandardCharsets.UTF_8), new byte[] {1}, 0, false,
                    false, false)).get(30, TimeUnit.SECONDS);
            }
        }
        final List<Long> ids = new ArrayList<>();
        try (Wal wal = Wal.open(data.resolve("wal"), WalOptions.defaults())) {
            for (final io.cairn.wal.Entry entry : wal.recovered().entries()) {
                final byte[] payload = entry.payload();
                if (payload.length > 1) { // type byte, then the command; a leader's empty entry has none
                    final byte[] command = java.util.Arrays.copyOfRange(payload, 1, payload.length);
                    // Only the puts: a new member's log also holds its membership and its publish.
                    if (CommandCodec.decode(command) instanceof Command.Write write) {
                        ids.add(write.requestId());
                    }
                }
            }
        }
        return ids;
    }
}
