package io.cairn.engine.backend;

/** The engine's named sub-trees in the backend (DESIGN.md, "Storage layout"). */
public enum Bucket {
    /** RevisionKey -> KeyValueRecord: every version of every user key. */
    KV,
    /** bigendian(main, sub) -> user key: the history in revision order (watch catch-up, compaction). */
    REV,
    /** Small named values: current and compacted revision, applied index, ids. */
    META,
    /** bigendian(lease id) -> granted TTL and checkpointed remaining TTL, in seconds. */
    LEASE,
    /**
     * bigendian(lease id) + user key -> nothing: the keys attached to each lease, kept by every
     * write, so a revoke finds them without a scan and a restart rebuilds nothing.
     */
    LEASE_KEYS,
    /** bigendian(member id) -> the member as `member list` shows it (see cluster.MemberTable). */
    MEMBERS,
    /** bigendian(member id) -> "removed": ids that may never come back (see cluster.RemovedMemberTable). */
    MEMBERS_REMOVED,
    /** bigendian(member id) + alarm code -> a marker: the raised alarms (see cluster.AlarmTable). */
    ALARMS,
    /** The auth store: the enabled flag and the auth revision (see auth.AuthTable). */
    AUTH,
    /** user name -> the user: bcrypt hash, options, roles (see auth.AuthTable). */
    AUTH_USERS,
    /** role name -> its key permissions (see auth.AuthTable). */
    AUTH_ROLES,
    /**
     * etcd's buckets `auth`, `authUsers` and `authRoles`, copied byte for byte by `cairn migrate`
     * (keys and values as etcd stored them: authpb messages, bcrypt hashes). Cairn's own auth store
     * is AUTH, AUTH_USERS and AUTH_ROLES; the migration refuses a snapshot with auth enabled, so these
     * hold only a disabled etcd's users and roles, unread.
     */
    ETCD_AUTH,
    ETCD_AUTH_USERS,
    ETCD_AUTH_ROLES
}
