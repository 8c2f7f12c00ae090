package io.cairn.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cairn.raft.Message;
import io.cairn.raft.MessageType;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class FaultInjectionTest {
    private static final int MESSAGES = 400;

    private static TestNodes startWithFaults(final List<FaultPlan> plans) {
        final List<TransportConfig> configs = new ArrayList<>();
        for (int i = 0; i < plans.size(); i++) {
            configs.add(TestNodes.config(TestNodes.CLUSTER_ID, i + 1, TestNodes.freeUdpPort()));
        }
        final TestNodes nodes = new TestNodes().start(configs, plans, null);
        nodes.awaitConnected();
        return nodes;
    }

    private static Message heartbeat(final long from, final long to, final long context) {
        return new Message(MessageType.HEARTBEAT, from, to, 1, 1, 1, List.of(), 1, false, 0, null, context);
    }

    /** Sends MESSAGES heartbeats from one member to another, then a marker that always gets through. */
    private static void sendNumbered(final TestNodes nodes, final long from, final long to) {
        for (int i = 1; i <= MESSAGES; i++) {
            assertTrue(nodes.node(from).send(heartbeat(from, to, i)));
            nodes.pollAll();
        }
    }

    @Test
    void dropLosesAboutTheConfiguredShareAndCountsEachLoss() {
        final FaultPlan plan = new FaultPlan(1).drop(0.25);
        try (TestNodes nodes = startWithFaults(List.of(new FaultPlan(0), plan))) {
            sendNumbered(nodes, 1, 2);
            nodes.pollUntil("every heartbeat delivered or dropped",
                () -> nodes.inbox(2).messages.size() + plan.droppedFrames() == MESSAGES);
            final int received = nodes.inbox(2).messages.size();
            assertTrue(received < MESSAGES && received > MESSAGES / 2, "received " + received);
            long previous = 0;
            for (final Message m : nodes.inbox(2).messages) {
                assertTrue(m.context() > previous, "order kept, no duplicates");
                previous = m.context();
            }
        }
    }

    @Test
    void duplicateDeliversSomeMessagesTwice() {
        final FaultPlan plan = new FaultPlan(2).duplicate(0.2);
        try (TestNodes nodes = startWithFaults(List.of(new FaultPlan(0), plan))) {
            sendNumbered(nodes, 1, 2);
            nodes.pollUntil("every heartbeat and its duplicates delivered",
                () -> nodes.inbox(2).messages.size() == MESSAGES + plan.duplicatedFrames());
            assertTrue(plan.duplicatedFrames() > 0);
            assertEquals(MESSAGES, nodes.inbox(2).messages.stream().mapToLong(Message::context).distinct().count());
        }
    }

    @Test
    void delayHoldsFramesAndThenDeliversAllInOrder() {
        final FaultPlan plan = new FaultPlan(3).delay(200_000_000L);
        try (TestNodes nodes = startWithFaults(List.of(new FaultPlan(0), plan))) {
            assertTrue(nodes.node(1).send(heartbeat(1, 2, 1)));
            nodes.pollUntil("frame held", () -> plan.delayedFrames() == 1);
            assertTrue(nodes.inbox(2).messages.isEmpty(), "a delayed frame is not delivered on arrival");
            sendNumbered(nodes, 1, 2);
            nodes.pollUntil("all delivered", () -> nodes.inbox(2).messages.size() == MESSAGES + 1);
            assertEquals(1, nodes.inbox(2).messages.get(0).context());
            for (int i = 1; i <= MESSAGES; i++) {
                assertEquals(i, nodes.inbox(2).messages.get(i).context());
            }
        }
    }

    @Test
    void partitionCutsBothDirectionsAndHealRestoresThem() {
        final List<FaultPlan> plans = List.of(new FaultPlan(0), new FaultPlan(0), new FaultPlan(0));
        try (TestNodes nodes = startWithFaults(plans)) {
            plans.get(0).blockFrom(2);
            plans.get(1).blockFrom(1);
            assertTrue(nodes.node(1).send(heartbeat(1, 2, 1)));
            assertTrue(nodes.node(2).send(heartbeat(2, 1, 2)));
            assertTrue(nodes.node(1).send(heartbeat(1, 3, 3)));
            assertTrue(nodes.node(2).send(heartbeat(2, 3, 4)));
            nodes.pollUntil("node 3 hears both sides", () -> nodes.inbox(3).messages.size() == 2);
            nodes.pollUntil("both partitioned frames dropped",
                () -> plans.get(0).droppedFrames() == 1 && plans.get(1).droppedFrames() == 1);
            assertTrue(nodes.inbox(1).messages.isEmpty() && nodes.inbox(2).messages.isEmpty());
            plans.get(0).heal();
            plans.get(1).heal();
            assertTrue(nodes.node(1).send(heartbeat(1, 2, 5)));
            assertTrue(nodes.node(2).send(heartbeat(2, 1, 6)));
            nodes.pollUntil("healed", () -> nodes.inbox(1).messages.size() == 1 && nodes.inbox(2).messages.size() == 1);
        }
    }

    @Test
    void oneWayPartitionCutsOnlyOneDirection() {
        final List<FaultPlan> plans = List.of(new FaultPlan(0), new FaultPlan(0));
        try (TestNodes nodes = startWithFaults(plans)) {
            plans.get(1).blockFrom(1); // 1 -> 2 cut, 2 -> 1 open
            assertTrue(nodes.node(1).send(heartbeat(1, 2, 1)));
            assertTrue(nodes.node(2).send(heartbeat(2, 1, 2)));
            nodes.pollUntil("2 -> 1 delivered", () -> nodes.inbox(1).messages.size() == 1);
            nodes.pollUntil("1 -> 2 dropped", () -> plans.get(1).droppedFrames() == 1);
            assertTrue(nodes.inbox(2).messages.isEmpty());
        }
    }
}
