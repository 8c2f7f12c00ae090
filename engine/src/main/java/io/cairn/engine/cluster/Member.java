package io.cairn.engine.cluster;

import java.util.List;

/**
 * One member as `member list` shows it. A member named in --initial-cluster knows its name and
 * peer URLs from the start; its client URLs arrive when it publishes them once serving (etcd's
 * order, so a member that never started lists no client URLs).
 */
public record Member(long id, String name, List<String> peerUrls, List<String> clientUrls, boolean learner) {
    public Member {
        peerUrls = List.copyOf(peerUrls);
        clientUrls = List.copyOf(clientUrls);
    }

    public Member withAttributes(final String newName, final List<String> newClientUrls) {
        return new Member(id, newName, peerUrls, newClientUrls, learner);
    }

    public Member withPeerUrls(final List<String> newPeerUrls) {
        return new Member(id, name, newPeerUrls, clientUrls, learner);
    }

    public Member promoted() {
        return new Member(id, name, peerUrls, clientUrls, false);
    }

    /** etcd's IsStarted: the member has published its name, so it has served. */
    public boolean started() {
        return !name.isEmpty();
    }
}
