package io.cairn.transport;

import io.cairn.raft.Message;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;

/**
 * Snapshots received into files in one directory (beside the member's B+tree file), streamed from whatever the host
 * supplies (a B+tree image). Neither side holds a snapshot in memory.
 *
 * <p>Receiving from peer P (hex id) a snapshot at index I: the bytes go by positional writes to
 * {@code <dir>/db.incoming-P-pN.part}, N counting the sinks this store opened, so that two transfers from one peer
 * (a snapshot over TCP whose connection hangs, and the one that replaced it) never share a file. When the whole
 * snapshot's CRC32C has matched, the file is fdatasynced, renamed
 * to {@code <dir>/db.incoming-P-I} and the directory fsynced; the delivered SNAPSHOT message's {@code data} is
 * that path, absolute, in UTF-8. From then on the file is the host's: it installs it (renames it over its tree
 * file) or deletes it if Raft does not take the snapshot. A rejected, replaced or abandoned transfer deletes its
 * {@code .part} file; partial files a crash left behind are deleted when the store is created.
 */
public final class FileSnapshotStore implements SnapshotStore {
    static final String PREFIX = "db.incoming-";
    static final String PARTIAL_SUFFIX = ".part";

    private final Path incomingDir;
    private final Function<Message, SnapshotSource> sources;
    private final AtomicLong sinksOpened = new AtomicLong();

    /**
     * @param incomingDir where received snapshots are written (created if absent): the tree file's directory, so
     *                    that installing one is a rename
     * @param sources     the bytes to send for an outgoing SNAPSHOT message (may throw {@link UncheckedIOException})
     */
    public FileSnapshotStore(final Path incomingDir, final Function<Message, SnapshotSource> sources)
        throws IOException {
        this.incomingDir = incomingDir.toAbsolutePath();
        this.sources = Objects.requireNonNull(sources, "sources");
        Files.createDirectories(this.incomingDir);
        try (DirectoryStream<Path> leftovers = Files.newDirectoryStream(this.incomingDir,
            PREFIX + "*" + PARTIAL_SUFFIX)) {
            for (final Path partial : leftovers) {
                Files.deleteIfExists(partial);
            }
        }
    }

    @Override
    public SnapshotSource openSource(final Message snapshotMessage) throws IOException {
        try {
            return Objects.requireNonNull(sources.apply(snapshotMessage), "no source for the snapshot");
        } catch (final UncheckedIOException e) {
            throw e.getCause();
        }
    }

    @Override
    public SnapshotSink openSink(final long fromPeer, final long snapshotIndex, final long snapshotTerm,
                                 final long sizeBytes) throws IOException {
        final String peer = Long.toHexString(fromPeer);
        final Path partial = incomingDir.resolve(PREFIX + peer + "-p" + sinksOpened.incrementAndGet()
            + PARTIAL_SUFFIX);
        final Path complete = incomingDir.resolve(PREFIX + peer + "-" + snapshotIndex);
        final FileChannel channel = FileChannel.open(partial, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
            StandardOpenOption.TRUNCATE_EXISTING);
        return new FileSink(incomingDir, partial, complete, channel);
    }

    private static final class FileSink implements SnapshotSink {
        /**
         * Written bytes synced as they come, not all at the end: the sink runs on the Raft loop, and
         * one fdatasync of a 1.6 GB snapshot held that loop for over a second, long enough for a
         * leader whose quorum needed this member to step down (engine/README.md, issue #21).
         */
        static final long SYNC_EVERY_BYTES = 32L << 20;
        private final Path dir;
        private final Path partial;
        private final Path complete;
        private final FileChannel channel;
        private long unsyncedBytes;

        FileSink(final Path dir, final Path partial, final Path complete, final FileChannel channel) {
            this.dir = dir;
            this.partial = partial;
            this.complete = complete;
            this.channel = channel;
        }

        @Override
        public void write(final long offsetBytes, final ByteBuffer src) throws IOException {
            long position = offsetBytes;
            while (src.hasRemaining()) {
                position += channel.write(src, position);
            }
            unsyncedBytes += position - offsetBytes;
            if (unsyncedBytes >= SYNC_EVERY_BYTES) {
                channel.force(false);
                unsyncedBytes = 0;
            }
        }

        @Override
        public byte[] complete() throws IOException {
            try {
                channel.force(false); // fdatasync: the bytes before the name
                channel.close();
                Files.move(partial, complete, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
                try (FileChannel directory = FileChannel.open(dir, StandardOpenOption.READ)) {
                    directory.force(true); // the new name survives a power cut
                }
            } catch (final IOException e) {
                abort();
                Files.deleteIfExists(complete);
                throw e;
            }
            return complete.toString().getBytes(StandardCharsets.UTF_8);
        }

        @Override
        public void abort() {
            try {
                channel.close();
                Files.deleteIfExists(partial);
            } catch (final IOException e) {
                System.getLogger(FileSnapshotStore.class.getName()).log(System.Logger.Level.WARNING,
                    "cannot delete the partial snapshot " + partial + ": " + e);
            }
        }
    }

    /**
     * The snapshot index a complete received file's name ends with ({@code db.incoming-<peer>-<index>});
     * {@link Long#MAX_VALUE} for any other file (a partial one, say).
     */
    public static long receivedIndex(final Path file) {
        final String name = file.getFileName().toString();
        if (!name.startsWith(PREFIX) || name.endsWith(PARTIAL_SUFFIX)) {
            return Long.MAX_VALUE;
        }
        final String index = name.substring(name.lastIndexOf('-') + 1);
        return !index.isEmpty() && index.length() < 19 && index.chars().allMatch(Character::isDigit)
            ? Long.parseLong(index) : Long.MAX_VALUE;
    }

    /** The file a delivered SNAPSHOT message's {@code data} names. */
    public static Path receivedFile(final Message snapshotMessage) {
        return Path.of(new String(snapshotMessage.snapshot().data(), StandardCharsets.UTF_8));
    }
}
