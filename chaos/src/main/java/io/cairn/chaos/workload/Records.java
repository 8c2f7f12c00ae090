package io.cairn.chaos.workload;

import io.cairn.chaos.check.Consistency;
import io.cairn.chaos.check.KvRead;
import io.cairn.chaos.check.KvWrite;
import io.cairn.chaos.check.MemberRestart;
import io.cairn.chaos.check.Span;
import io.cairn.etcd.api.etcdserverpb.RangeResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Every write and read the clients made, and every member restart, as the checks read them
 * ({@code io.cairn.chaos.check}). Thread-safe: every client adds to it.
 */
public final class Records {
    private final AtomicLong ids = new AtomicLong();
    private final List<KvWrite> writes = new ArrayList<>();
    private final List<KvRead> reads = new ArrayList<>();
    private final List<MemberRestart> restarts = new ArrayList<>();

    long nextId() {
        return ids.incrementAndGet();
    }

    synchronized void write(final KvWrite write) {
        writes.add(write);
    }

    synchronized void read(final KvRead read) {
        reads.add(read);
    }

    /** A single-key Range's answer as the checks read it. */
    KvRead readOf(final String member, final String key, final Consistency consistency, final RangeResponse response,
                  final Span span) {
        final long header = response.getHeader().getRevision();
        return response.getKvsCount() == 0
            ? KvRead.absent(nextId(), member, key, consistency, header, span)
            : KvRead.present(nextId(), member, key, consistency, response.getKvs(0).getValue().toStringUtf8(),
                response.getKvs(0).getModRevision(), header, span);
    }

    /** A member's process started again (its serializable reads may start from an older state). */
    public synchronized void restarted(final int member) {
        restarts.add(new MemberRestart(memberName(member), System.nanoTime()));
    }

    /** A member was replaced: started again with its data directory wiped, as a new member. */
    public synchronized void replaced(final int member) {
        restarts.add(new MemberRestart(memberName(member), System.nanoTime(), true));
    }

    public synchronized List<KvWrite> writes() {
        return List.copyOf(writes);
    }

    public synchronized List<KvRead> reads() {
        return List.copyOf(reads);
    }

    public synchronized List<MemberRestart> restarts() {
        return List.copyOf(restarts);
    }

    /** Members as the checks name them: m1, m2, ... as the cluster does. */
    public static String memberName(final int member) {
        return "m" + member;
    }
}
