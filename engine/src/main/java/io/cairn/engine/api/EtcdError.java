package io.cairn.engine.api;

/**
 * The errors etcd's v3 API returns (etcd's rpctypes), with etcd's exact messages: clients
 * (etcdctl, clientv3, jetcd) match on the message text to recognise them. A plain Java type, so
 * that the layers below the gRPC facade need no gRPC; the facade gives each its etcd status code
 * ({@code io.cairn.engine.server.GrpcErrors}).
 */
public enum EtcdError {
    EMPTY_KEY("etcdserver: key is not provided"),
    KEY_NOT_FOUND("etcdserver: key not found"),
    VALUE_PROVIDED("etcdserver: value is provided"),
    LEASE_PROVIDED("etcdserver: lease is provided"),
    TOO_MANY_OPS("etcdserver: too many operations in txn request"),
    DUPLICATE_KEY("etcdserver: duplicate key given in txn request"),
    COMPACTED("etcdserver: mvcc: required revision has been compacted"),
    FUTURE_REVISION("etcdserver: mvcc: required revision is a future revision"),
    NO_SPACE("etcdserver: mvcc: database space exceeded"),

    LEASE_NOT_FOUND("etcdserver: requested lease not found"),
    LEASE_EXISTS("etcdserver: lease already exists"),
    LEASE_TTL_TOO_LARGE("etcdserver: too large lease TTL"),

    MEMBER_EXISTS("etcdserver: member ID already exist"),
    PEER_URL_EXISTS("etcdserver: Peer URLs already exists"),
    MEMBER_NOT_ENOUGH_STARTED("etcdserver: re-configuration failed due to not enough started members"),
    MEMBER_BAD_URLS("etcdserver: given member URLs are invalid"),
    MEMBER_NOT_FOUND("etcdserver: member not found"),
    MEMBER_NOT_LEARNER("etcdserver: can only promote a learner member"),
    LEARNER_NOT_READY("etcdserver: can only promote a learner member which is in sync with leader"),
    TOO_MANY_LEARNERS("etcdserver: too many learner members in cluster"),

    REQUEST_TOO_LARGE("etcdserver: request is too large"),
    TOO_MANY_REQUESTS("etcdserver: too many requests"),

    ROOT_USER_NOT_EXIST("etcdserver: root user does not exist"),
    ROOT_ROLE_NOT_EXIST("etcdserver: root user does not have root role"),
    USER_ALREADY_EXISTS("etcdserver: user name already exists"),
    USER_EMPTY("etcdserver: user name is empty"),
    USER_NOT_FOUND("etcdserver: user name not found"),
    ROLE_ALREADY_EXISTS("etcdserver: role name already exists"),
    ROLE_NOT_FOUND("etcdserver: role name not found"),
    ROLE_EMPTY("etcdserver: role name is empty"),
    AUTH_FAILED("etcdserver: authentication failed, invalid user ID or password"),
    PERMISSION_DENIED("etcdserver: permission denied"),
    ROLE_NOT_GRANTED("etcdserver: role is not granted to the user"),
    PERMISSION_NOT_GRANTED("etcdserver: permission is not granted to the role"),
    AUTH_NOT_ENABLED("etcdserver: authentication is not enabled"),
    INVALID_AUTH_TOKEN("etcdserver: invalid auth token"),
    INVALID_AUTH_MANAGEMENT("etcdserver: invalid auth management"),
    AUTH_OLD_REVISION("etcdserver: revision of auth store is old"),

    NO_LEADER("etcdserver: no leader"),
    NOT_LEADER("etcdserver: not leader"),
    LEADER_CHANGED("etcdserver: leader changed"),
    NOT_CAPABLE("etcdserver: not capable"),
    STOPPED("etcdserver: server stopped"),
    TIMEOUT("etcdserver: request timed out"),
    TIMEOUT_DUE_TO_LEADER_FAIL("etcdserver: request timed out, possibly due to previous leader failure"),
    TIMEOUT_DUE_TO_CONNECTION_LOST("etcdserver: request timed out, possibly due to connection lost"),
    UNHEALTHY("etcdserver: unhealthy cluster"),
    CORRUPT("etcdserver: corrupt cluster"),
    NOT_SUPPORTED_FOR_LEARNER("etcdserver: rpc not supported for learner"),
    BAD_LEADER_TRANSFEREE("etcdserver: bad leader transferee"),
    TIMEOUT_LEADER_TRANSFER("etcdserver: request timed out, leader transfer took too long"),
    /** Not one of rpctypes': etcd passes raft's ErrProposalDropped through as it is (a conf change refused by Raft). */
    PROPOSAL_DROPPED("raft proposal dropped");

    private final String message;

    EtcdError(final String message) {
        this.message = message;
    }

    /** etcd's text for this error, the gRPC status description clients match on. */
    public String message() {
        return message;
    }
}
