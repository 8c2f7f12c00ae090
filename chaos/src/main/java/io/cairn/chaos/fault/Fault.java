package io.cairn.chaos.fault;

/**
 * One scheduled fault: what, when (from the start of the faults) and for how long.
 *
 * @param onLeader     aim at the leader of that moment (else at {@code member})
 * @param member       1-based member to aim at when not at the leader
 */
public record Fault(FaultKind kind, long startMillis, long holdMillis, boolean onLeader, int member) {
    @Override
    public String toString() {
        return kind + " at +" + startMillis + " ms for " + holdMillis + " ms on "
            + (onLeader ? "the leader" : "m" + member);
    }
}
