package io.cairn.raft.sim;

import java.util.ArrayList;
import java.util.SplittableRandom;

import io.cairn.raft.Message;

/**
 * A seeded network: each message may be dropped, duplicated or delayed (so reordered), and directed links can be
 * cut (an asymmetric partition cuts one direction only). Time is the simulation step.
 */
final class SimNetwork {
    record InFlight(long deliverAtStep, Message message) {
    }

    /** Messages beyond this are dropped on send, like a full socket buffer. */
    static final int MAX_IN_FLIGHT = 4096;

    /** Told when a SNAPSHOT message is lost, as a real transport reports a failed snapshot stream. */
    interface SnapshotLossListener {
        void snapshotLost(Message snapshot);
    }

    private final SplittableRandom random;
    SnapshotLossListener snapshotLossListener = m -> { };
    private final int maxNodeId;
    private final ArrayList<InFlight> inFlight = new ArrayList<>();
    private final boolean[][] cut;
    int dropPercent;
    int duplicatePercent;
    int maxDelaySteps;
    long sent;
    long dropped;

    SimNetwork(final SplittableRandom random, final int maxNodeId) {
        this.random = random;
        this.maxNodeId = maxNodeId;
        this.cut = new boolean[maxNodeId + 1][maxNodeId + 1];
    }

    void send(final Message m, final long nowStep) {
        sent++;
        if (inFlight.size() >= MAX_IN_FLIGHT || random.nextInt(100) < dropPercent) {
            lose(m);
            return;
        }
        inFlight.add(new InFlight(nowStep + delay(), m));
        if (random.nextInt(100) < duplicatePercent) {
            inFlight.add(new InFlight(nowStep + delay(), m));
        }
    }

    private long delay() {
        if (maxDelaySteps == 0) {
            return 0;
        }
        // Mostly short, sometimes very long: a message that arrives terms later.
        return random.nextInt(100) < 2 ? random.nextInt(maxDelaySteps * 10) : random.nextInt(maxDelaySteps + 1);
    }

    /** A random deliverable message (removed), or null; messages over a cut link are lost on the way. */
    Message next(final long nowStep) {
        int candidates = 0;
        int chosen = -1;
        for (int i = 0; i < inFlight.size(); i++) {
            if (inFlight.get(i).deliverAtStep() <= nowStep) {
                candidates++;
                if (random.nextInt(candidates) == 0) {
                    chosen = i;
                }
            }
        }
        if (chosen < 0) {
            return null;
        }
        final Message m = inFlight.get(chosen).message();
        inFlight.set(chosen, inFlight.getLast());
        inFlight.removeLast();
        if (cut[(int) m.from()][(int) m.to()]) {
            lose(m);
            return null;
        }
        return m;
    }

    private void lose(final Message m) {
        dropped++;
        if (m.type() == io.cairn.raft.MessageType.SNAPSHOT) {
            snapshotLossListener.snapshotLost(m);
        }
    }

    /** The oldest-first delivery used when the network is healthy: everything due, in send order. */
    ArrayList<Message> drainDue(final long nowStep) {
        final ArrayList<Message> due = new ArrayList<>();
        final ArrayList<InFlight> keep = new ArrayList<>();
        for (final InFlight f : inFlight) {
            if (f.deliverAtStep() <= nowStep) {
                if (!cut[(int) f.message().from()][(int) f.message().to()]) {
                    due.add(f.message());
                } else {
                    lose(f.message());
                }
            } else {
                keep.add(f);
            }
        }
        inFlight.clear();
        inFlight.addAll(keep);
        return due;
    }

    int inFlightCount() {
        return inFlight.size();
    }

    void cut(final long from, final long to) {
        cut[(int) from][(int) to] = true;
    }

    void heal() {
        for (final boolean[] row : cut) {
            java.util.Arrays.fill(row, false);
        }
    }

    /** Cut every link between the two sides, or only those from side a to side b when oneWay. */
    void partition(final long[] sideA, final long[] sideB, final boolean oneWay) {
        for (final long a : sideA) {
            for (final long b : sideB) {
                cut(a, b);
                if (!oneWay) {
                    cut(b, a);
                }
            }
        }
    }

    int maxNodeId() {
        return maxNodeId;
    }
}
