package io.cairn.engine.node;

import io.cairn.engine.api.EtcdError;
import io.cairn.engine.api.EtcdException;
import io.cairn.engine.cluster.Alarm;
import io.cairn.engine.command.Command;
import io.cairn.engine.mvcc.TxnOp;
import java.util.List;

/**
 * What a raised alarm refuses when an entry is applied, as etcd 3.4's appliers do; being applied
 * state, the same on every member. CORRUPT refuses every write, compaction, lease grant and revoke
 * ("corrupt cluster"); NOSPACE refuses what adds data: puts, Txns with a put in either branch, and
 * lease grants ("database space exceeded"). CORRUPT is checked first (etcd's outer applier). Reads
 * are never proposed, so never refused here. A refused entry changes nothing.
 */
final class AlarmRefusals {
    private AlarmRefusals() {
    }

    /** Throws the refusal {@code raised} alarms give {@code command}; returns if it may be applied. */
    static void check(final List<Alarm> raised, final Command command) {
        if (raised.isEmpty()) {
            return;
        }
        if (isRaised(raised, Alarm.Kind.CORRUPT) && refusedWhileCorrupt(command)) {
            throw new EtcdException(EtcdError.CORRUPT);
        }
        if (isRaised(raised, Alarm.Kind.NOSPACE) && addsData(command)) {
            throw new EtcdException(EtcdError.NO_SPACE);
        }
    }

    private static boolean isRaised(final List<Alarm> raised, final Alarm.Kind kind) {
        for (final Alarm alarm : raised) {
            if (alarm.kind() == kind) {
                return true;
            }
        }
        return false;
    }

    private static boolean refusedWhileCorrupt(final Command command) {
        return command instanceof Command.Write || command instanceof Command.Compact
            || command instanceof Command.LeaseGrant || command instanceof Command.LeaseRevoke;
    }

    /** etcd's quota cost above zero: a put, a Txn with a put at its top level, a lease grant. */
    private static boolean addsData(final Command command) {
        return switch (command) {
            case Command.LeaseGrant grant -> true;
            case Command.Write write -> switch (write.op()) {
                case TxnOp.Put put -> true;
                case TxnOp.Txn txn -> hasPut(txn.success()) || hasPut(txn.failure());
                case TxnOp.DeleteRange delete -> false;
                case TxnOp.Range range -> false;
            };
            default -> false;
        };
    }

    private static boolean hasPut(final List<TxnOp> ops) {
        for (final TxnOp op : ops) {
            if (op instanceof TxnOp.Put) {
                return true;
            }
        }
        return false;
    }
}
