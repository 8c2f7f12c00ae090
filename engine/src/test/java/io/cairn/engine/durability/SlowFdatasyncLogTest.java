package io.cairn.engine.durability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.cairn.engine.log.JsonLineFormatter;
import io.cairn.engine.log.LogField;
import io.cairn.etcd.api.etcdserverpb.KVGrpc;
import io.cairn.etcd.api.etcdserverpb.PutRequest;
import io.cairn.posix.Call;
import io.cairn.posix.FaultyPosix;
import io.cairn.posix.NativePosix;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A member whose WAL fdatasync is slowed past etcd's one second (through the storage fault layer)
 * logs etcd's "slow fdatasync" warning with "took" and "expected-duration", and with --logger=zap
 * that event is one JSON line carrying both fields.
 */
class SlowFdatasyncLogTest {
    private static final long AWAIT_SECONDS = 30;
    private static final Duration SLOWED_BY = Duration.ofMillis(1_100);

    @TempDir
    Path dir;

    private final List<LogRecord> warnings = new ArrayList<>();
    private final List<String> jsonLines = new ArrayList<>();
    private final JsonLineFormatter json = new JsonLineFormatter();
    private final Handler capture = new Handler() {
        @Override
        public void publish(final LogRecord record) {
            if ("slow fdatasync".equals(record.getMessage())) {
                // Formatted here, on the logging thread, as the installed handler would.
                final String line = json.format(record);
                synchronized (warnings) {
                    warnings.add(record);
                    jsonLines.add(line);
                }
            }
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    };

    @AfterEach
    void stopCapturing() {
        Logger.getLogger("").removeHandler(capture);
    }

    @Test
    void aSlowWalFdatasyncIsLoggedWithEtcdsFields() throws Exception {
        final FaultyPosix faulty = new FaultyPosix(NativePosix.INSTANCE, dir.resolve("stash"));
        Logger.getLogger("").addHandler(capture);
        try (InProcessServer member = InProcessServer.start(dir.resolve("data"), faulty)) {
            final KVGrpc.KVBlockingStub kv = KVGrpc.newBlockingStub(member.channel);
            put(kv, "before");
            synchronized (warnings) {
                assertEquals(List.of(), jsonLines, "no warning while the disk is fast");
            }
            faulty.delay(Call.FDATASYNC, path -> path.getFileName().toString().endsWith(".wal"), SLOWED_BY);
            put(kv, "slowed");
            faulty.clearFaults();
            awaitWarning();
        }

        final LogRecord record;
        final String line;
        synchronized (warnings) {
            record = warnings.getFirst();
            line = jsonLines.getFirst();
        }
        assertEquals(java.util.logging.Level.WARNING, record.getLevel());
        final Duration took = (Duration) field(record, "took");
        assertTrue(took.compareTo(SLOWED_BY) >= 0, "took " + took + ": the injected delay is part of the sync");
        assertEquals(Duration.ofSeconds(1), field(record, "expected-duration"));

        final JsonObject event = JsonParser.parseString(line).getAsJsonObject();
        assertEquals("warn", event.get("level").getAsString());
        assertEquals("slow fdatasync", event.get("msg").getAsString());
        assertEquals("1s", event.get("expected-duration").getAsString());
        assertTrue(event.get("took").getAsString().matches("1\\.\\d+s|[2-9](\\.\\d+)?s|\\d+m.*"), line);
        assertTrue(event.get("caller").getAsString().startsWith("node/SlowFdatasyncWarning.java:"), line);
    }

    private static void put(final KVGrpc.KVBlockingStub kv, final String key) {
        kv.withDeadlineAfter(AWAIT_SECONDS, TimeUnit.SECONDS).put(PutRequest.newBuilder()
            .setKey(DurabilityWorkload.bytes(key)).setValue(DurabilityWorkload.bytes("v")).build());
    }

    private void awaitWarning() throws InterruptedException {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(AWAIT_SECONDS);
        while (System.nanoTime() < deadline) {
            synchronized (warnings) {
                if (!warnings.isEmpty()) {
                    return;
                }
            }
            Thread.sleep(20);
        }
        throw new AssertionError("no \"slow fdatasync\" warning within " + AWAIT_SECONDS + " s of a sync slowed by "
            + SLOWED_BY);
    }

    private static Object field(final LogRecord record, final String key) {
        for (final Object parameter : record.getParameters()) {
            if (parameter instanceof LogField field && field.key().equals(key)) {
                return field.value();
            }
        }
        throw new AssertionError("no field " + key + " in " + List.of(record.getParameters()));
    }
}
