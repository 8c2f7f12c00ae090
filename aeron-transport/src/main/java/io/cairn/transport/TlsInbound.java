package io.cairn.transport;

import io.aeron.Image;
import io.aeron.logbuffer.FragmentHandler;
import io.aeron.logbuffer.Header;
import org.agrona.DirectBuffer;

/**
 * What arrives on one stream of a TLS member: envelopes of TLS records. Each is admitted on its cleartext header
 * (this cluster, addressed to us, from a known member) and handed to the sender's {@link TlsLink} for that stream,
 * with the Aeron image it came on. A plaintext raft frame (a member without TLS, or an attacker) is dropped and
 * counted: it is never decoded.
 */
final class TlsInbound implements FragmentHandler {
    private final FrameAdmission admission;
    private final TransportCounters counters;
    private final boolean snapshotStream;

    TlsInbound(final FrameAdmission admission, final TransportCounters counters, final boolean snapshotStream) {
        this.admission = admission;
        this.counters = counters;
        this.snapshotStream = snapshotStream;
    }

    @Override
    public void onFragment(final DirectBuffer buffer, final int offset, final int length, final Header header) {
        if (length >= TlsEnvelope.HEADER_BYTES && TlsEnvelope.schemaId(buffer, offset) == FrameAdmission.SCHEMA_ID) {
            counters.framesNotTls.increment();
            return;
        }
        final Peer peer = admission.admit(buffer, offset, length);
        if (peer == null) {
            return;
        }
        final TlsLink link = snapshotStream ? peer.snapshotLink : peer.messageLink;
        if (link == null || !(header.context() instanceof Image image)) {
            counters.framesMalformed.increment();
            return;
        }
        link.onFrame(buffer, offset, length, image.correlationId());
    }
}
