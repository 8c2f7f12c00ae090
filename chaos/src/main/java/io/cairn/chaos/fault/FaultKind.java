package io.cairn.chaos.fault;

/** The faults a run injects; each is undone before the next begins. */
public enum FaultKind {
    /** SIGKILL of a member (the leader half the time), restarted after the hold. */
    KILL,
    /** SIGSTOP of a member (the leader half the time), SIGCONT after the hold: a paused leader must lose leadership. */
    PAUSE,
    /** The leader cut off from every other member. */
    PARTITION_LEADER,
    /** A random minority cut off from the majority. */
    PARTITION_MINORITY,
    /** Packets from the leader to one follower dropped, the other way delivered. */
    ONE_WAY,
    /** Packet loss, delay with jitter and reordering on one member's link. */
    NETEM
}
