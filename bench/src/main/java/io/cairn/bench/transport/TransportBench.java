package io.cairn.bench.transport;

import io.aeron.driver.ThreadingMode;
import io.cairn.transport.AeronTransport;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.List;
import org.HdrHistogram.Histogram;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.BusySpinIdleStrategy;
import org.agrona.concurrent.IdleStrategy;

/**
 * Peer transport between two processes on loopback: round trip of an APPEND carrying one 64-byte and one 4 KiB
 * entry (p50/p99/p99.9), and one-way throughput of APPENDs carrying 256-byte entries, for the Aeron transport
 * (driver run by the polling thread with busy spin; the production default, a SHARED driver thread with backoff
 * idling; the same with an 8 KiB MTU) and for a plain TCP socket with frames of the same sizes.
 *
 * <p>{@code java -cp bench/target/benchmarks.jar io.cairn.bench.transport.TransportBench [roundTrips] [oneWayMessages]}
 */
public final class TransportBench {
    private static final int[] ENTRY_BYTES = {64, 4096};
    private static final int THROUGHPUT_ENTRY_BYTES = 256;
    private static final int[] ENTRIES_PER_MESSAGE = {1, 16};
    private static final PrintStream OUT = System.out;
    private static final int DEFAULT_MTU_BYTES = 1408;
    /** What a jumbo-frame network (or loopback) allows: 6x fewer datagrams, so fewer system calls per byte. */
    private static final int JUMBO_MTU_BYTES = 8192;

    private TransportBench() {
    }

    public static void main(final String[] args) throws Exception {
        if (args.length > 0 && args[0].equals("aeron-serve")) {
            serveAeron(Integer.parseInt(args[1]), Integer.parseInt(args[2]), ThreadingMode.valueOf(args[3]),
                Integer.parseInt(args[4]), Boolean.parseBoolean(args[5]));
            return;
        }
        if (args.length > 0 && args[0].equals("tcp-serve")) {
            try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
                System.out.println("PORT " + server.getLocalPort());
                System.out.println("READY");
                System.out.flush();
                TcpPingPong.serve(server);
            }
            return;
        }
        final int roundTrips = args.length > 0 ? Integer.parseInt(args[0]) : 50_000;
        final int oneWayMessages = args.length > 1 ? Integer.parseInt(args[1]) : 1_000_000;
        final List<String> rows = new ArrayList<>();
        rows.addAll(aeron(ThreadingMode.INVOKER, DEFAULT_MTU_BYTES, new BusySpinIdleStrategy(), roundTrips,
            oneWayMessages));
        rows.addAll(aeron(ThreadingMode.SHARED, DEFAULT_MTU_BYTES, new BackoffIdleStrategy(),
            Math.max(1, roundTrips / 5), oneWayMessages));
        rows.addAll(aeron(ThreadingMode.SHARED, JUMBO_MTU_BYTES, new BackoffIdleStrategy(),
            Math.max(1, roundTrips / 5), oneWayMessages));
        rows.addAll(tcp(roundTrips, oneWayMessages));
        OUT.println();
        OUT.println("| transport | measurement | p50 µs | p99 µs | p99.9 µs | max µs | throughput |");
        OUT.println("|---|---|---|---|---|---|---|");
        rows.forEach(OUT::println);
    }

    private static List<String> aeron(final ThreadingMode mode, final int mtuBytes, final IdleStrategy idle,
                                      final int roundTrips, final int oneWayMessages) throws Exception {
        final String name = (mode == ThreadingMode.INVOKER ? "Aeron, driver in poll, busy spin"
            : "Aeron, SHARED driver, backoff") + ", mtu " + mtuBytes;
        final List<String> rows = new ArrayList<>();
        for (final boolean sink : new boolean[] {false, true}) {
            final int myPort = freeUdpPort();
            final int peerPort = freeUdpPort();
            final ChildProcess child = ChildProcess.start("aeron-serve", Integer.toString(peerPort),
                Integer.toString(myPort), mode.name(), Integer.toString(mtuBytes), Boolean.toString(sink));
            try (AeronPingPong pinger = new AeronPingPong(1, myPort, peerPort, mode, mtuBytes, idle, false)) {
                pinger.awaitConnected();
                if (!sink) {
                    for (final int entryBytes : ENTRY_BYTES) {
                        final int frame = AeronTransport.frameBytes(AeronPingPong.append(1, 2, 1, entryBytes));
                        final Histogram h = pinger.pingPong(entryBytes, roundTrips / 5, roundTrips);
                        rows.add(latencyRow(name, "round trip, APPEND 1 × " + entryBytes + " B entry (" + frame
                            + " B frame)", h));
                    }
                } else {
                    for (final int entries : ENTRIES_PER_MESSAGE) {
                        final int messages = oneWayMessages / entries;
                        pinger.oneWay(messages / 5, entries, THROUGHPUT_ENTRY_BYTES); // warm-up
                        final long ns = pinger.oneWay(messages, entries, THROUGHPUT_ENTRY_BYTES);
                        final int frame = AeronTransport.frameBytes(AeronPingPong.append(1, 2, entries,
                            THROUGHPUT_ENTRY_BYTES));
                        rows.add(throughputRow(name, "one way, APPEND " + entries + " × " + THROUGHPUT_ENTRY_BYTES
                            + " B entries (" + frame + " B frame), back-pressured sends " + pinger.backPressured(),
                            messages, entries, frame, ns));
                    }
                }
            } finally {
                child.close();
            }
        }
        return rows;
    }

    private static List<String> tcp(final int roundTrips, final int oneWayMessages) throws Exception {
        final List<String> rows = new ArrayList<>();
        for (final boolean oneWay : new boolean[] {false, true}) {
            final ServerPort server = ServerPort.start();
            try (TcpPingPong client = TcpPingPong.connect(server.port)) {
                if (!oneWay) {
                    for (final int entryBytes : ENTRY_BYTES) {
                        final int frame = AeronTransport.frameBytes(AeronPingPong.append(1, 2, 1, entryBytes));
                        final Histogram h = client.pingPong(frame, roundTrips / 5, roundTrips);
                        rows.add(latencyRow("TCP socket, blocking", "round trip, " + frame + " B frame", h));
                    }
                } else {
                    for (final int entries : ENTRIES_PER_MESSAGE) {
                        final int messages = oneWayMessages / entries;
                        final int frame = AeronTransport.frameBytes(AeronPingPong.append(1, 2, entries,
                            THROUGHPUT_ENTRY_BYTES));
                        client.oneWay(messages / 5, frame);
                        final long ns = client.oneWay(messages, frame);
                        rows.add(throughputRow("TCP socket, blocking", "one way, " + frame + " B frames (" + entries
                            + " × " + THROUGHPUT_ENTRY_BYTES + " B entries)", messages, entries, frame, ns));
                    }
                }
            } finally {
                server.child.close();
            }
        }
        return rows;
    }

    /** The TCP echo child and the port it chose (it prints it before READY). */
    private record ServerPort(ChildProcess child, int port) {
        static ServerPort start() throws IOException {
            final int[] port = new int[1];
            final ChildProcess child = ChildProcess.start(line -> {
                if (line.startsWith("PORT ")) {
                    port[0] = Integer.parseInt(line.substring(5));
                }
            }, "tcp-serve");
            return new ServerPort(child, port[0]);
        }
    }

    private static String latencyRow(final String transport, final String what, final Histogram h) {
        return String.format("| %s | %s | %.1f | %.1f | %.1f | %.1f | %d round trips |", transport, what,
            h.getValueAtPercentile(50) / 1e3, h.getValueAtPercentile(99) / 1e3, h.getValueAtPercentile(99.9) / 1e3,
            h.getMaxValue() / 1e3, h.getTotalCount());
    }

    private static String throughputRow(final String transport, final String what, final int messages,
                                        final int entriesPerMessage, final int frameBytes, final long ns) {
        final double seconds = ns / 1e9;
        return String.format("| %s | %s | | | | | %.0f msg/s, %.0f entries/s, %.0f MiB/s |", transport, what,
            messages / seconds, (double) messages * entriesPerMessage / seconds,
            (double) messages * frameBytes / seconds / (1 << 20));
    }

    private static void serveAeron(final int myPort, final int peerPort, final ThreadingMode mode, final int mtuBytes,
                                   final boolean sink) {
        final IdleStrategy idle = mode == ThreadingMode.INVOKER ? new BusySpinIdleStrategy() : new BackoffIdleStrategy();
        final Thread stdin = stdinWatcher();
        try (AeronPingPong side = new AeronPingPong(2, myPort, peerPort, mode, mtuBytes, idle, sink)) {
            System.out.println("READY");
            System.out.flush();
            side.serveUntil(() -> !stdin.isAlive());
        }
    }

    private static Thread stdinWatcher() {
        final Thread watcher = new Thread(() -> {
            final InputStream in = System.in;
            try {
                while (in.read() >= 0) {
                    // only the end of the stream matters: the parent closing it means stop
                }
            } catch (final IOException e) {
                // a broken pipe means stop as well
            }
        }, "stdin-watcher");
        watcher.setDaemon(true);
        watcher.start();
        return watcher;
    }

    private static int freeUdpPort() throws IOException {
        try (DatagramSocket socket = new DatagramSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
