package io.cairn.engine.server;

import java.util.ArrayList;
import java.util.List;

/**
 * etcd 3.4's rules for comparing HashKV answers between members (a pure policy). Hashes can only be
 * compared between members at the same compaction revision: compaction drops history, so the hash of
 * a member that compacted further differs without anything being wrong.
 */
final class HashComparison {
    /** One member's HashKV answer: its hash at {@code revision} (the header's), from {@code compactRevision} on. */
    record Answer(long memberId, int hash, long revision, long compactRevision) {
    }

    private HashComparison() {
    }

    /**
     * The start-up check: each peer asked for its hash at this member's revision. A peer whose hash
     * differs at the same compaction revision is a mismatch (the start is refused); at another
     * compaction revision it cannot be compared.
     */
    static List<String> initialMismatches(final Answer local, final List<Answer> peers) {
        final List<String> mismatches = new ArrayList<>();
        for (final Answer peer : peers) {
            if (peer.hash() != local.hash() && peer.compactRevision() == local.compactRevision()) {
                mismatches.add("member " + Long.toHexString(peer.memberId()) + " has hash " + Integer.toUnsignedString(peer.hash())
                    + " at revision " + local.revision() + " and compact revision " + peer.compactRevision() + "; "
                    + Long.toHexString(local.memberId()) + " has " + Integer.toUnsignedString(local.hash()));
            }
        }
        return mismatches;
    }

    /**
     * The leader's periodic check. {@code before} is the leader's own hash when it asked the
     * followers (at {@code before}'s revision), {@code after} its hash again once a linearizable
     * read completed. A mismatch: the leader's hash moved while its revision did not; a follower
     * ahead of the leader in revision or compaction; a follower at the leader's compaction whose hash
     * differs.
     */
    static List<String> leaderMismatches(final Answer before, final Answer after, final List<Answer> followers) {
        final List<String> mismatches = new ArrayList<>();
        if (after.hash() != before.hash() && after.revision() == before.revision()
            && after.compactRevision() == before.compactRevision()) {
            mismatches.add("the leader's own hash changed from " + Integer.toUnsignedString(before.hash()) + " to "
                + Integer.toUnsignedString(after.hash()) + " at revision " + before.revision());
        }
        for (final Answer follower : followers) {
            final String id = Long.toHexString(follower.memberId());
            if (follower.revision() > after.revision()) {
                mismatches.add("member " + id + " is at revision " + follower.revision()
                    + ", ahead of the leader's " + after.revision());
            }
            if (follower.compactRevision() > after.compactRevision()) {
                mismatches.add("member " + id + " compacted at revision " + follower.compactRevision()
                    + ", ahead of the leader's " + after.compactRevision());
            }
            if (follower.compactRevision() == before.compactRevision() && follower.hash() != before.hash()) {
                mismatches.add("member " + id + " has hash " + Integer.toUnsignedString(follower.hash()) + " at revision "
                    + before.revision() + ", the leader " + Integer.toUnsignedString(before.hash()));
            }
        }
        return mismatches;
    }
}
