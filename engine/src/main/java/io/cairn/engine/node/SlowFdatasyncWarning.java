package io.cairn.engine.node;

import io.cairn.engine.log.LogField;
import java.time.Duration;
import java.util.function.LongConsumer;

/**
 * etcd's "slow fdatasync" warning: a WAL sync that took more than one second (etcd's
 * warnSyncDuration) is logged with "took" and "expected-duration", the fields etcd's alert
 * runbooks grep. The WAL reports every sync's duration ({@code Wal.observeSyncs}); what counts as
 * slow is the member's business, so the threshold lives here, not in the wal module.
 */
final class SlowFdatasyncWarning implements LongConsumer {
    static final Duration EXPECTED_DURATION = Duration.ofSeconds(1);
    private static final System.Logger LOG = System.getLogger(SlowFdatasyncWarning.class.getName());

    @Override
    public void accept(final long syncNanos) {
        if (syncNanos > EXPECTED_DURATION.toNanos()) {
            LOG.log(System.Logger.Level.WARNING, "slow fdatasync", LogField.of("took", Duration.ofNanos(syncNanos)),
                LogField.of("expected-duration", EXPECTED_DURATION));
        }
    }
}
