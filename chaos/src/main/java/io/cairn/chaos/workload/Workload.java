package io.cairn.chaos.workload;

import io.cairn.chaos.check.KeyRange;
import io.cairn.chaos.check.LeaseFacts;
import io.cairn.chaos.check.WatchEnd;
import io.cairn.chaos.check.WatchLog;
import io.cairn.chaos.cluster.LabCluster;
import io.cairn.chaos.linearizability.History;
import io.grpc.ManagedChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

/**
 * The clients of a run: {@code clientsPerMember} KV clients on every member (their own threads),
 * one lease client per member, and one watch per member over the keys' prefix from revision 1.
 * Everything they see is recorded for the checks.
 */
public final class Workload {
    public static final String PREFIX = "k";
    /** A lease client may be waiting out a lease's TTL when told to stop. */
    private static final long JOIN_MILLIS = TimeUnit.SECONDS.toMillis(LeaseClient.TTL_SECONDS) + 70_000;

    private final History history = new History();
    private final Records records = new Records();
    private final List<WatchRecorder> watches = new ArrayList<>();
    private final List<LeaseClient> leaseClients = new ArrayList<>();
    private final List<Thread> threads = new ArrayList<>();
    private volatile boolean stopped;

    private Workload() {
    }

    public static Workload start(final LabCluster cluster, final int clientsPerMember, final int keyCount,
                                 final long seed) {
        final Workload workload = new Workload();
        final List<String> keys = new ArrayList<>();
        for (int k = 0; k < keyCount; k++) {
            keys.add(PREFIX + k);
        }
        final SplittableRandom seeds = new SplittableRandom(seed);
        final List<ManagedChannel> channels = new ArrayList<>();
        for (int m = 1; m <= cluster.size(); m++) {
            channels.add(cluster.channel(m));
        }
        for (int m = 1; m <= cluster.size(); m++) {
            final WatchRecorder watch = new WatchRecorder(m, cluster.channel(m), PREFIX);
            watch.start(1);
            workload.watches.add(watch);
        }
        int client = 0;
        for (int m = 1; m <= cluster.size(); m++) {
            for (int c = 0; c < clientsPerMember; c++, client++) {
                final KvClient kv = new KvClient(client, m, cluster.channel(m), keys, workload.history,
                    workload.records, seeds.nextLong(), () -> workload.stopped);
                workload.threads.add(Thread.ofPlatform().name("chaos-client-" + client).start(kv));
            }
            // Its own key per member, under the prefix (watched) but apart from the KV clients' keys: a lease's
            // end deletes it, which the linearizability model of those keys does not know of.
            final LeaseClient leases = new LeaseClient(m, channels, PREFIX + "lease-" + m,
                workload.records, seeds.nextLong(), () -> workload.stopped);
            workload.leaseClients.add(leases);
            workload.threads.add(Thread.ofPlatform().name("chaos-leases-m" + m).start(leases));
        }
        return workload;
    }

    /** Reopens the watches whose streams ended (after a fault ended). */
    public void resumeWatches() {
        for (final WatchRecorder watch : watches) {
            watch.resume();
        }
    }

    /** Stops the KV clients; each finishes its operation in flight. Watches stay open. */
    public void stopClients() throws InterruptedException {
        stopped = true;
        for (final Thread thread : threads) {
            thread.join(JOIN_MILLIS);
        }
    }

    public History history() {
        return history;
    }

    public List<LeaseFacts> leases() {
        final List<LeaseFacts> facts = new ArrayList<>();
        for (final LeaseClient client : leaseClients) {
            facts.addAll(client.facts());
        }
        return facts;
    }

    public Records records() {
        return records;
    }

    /** Every watch stream so far, as the checks read them (streams still open are {@link WatchEnd#OPEN}). */
    public List<WatchLog> watchLogs() {
        final List<WatchLog> logs = new ArrayList<>();
        for (final WatchRecorder watch : watches) {
            for (final WatchRecorder.Log log : watch.logs()) {
                logs.add(log.toWatchLog(logs.size() + 1, KeyRange.prefix(PREFIX)));
            }
        }
        return logs;
    }

    /** Stops the clients and closes the watches. */
    public void close() throws InterruptedException {
        stopClients();
        for (final WatchRecorder watch : watches) {
            watch.close();
        }
    }
}
