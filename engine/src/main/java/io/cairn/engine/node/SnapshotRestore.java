package io.cairn.engine.node;

import io.cairn.btree.Env;
import io.cairn.btree.EnvOptions;
import io.cairn.btree.WriteTxn;
import io.cairn.engine.backend.Bucket;
import io.cairn.engine.backend.BtreeView;
import io.cairn.engine.cluster.InitialMembers;
import io.cairn.engine.cluster.Member;
import io.cairn.engine.cluster.MemberTable;
import io.cairn.posix.FileTrees;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.function.Consumer;

/**
 * `cairn snapshot restore`: a new member's data dir from a file `etcdctl snapshot save` wrote
 * against Cairn, as `etcdctl snapshot restore` builds one from etcd's. The keys, revisions, leases
 * and compaction point are the snapshot's; the membership is the new one from the flags (every
 * member of the restored cluster runs the same command with its own --name). As in etcd, the
 * restored tree counts as applied up to index n at term 1 (n members, the bootstrap entries of a
 * new cluster), so each member's Raft log starts there with the new members as its voters.
 */
public final class SnapshotRestore {
    /** The tree's page size: a snapshot is whole pages, so 32 bytes more is the SHA-256 trailer. */
    private static final int PAGE_BYTES = 4096;

    private SnapshotRestore() {
    }

    /**
     * Builds {@code dataDir} (which must not exist) from {@code snapshot}.
     *
     * @throws IllegalArgumentException for a refused input, with a one-line reason
     */
    public static void restore(final Path snapshot, final Path dataDir, final Path walDir, final InitialMembers members,
        final String name, final boolean skipHashCheck, final Consumer<String> log) throws IOException {
        final SnapshotFile file = SnapshotFile.of(snapshot, dataDir, PAGE_BYTES);
        if (!file.hasHash() && !skipHashCheck) {
            throw new IllegalArgumentException("snapshot missing hash but --skip-hash-check=false");
        }
        if (file.hasHash() && !skipHashCheck) {
            file.checkHash();
        }
        final long treeBytes = file.contentBytes();
        log.accept("restoring snapshot " + snapshot + " (" + treeBytes + " bytes) to " + dataDir);
        buildMember(dataDir, walDir, members, name, partial -> copy(snapshot, treeBytes, partial), log);
        log.accept("restored snapshot " + snapshot + " as member " + Long.toHexString(members.idOf(name)) + " ("
            + name + ") of cluster " + Long.toHexString(members.clusterId()));
    }

    /** Writes a new member's tree file at the given path, which does not exist yet. */
    @FunctionalInterface
    public interface TreeSource {
        void writeTo(Path partialTree) throws IOException;
    }

    /**
     * Builds {@code dataDir} (which must not exist) around the tree {@code tree} writes: the new
     * membership, member id and cluster id go into it, it counts as applied up to index n at term 1,
     * and it becomes {@code member/snap/db}. The WAL directory is created empty. A refused or failed
     * build leaves nothing behind.
     *
     * @throws IllegalArgumentException for a refused input, with a one-line reason
     */
    public static void buildMember(final Path dataDir, final Path walDir, final InitialMembers members,
        final String name, final TreeSource tree, final Consumer<String> log) throws IOException {
        if (Files.exists(dataDir)) {
            throw new IllegalArgumentException("data-dir \"" + dataDir + "\" exists");
        }
        final boolean walDirExisted = Files.exists(walDir);
        try {
            build(dataDir, walDir, members, name, tree, log);
        } catch (final IOException | RuntimeException e) {
            // A refused or failed restore leaves nothing behind: the next attempt must not find "data-dir exists".
            FileTrees.deleteIfPresent(dataDir);
            if (!walDirExisted) {
                FileTrees.deleteIfPresent(walDir);
            }
            throw e;
        }
    }

    private static void copy(final Path snapshot, final long treeBytes, final Path partial) throws IOException {
        try (FileChannel in = FileChannel.open(snapshot, StandardOpenOption.READ);
             FileChannel out = FileChannel.open(partial, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            for (long copied = 0; copied < treeBytes; ) {
                copied += in.transferTo(copied, treeBytes - copied, out);
            }
            out.force(true);
        }
    }

    private static void build(final Path dataDir, final Path walDir, final InitialMembers members, final String name,
        final TreeSource tree, final Consumer<String> log) throws IOException {
        final Path snapDir = dataDir.resolve("member").resolve("snap");
        Files.createDirectories(snapDir);
        Files.createDirectories(walDir);
        final Path partial = snapDir.resolve("db.part");
        tree.writeTo(partial);
        final long memberId = members.idOf(name);
        try (Env env = Env.open(partial, EnvOptions.defaults())) {
            final WriteTxn txn = env.beginWrite();
            try {
                final BtreeView view = new BtreeView(txn);
                for (final Member old : MemberTable.all(view)) {
                    MemberTable.remove(view, old.id());
                }
                for (final Member member : members.members()) {
                    MemberTable.put(view, member);
                    log.accept("added member " + Long.toHexString(member.id()) + " " + member.peerUrls()
                        + " to cluster " + Long.toHexString(members.clusterId()));
                }
                view.put(Bucket.META, MemberStorage.META_MEMBER_ID, longBytes(memberId));
                view.put(Bucket.META, MemberStorage.META_CLUSTER_ID, longBytes(members.clusterId()));
                view.put(Bucket.META, CommandApplier.META_APPLIED_INDEX, longBytes(members.members().size()));
                view.put(Bucket.META, CommandApplier.META_APPLIED_TERM, longBytes(1));
                txn.commit();
            } finally {
                txn.abort();
            }
            env.sync();
        }
        Files.move(partial, snapDir.resolve("db"), StandardCopyOption.ATOMIC_MOVE);
        try (FileChannel dir = FileChannel.open(snapDir, StandardOpenOption.READ)) {
            dir.force(true);
        }
    }


    private static byte[] longBytes(final long value) {
        return ByteBuffer.allocate(Long.BYTES).putLong(value).array();
    }
}
