package io.cairn.bench.transport;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import org.HdrHistogram.Histogram;

/**
 * The baseline: a plain blocking TCP socket on loopback (TCP_NODELAY), frames of the same byte length as the
 * Aeron side's SBE frames, prefixed by a 4-byte length. No encoding or decoding of Raft messages: a lower bound
 * for any TCP transport, which makes the comparison generous to TCP.
 */
final class TcpPingPong implements AutoCloseable {
    private static final int BUFFER_BYTES = 64 * 1024;

    private final Socket socket;
    private final DataInputStream in;
    private final DataOutputStream out;

    private TcpPingPong(final Socket socket) throws IOException {
        this.socket = socket;
        socket.setTcpNoDelay(true);
        this.in = new DataInputStream(new BufferedInputStream(socket.getInputStream(), BUFFER_BYTES));
        this.out = new DataOutputStream(new BufferedOutputStream(socket.getOutputStream(), BUFFER_BYTES));
    }

    static TcpPingPong connect(final int port) throws IOException {
        return new TcpPingPong(new Socket(InetAddress.getLoopbackAddress(), port));
    }

    /** Echo side: returns every frame; a zero-length frame is the one-way marker, answered with the frame count. */
    static void serve(final ServerSocket server) throws IOException {
        try (TcpPingPong side = new TcpPingPong(server.accept())) {
            byte[] frame = new byte[BUFFER_BYTES];
            long framesSinceMarker = 0;
            boolean echo = true;
            while (true) {
                final int length;
                try {
                    length = side.in.readInt();
                } catch (final java.io.EOFException closed) {
                    return;
                }
                if (length < 0) {
                    echo = false; // one-way phase from here on
                    continue;
                }
                if (length == 0) {
                    side.out.writeInt(8);
                    side.out.writeLong(framesSinceMarker);
                    side.out.flush();
                    framesSinceMarker = 0;
                    continue;
                }
                if (length > frame.length) {
                    frame = new byte[length];
                }
                side.in.readFully(frame, 0, length);
                framesSinceMarker++;
                if (echo) {
                    side.out.writeInt(length);
                    side.out.write(frame, 0, length);
                    side.out.flush();
                }
            }
        }
    }

    Histogram pingPong(final int frameBytes, final int warmup, final int measured) throws IOException {
        final byte[] frame = new byte[frameBytes];
        final byte[] reply = new byte[frameBytes];
        final Histogram histogram = new Histogram(3);
        for (int i = 0; i < warmup + measured; i++) {
            final long startNs = System.nanoTime();
            out.writeInt(frameBytes);
            out.write(frame);
            out.flush();
            in.readFully(reply, 0, in.readInt());
            if (i >= warmup) {
                histogram.recordValue(System.nanoTime() - startNs);
            }
        }
        return histogram;
    }

    /** Frames one way through a buffered stream (as a TCP transport would batch), then the count; nanoseconds. */
    long oneWay(final int frames, final int frameBytes) throws IOException {
        final byte[] frame = new byte[frameBytes];
        out.writeInt(-1);
        final long startNs = System.nanoTime();
        for (int i = 0; i < frames; i++) {
            out.writeInt(frameBytes);
            out.write(frame);
        }
        out.writeInt(0);
        out.flush();
        in.readInt();
        final long counted = in.readLong();
        final long elapsedNs = System.nanoTime() - startNs;
        if (counted != frames) {
            throw new IllegalStateException("echo counted " + counted + " frames, sent " + frames);
        }
        return elapsedNs;
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
