package io.cairn.raft.sim;

import java.util.Arrays;
import java.util.HashMap;

import io.cairn.raft.Entry;
import io.cairn.raft.RaftNode;
import io.cairn.raft.RaftRole;

/**
 * Raft's safety properties (Figure 3.2 of the thesis), checked against everything the nodes do:
 * Election Safety (one leader per term), Leader Append-Only, Log Matching (checked on every entry made durable),
 * Leader Completeness (checked when a leader first shows itself) and State Machine Safety (every commit index and
 * every applied entry agrees with all others at that index).
 */
final class SafetyChecker {
    private record IndexTerm(long index, long term) {
    }

    private record Fingerprint(long previousTerm, int dataHash) {
    }

    private final HashMap<Long, Long> leaderByTerm = new HashMap<>();
    private final HashMap<IndexTerm, Fingerprint> durableEntries = new HashMap<>();
    /** committedTerm[i]: term of the entry committed at index i, 0 while unknown. */
    private long[] committedTerm = new long[1024];
    /** fingerprintAfter[i]: state machine fingerprint after applying index i, recorded by the first applier. */
    private long[] fingerprintAfter = new long[1024];
    private boolean[] fingerprintKnown = new boolean[1024];
    private long maxCommitted;

    private final long[] checkedCommit;
    private final long[] leaderTrackedTerm;
    private final long[] leaderTrackedLastIndex;
    private final long[] leaderTrackedLastTerm;

    SafetyChecker(final int maxNodeId) {
        checkedCommit = new long[maxNodeId + 1];
        leaderTrackedTerm = new long[maxNodeId + 1];
        leaderTrackedLastIndex = new long[maxNodeId + 1];
        leaderTrackedLastTerm = new long[maxNodeId + 1];
    }

    long maxCommitted() {
        return maxCommitted;
    }

    /** Log Matching: an (index, term) pair names one entry, and that entry always follows the same term. */
    void onDurable(final long node, final Entry entry, final long previousTerm) {
        final Fingerprint fingerprint = new Fingerprint(previousTerm, Arrays.hashCode(entry.data())
            + 31 * entry.type().ordinal());
        final Fingerprint earlier = durableEntries.putIfAbsent(new IndexTerm(entry.index(), entry.term()),
            fingerprint);
        if (earlier != null && !earlier.equals(fingerprint)) {
            throw new AssertionError("Log Matching violated at node " + node + ": entry " + entry.index() + "/"
                + entry.term() + " is " + fingerprint + " here but " + earlier + " elsewhere");
        }
    }

    /** State Machine Safety: every node's state after index i is the same. */
    void onApplied(final long node, final long index, final long term, final long fingerprint) {
        grow(index);
        if (committedTerm[(int) index] != 0 && committedTerm[(int) index] != term) {
            throw new AssertionError("node " + node + " applied " + index + "/" + term + " but " + index + "/"
                + committedTerm[(int) index] + " was committed");
        }
        recordFingerprint(node, index, fingerprint);
    }

    void onSnapshotInstalled(final long node, final long index, final long fingerprint) {
        grow(index);
        recordFingerprint(node, index, fingerprint);
    }

    private void recordFingerprint(final long node, final long index, final long fingerprint) {
        final int i = (int) index;
        if (fingerprintKnown[i] && fingerprintAfter[i] != fingerprint) {
            throw new AssertionError("State Machine Safety violated: node " + node + " has a different state after "
                + "index " + index + " than another node");
        }
        fingerprintKnown[i] = true;
        fingerprintAfter[i] = fingerprint;
    }

    private void grow(final long index) {
        if (index >= committedTerm.length) {
            final int size = (int) Math.max(index + 1, committedTerm.length * 2L);
            committedTerm = Arrays.copyOf(committedTerm, size);
            fingerprintAfter = Arrays.copyOf(fingerprintAfter, size);
            fingerprintKnown = Arrays.copyOf(fingerprintKnown, size);
        }
    }

    /** After every simulation step, for every running node. */
    void afterStep(final long nodeId, final RaftNode node) {
        final int n = (int) nodeId;
        checkCommitted(n, node);
        if (node.role() != RaftRole.LEADER) {
            leaderTrackedTerm[n] = 0;
            return;
        }
        final Long earlier = leaderByTerm.putIfAbsent(node.term(), nodeId);
        if (earlier != null && earlier != nodeId) {
            throw new AssertionError("Election Safety violated: " + earlier + " and " + nodeId + " both lead term "
                + node.term());
        }
        if (leaderTrackedTerm[n] != node.term()) {
            checkLeaderCompleteness(nodeId, node);
            leaderTrackedTerm[n] = node.term();
        } else {
            final long last = leaderTrackedLastIndex[n];
            if (node.lastIndex() < last || (last >= node.firstIndex() && node.termAt(last)
                != leaderTrackedLastTerm[n])) {
                throw new AssertionError("Leader Append-Only violated: leader " + nodeId + " of term " + node.term()
                    + " lost or rewrote entry " + last);
            }
        }
        leaderTrackedLastIndex[n] = node.lastIndex();
        leaderTrackedLastTerm[n] = node.termAt(node.lastIndex());
    }

    /** A node's commit index only ever covers entries that agree with every other node's committed ones. */
    private void checkCommitted(final int n, final RaftNode node) {
        final long commit = node.commitIndex();
        for (long i = Math.max(checkedCommit[n] + 1, node.firstIndex()); i <= commit; i++) {
            final long term = node.termAt(i);
            grow(i);
            final long known = committedTerm[(int) i];
            if (known == 0) {
                committedTerm[(int) i] = term;
            } else if (known != term) {
                throw new AssertionError("State Machine Safety violated: node " + n + " committed " + i + "/" + term
                    + " but " + i + "/" + known + " was committed before");
            }
        }
        checkedCommit[n] = Math.max(checkedCommit[n], commit);
        maxCommitted = Math.max(maxCommitted, commit);
    }

    /** Leader Completeness: a leader's log holds every entry committed before its term. */
    private void checkLeaderCompleteness(final long nodeId, final RaftNode node) {
        if (node.lastIndex() < maxCommitted) {
            throw new AssertionError("Leader Completeness violated: leader " + nodeId + " of term " + node.term()
                + " ends at " + node.lastIndex() + " but " + maxCommitted + " is committed");
        }
        for (long i = node.firstIndex(); i <= maxCommitted; i++) {
            final long known = committedTerm[(int) i];
            if (known != 0 && node.termAt(i) != known) {
                throw new AssertionError("Leader Completeness violated: leader " + nodeId + " of term "
                    + node.term() + " has " + i + "/" + node.termAt(i) + " but " + i + "/" + known
                    + " is committed");
            }
        }
    }
}
