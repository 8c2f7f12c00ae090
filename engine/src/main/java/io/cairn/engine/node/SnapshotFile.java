package io.cairn.engine.node;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;

/**
 * A file {@code etcdctl snapshot save} wrote: a tree's bytes, then their SHA-256 if the size says
 * so. etcdctl's rule (clientv3/snapshot, hasChecksum): the tree is whole units of
 * {@code alignmentBytes} (Cairn's 4 KiB pages, bbolt's 512-byte sectors), so 32 bytes more is the
 * trailer. Shared by {@code snapshot restore} and {@code migrate --from-etcd-snapshot}.
 */
public record SnapshotFile(Path path, long contentBytes, boolean hasHash) {
    public static final int SHA256_BYTES = 32;

    /**
     * What a restore and a migration check first: the new member's data dir is not there yet, and the
     * file is.
     *
     * @throws IllegalArgumentException naming what is wrong
     */
    public static SnapshotFile of(final Path snapshot, final Path dataDir, final int alignmentBytes) throws IOException {
        if (Files.exists(dataDir)) {
            throw new IllegalArgumentException("data-dir \"" + dataDir + "\" exists");
        }
        if (!Files.isRegularFile(snapshot)) {
            throw new IllegalArgumentException("snapshot file \"" + snapshot + "\" does not exist");
        }
        final long size = Files.size(snapshot);
        final boolean hasHash = size % alignmentBytes == SHA256_BYTES;
        return new SnapshotFile(snapshot, hasHash ? size - SHA256_BYTES : size, hasHash);
    }

    /**
     * Checks that the last 32 bytes are the SHA-256 of the {@link #contentBytes} before them.
     *
     * @throws IllegalArgumentException with etcd's message when they are not
     */
    public void checkHash() throws IOException {
        final MessageDigest sha256;
        try {
            sha256 = MessageDigest.getInstance("SHA-256");
        } catch (final NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        final byte[] trailer = new byte[SHA256_BYTES];
        try (InputStream in = Files.newInputStream(path)) {
            final byte[] buffer = new byte[1 << 16];
            for (long left = contentBytes; left > 0; ) {
                final int n = in.read(buffer, 0, (int)Math.min(buffer.length, left));
                if (n < 0) {
                    throw new IOException(path + " ended early");
                }
                sha256.update(buffer, 0, n);
                left -= n;
            }
            if (in.readNBytes(trailer, 0, SHA256_BYTES) != SHA256_BYTES) {
                throw new IOException(path + " ended early");
            }
        }
        final byte[] computed = sha256.digest();
        if (!Arrays.equals(computed, trailer)) {
            throw new IllegalArgumentException("expected sha256 " + HexFormat.of().formatHex(trailer) + ", got "
                + HexFormat.of().formatHex(computed));
        }
    }
}
