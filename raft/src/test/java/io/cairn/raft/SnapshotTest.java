package io.cairn.raft;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;

/** Snapshots: a follower behind the compacted log gets the snapshot, installs it, and continues from there. */
class SnapshotTest {
    @Test
    void followerBehindTheCompactedLogReceivesTheSnapshot() {
        final TestNet net = TestNet.of(3);
        net.elect(1);
        net.isolate(3);
        for (int i = 0; i < 20; i++) {
            net.node(1).propose(("e" + i).getBytes(StandardCharsets.UTF_8));
        }
        net.stabilize();
        final long applied = net.node(1).appliedIndex();
        final MemoryLogStorage leaderLog = net.storages.get(1L);
        leaderLog.createSnapshot(applied, net.node(1).confState(), "state".getBytes(StandardCharsets.UTF_8));
        leaderLog.compact(applied);
        net.heal();
        net.node(1).tick();
        boolean snapshotSent = false;
        for (int round = 0; round < 20; round++) {
            net.processReadies();
            snapshotSent |= net.pendingOf(MessageType.SNAPSHOT).stream().anyMatch(m -> m.to() == 3);
            net.deliverAll();
        }
        assertTrue(snapshotSent, "the entries it needs are only in the snapshot now");
        net.stabilize();
        final MemoryLogStorage followerLog = net.storages.get(3L);
        assertEquals(applied, followerLog.snapshot().index());
        assertEquals("state", new String(followerLog.snapshot().data(), StandardCharsets.UTF_8));
        assertEquals(applied, net.node(3).appliedIndex());
        net.node(1).propose("after".getBytes(StandardCharsets.UTF_8));
        net.stabilize();
        assertEquals(net.node(1).commitIndex(), net.node(3).commitIndex(), "replication continues after it");
        assertEquals("after", new String(net.appliedData(3).getLast(), StandardCharsets.UTF_8));
    }

    @Test
    void staleSnapshotIsIgnored() {
        final TestNet net = TestNet.of(3);
        net.elect(1);
        net.node(1).propose(new byte[] {1});
        net.stabilize();
        final RaftNode follower = net.node(2);
        final long commit = follower.commitIndex();
        follower.step(new Message(MessageType.SNAPSHOT, 1, 2, follower.term(), 0, 0, java.util.List.of(), 0, false,
            0, new Snapshot(1, 1, ConfState.ofVoters(1L, 2L, 3L), new byte[0]), 0));
        net.processReadies();
        assertEquals(commit, follower.commitIndex());
        assertEquals(commit, net.pendingOf(MessageType.APPEND_RESPONSE).getLast().index(),
            "answers with what it already has");
    }
}
