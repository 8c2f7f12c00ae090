package io.cairn.chaos.fault;

import io.cairn.chaos.cluster.LabCluster;
import io.cairn.etcd.api.etcdserverpb.Member;
import io.cairn.etcd.api.etcdserverpb.MemberAddResponse;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.IntConsumer;
import java.util.stream.Collectors;

/**
 * {@link FaultKind#MEMBER_REPLACE}: an operator replaces a failed machine as etcd documents it
 * (runtime reconfiguration, "replace a failed machine"):
 * <ol>
 * <li>a follower (never the leader) stops: SIGKILL;
 * <li>MemberRemove of its id, asked of another member;
 * <li>its data directory is wiped;
 * <li>MemberAdd of the same peer URL (a new member id);
 * <li>it starts with {@code --initial-cluster-state existing} and an {@code --initial-cluster} of
 *     every current member, same name and URLs as before;
 * <li>undo: wait until it serves (it catches up from the others, by snapshot if their log no longer
 *     reaches back).
 * </ol>
 * Strict reconfiguration checks refuse a change with "etcdserver: unhealthy cluster" while a peer
 * connected less than 5 s ago or is down, so each call is retried, polling, until a deadline. A
 * removal that is not made in its window leaves the member as it was (restarted with its data), and
 * the timeline says so. Once removed, the member is added back with a longer deadline: the cluster
 * must end the fault at its initial size; if it cannot, the timeline says that too, and the run's
 * membership check reports it.
 */
final class MemberReplacement {
    /** How long a removal may be refused before the replacement is given up (the member restarted as it was). */
    static final long REMOVE_WINDOW_MILLIS = 15_000;
    /** How long the add may be refused; the member is out of the cluster meanwhile. */
    static final long ADD_WINDOW_MILLIS = 60_000;
    /** How long to wait for a leader to tell the follower from. */
    static final long LEADER_WINDOW_MILLIS = 10_000;
    static final long POLL_MILLIS = 200;
    /** etcd derives a new member's id from its peer URLs and the unix second: the same second gives the same id. */
    static final long SAME_ID_RETRY_MILLIS = 1_000;

    private final LabCluster cluster;
    /** Told of the member's new life once it is stopped for good (every later read reaches the new member). */
    private final IntConsumer replaced;
    private final IntConsumer restarted;

    MemberReplacement(final LabCluster cluster, final IntConsumer replaced,
                      final IntConsumer restarted) {
        this.cluster = cluster;
        this.replaced = replaced;
        this.restarted = restarted;
    }

    /** Steps 1-5; the returned fault's undo is step 6. */
    FaultInjector.Active replace(final int scheduled) throws IOException, InterruptedException {
        final long began = System.nanoTime();
        final int leader = awaitLeader();
        if (leader == 0) {
            return done("member replace skipped: no leader within " + LEADER_WINDOW_MILLIS + " ms to tell a follower from");
        }
        final int target = scheduled != leader ? scheduled : 1 + scheduled % cluster.size();
        final String name = LabCluster.name(target);
        final StringBuilder story = new StringBuilder("replace m" + target + " (follower; leader m" + leader + "):");
        final long oldId;
        try {
            oldId = idOf(target, leader);
        } catch (final StatusRuntimeException e) {
            return done(story + " not replaced: MemberList of m" + leader + " failed: " + e.getStatus());
        }
        if (oldId == 0) {
            return done(story + " not replaced: m" + leader + " does not list " + name);
        }
        cluster.kill(target);
        replaced.accept(target);
        story.append(" SIGKILL;");

        // 2. MemberRemove, retried while refused.
        final Attempts remove = new Attempts(REMOVE_WINDOW_MILLIS);
        boolean removed = false;
        while (!removed) {
            final int via = via(target);
            try {
                cluster.memberRemove(via, oldId);
                remove.succeeded(via);
                removed = true;
            } catch (final StatusRuntimeException e) {
                if (notFound(e)) { // an earlier attempt's answer was lost, yet it applied
                    remove.succeeded(via);
                    removed = true;
                } else if (!remove.refused(via, e)) {
                    break;
                }
            }
        }
        if (!removed && !listed(oldId, target)) {
            removed = true; // the last attempt's answer was lost, yet it applied
            remove.note("applied though unanswered");
        }
        story.append(" MemberRemove ").append(hex(oldId)).append(' ').append(remove);
        if (!removed) {
            cluster.restart(target);
            restarted.accept(target);
            return done(story + " NOT REPLACED: the removal was refused for " + REMOVE_WINDOW_MILLIS
                + " ms; m" + target + " restarted with its data as the same member");
        }

        // 3. A new disk.
        cluster.wipe(target);
        story.append(" data dir wiped;");

        // 4. MemberAdd of the same peer URL, retried while refused: the cluster must get back to its size.
        final Attempts add = new Attempts(ADD_WINDOW_MILLIS);
        List<Member> members = null;
        long newId = 0;
        while (members == null) {
            final int via = via(target);
            try {
                final MemberAddResponse added = cluster.memberAdd(via, target);
                newId = added.getMember().getID();
                members = added.getMembersList();
                add.succeeded(via);
            } catch (final StatusRuntimeException e) {
                final List<Member> listed = e.getStatus().getDescription() != null
                    && e.getStatus().getDescription().contains("Peer URLs already exists") ? listOrNull(via) : null;
                final Member earlier = listed == null ? null : byPeerUrl(listed, target);
                if (earlier != null && earlier.getName().isEmpty()) { // an earlier attempt's answer was lost
                    newId = earlier.getID();
                    members = listed;
                    add.succeeded(via);
                    add.note("applied though unanswered");
                } else if (!add.refused(via, e)) {
                    break;
                }
            }
        }
        story.append(" MemberAdd ").append(cluster.peerUrl(target)).append(' ').append(add);
        if (members == null) {
            return done(story + " REMOVED AND NOT ADDED BACK within " + ADD_WINDOW_MILLIS + " ms: the cluster has "
                + (cluster.size() - 1) + " members");
        }
        story.append(" new id ").append(hex(newId)).append(';');

        // 5. Start it empty, joining the cluster it finds.
        final String initialCluster = initialCluster(members, target);
        cluster.rejoin(target, initialCluster);
        story.append(" started with --initial-cluster-state existing --initial-cluster ").append(initialCluster)
            .append(" (").append(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - began)).append(" ms)");
        final String injected = story.toString();
        final long joinedId = newId;
        return new FaultInjector.Active() {
            private String undone = injected;

            @Override
            public String description() {
                return injected;
            }

            @Override
            public String undoneDescription() {
                return undone;
            }

            @Override
            public void undo() throws InterruptedException {
                undone = "m" + target + " replaced (id " + hex(oldId) + " -> " + hex(joinedId) + "): " + awaitServing(target);
            }
        };
    }

    /** 6: waits until the new member serves (it has caught up) and the cluster lists every member as started. */
    private String awaitServing(final int target) throws InterruptedException {
        final long began = System.nanoTime();
        try {
            cluster.awaitServing(target);
        } catch (final IOException e) {
            return "NOT SERVING: " + e.getMessage();
        }
        final String serving = "serving after " + TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - began) + " ms";
        final List<Member> members = listOrNull(target);
        if (members == null) {
            return serving + "; its MemberList did not answer";
        }
        final long started = members.stream().filter(member -> !member.getName().isEmpty()).count();
        return serving + "; " + members.size() + " members listed, " + started + " started"
            + (members.size() < cluster.size() ? " (BELOW THE INITIAL " + cluster.size() + ")" : "");
    }

    private int awaitLeader() throws InterruptedException {
        final long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(LEADER_WINDOW_MILLIS);
        while (true) {
            final int leader = cluster.leader();
            if (leader != 0 || System.nanoTime() > deadline) {
                return leader;
            }
            Thread.sleep(POLL_MILLIS);
        }
    }

    /** The member to ask: the leader if there is one (a follower would forward), else another running member. */
    private int via(final int target) {
        final int leader = cluster.leader();
        if (leader != 0 && leader != target) {
            return leader;
        }
        for (int m = 1; m <= cluster.size(); m++) {
            if (m != target && cluster.isRunning(m) && !cluster.isPaused(m)) {
                return m;
            }
        }
        throw new IllegalStateException("no member to ask but m" + target);
    }

    private long idOf(final int member, final int via) {
        final Member listed = byPeerUrl(cluster.memberList(via), member);
        return listed == null ? 0 : listed.getID();
    }

    /** Whether some member still lists {@code id}; true when none answers (then it may well be). */
    private boolean listed(final long id, final int target) {
        final List<Member> members = listOrNull(via(target));
        return members == null || members.stream().anyMatch(member -> member.getID() == id);
    }

    private List<Member> listOrNull(final int via) {
        try {
            return cluster.memberList(via);
        } catch (final StatusRuntimeException e) {
            return null;
        }
    }

    private Member byPeerUrl(final List<Member> members, final int member) {
        return members.stream().filter(m -> m.getPeerURLsList().contains(cluster.peerUrl(member))).findFirst()
            .orElse(null);
    }

    /** What {@code etcdctl member add} prints as ETCD_INITIAL_CLUSTER: the new member unnamed yet, so named here. */
    private String initialCluster(final List<Member> members, final int target) {
        final List<String> entries = new ArrayList<>();
        for (final Member member : members) {
            final String name = member.getPeerURLsList().contains(cluster.peerUrl(target)) ? LabCluster.name(target)
                : member.getName();
            for (final String url : member.getPeerURLsList()) {
                entries.add(name + "=" + url);
            }
        }
        return String.join(",", entries);
    }

    private static boolean notFound(final StatusRuntimeException e) {
        return e.getStatus().getCode() == Status.Code.NOT_FOUND
            || String.valueOf(e.getStatus().getDescription()).contains("member not found");
    }

    private static String hex(final long id) {
        return Long.toHexString(id);
    }

    private FaultInjector.Active done(final String description) {
        return new FaultInjector.Active() {
            @Override
            public String description() {
                return description;
            }

            @Override
            public void undo() {
            }
        };
    }

    /** One call's tries: how often each refusal came, until it succeeded or its window ran out. */
    private static final class Attempts {
        private final long began = System.nanoTime();
        private final long deadline;
        private final Map<String, Integer> refusals = new LinkedHashMap<>();
        private final List<String> notes = new ArrayList<>();
        private int via;

        Attempts(final long windowMillis) {
            this.deadline = began + TimeUnit.MILLISECONDS.toNanos(windowMillis);
        }

        void succeeded(final int member) {
            via = member;
        }

        void note(final String note) {
            notes.add(note);
        }

        /** Counts the refusal and waits to try again; false once the window is over. */
        boolean refused(final int member, final StatusRuntimeException e) throws InterruptedException {
            via = member;
            final String why = e.getStatus().getDescription() != null ? e.getStatus().getDescription()
                : e.getStatus().getCode().toString();
            refusals.merge(why, 1, Integer::sum);
            if (System.nanoTime() > deadline) {
                return false;
            }
            // The id is the peer URLs' hash and the unix second: the next second gives another.
            Thread.sleep(why.contains("ID already exist") ? SAME_ID_RETRY_MILLIS : POLL_MILLIS);
            return true;
        }

        @Override
        public String toString() {
            final String tries = refusals.isEmpty() ? "" : ", refused " + refusals.entrySet().stream()
                .map(refusal -> refusal.getValue() + "x \"" + refusal.getKey() + "\"").collect(Collectors.joining(", "));
            return "via m" + via + " (" + TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - began) + " ms" + tries
                + (notes.isEmpty() ? "" : ", " + String.join(", ", notes)) + ");";
        }
    }
}
