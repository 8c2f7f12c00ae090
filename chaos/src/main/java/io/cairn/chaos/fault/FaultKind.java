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
    NETEM,
    /**
     * Membership: a follower's machine replaced, as etcd documents it: SIGKILL, MemberRemove, its data
     * directory wiped, MemberAdd of the same peer URL (a new member id), started with
     * {@code --initial-cluster-state existing}; undone once it serves again (caught up).
     */
    MEMBER_REPLACE,
    /** Storage: every fdatasync of one member (the leader half the time) waits 100 to 800 ms. */
    SLOW_DISK,
    /** Storage: one member (the leader half the time) loses power: what it had not synced is reverted; restarted after the hold. */
    POWER_CUT,
    /** Storage: every member loses power at once (a site outage); all restarted after the hold. */
    POWER_CUT_ALL;

    /**
     * Whether it needs the server's storage fault layer, which only Cairn has (a member's writes
     * and syncs go through it); etcd runs skip these kinds.
     */
    public boolean storage() {
        return this == SLOW_DISK || this == POWER_CUT || this == POWER_CUT_ALL;
    }
}
