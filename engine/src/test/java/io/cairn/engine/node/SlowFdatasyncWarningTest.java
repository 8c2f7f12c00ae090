package io.cairn.engine.node;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.cairn.engine.log.LogField;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** etcd's threshold: a sync of exactly one second is fine, one nanosecond more is "slow fdatasync". */
class SlowFdatasyncWarningTest {
    private final Logger jul = Logger.getLogger(SlowFdatasyncWarning.class.getName());
    private final List<LogRecord> logged = new ArrayList<>();
    private final Handler capture = new Handler() {
        @Override
        public void publish(final LogRecord record) {
            logged.add(record);
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    };

    @BeforeEach
    void capture() {
        jul.addHandler(capture);
    }

    @AfterEach
    void release() {
        jul.removeHandler(capture);
    }

    @Test
    void warnsAboveOneSecondOnly() {
        final SlowFdatasyncWarning warning = new SlowFdatasyncWarning();
        warning.accept(0);
        warning.accept(Duration.ofMillis(999).toNanos());
        warning.accept(Duration.ofSeconds(1).toNanos());
        assertEquals(List.of(), logged);

        warning.accept(Duration.ofSeconds(1).toNanos() + 1);
        assertEquals(1, logged.size());
        final LogRecord record = logged.getFirst();
        assertEquals(Level.WARNING, record.getLevel());
        assertEquals("slow fdatasync", record.getMessage());
        assertEquals(List.of(LogField.of("took", Duration.ofNanos(1_000_000_001)),
            LogField.of("expected-duration", Duration.ofSeconds(1))), List.of(record.getParameters()));
    }
}
