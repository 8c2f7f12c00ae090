package io.cairn.transport;

/**
 * How this member answered a snapshot sent to it over TCP ({@link AeronTransport#receiveSnapshot}): the HTTP status
 * for the peer listener to write (204 taken; 400 a malformed request; 403 not from a peer of this cluster to this
 * member; 409 the store refused it; 422 its CRC32C did not match; 500 it could not be written; 503 no transport yet)
 * and a line saying why.
 */
public record SnapshotUploadAnswer(int status, String text) {
    static final SnapshotUploadAnswer TAKEN = new SnapshotUploadAnswer(204, "");

    /** A member whose peer transport has not started (alone in its cluster so far). */
    public static final SnapshotUploadAnswer NO_TRANSPORT = new SnapshotUploadAnswer(503, "this member has no peers");
}
