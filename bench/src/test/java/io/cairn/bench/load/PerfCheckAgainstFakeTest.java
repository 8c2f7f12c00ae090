package io.cairn.bench.load;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cairn.bench.perf.PerfCheck;
import io.cairn.bench.perf.PerfProfile;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class PerfCheckAgainstFakeTest {
    private static String check(final FakeEtcdServer server, final int[] exit) throws Exception {
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (Connections connections = Connections.open(server.endpoint(), 1)) {
            exit[0] = PerfCheck.run(server.endpoint(), connections.channels(), PerfProfile.S, 1,
                new PrintStream(bytes, true, StandardCharsets.UTF_8));
        }
        return bytes.toString(StandardCharsets.UTF_8);
    }

    @Test
    void aFastHealthyEndpointPasses() throws Exception {
        try (FakeEtcdServer server = new FakeEtcdServer(n -> 200, 0)) {
            final int[] exit = new int[1];
            final String out = check(server, exit);
            assertEquals(0, exit[0], out);
            assertTrue(out.contains("PASS: Throughput is") && out.trim().endsWith("PASS"), out);
            assertEquals(150 + 1, server.received(), "one probe Range, then 150 puts in one second");
        }
    }

    @Test
    void errorsFailIt() throws Exception {
        try (FakeEtcdServer server = new FakeEtcdServer(n -> 200, 10)) {
            final int[] exit = new int[1];
            final String out = check(server, exit);
            assertEquals(1, exit[0], out);
            assertTrue(out.contains("FAIL: ERROR(UNAVAILABLE)"), out);
        }
    }
}
