package io.cairn.engine.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cairn.btree.Env;
import io.cairn.btree.EnvOptions;
import io.cairn.btree.ReadTxn;
import io.cairn.engine.api.EtcdError;
import io.cairn.engine.api.EtcdException;
import io.cairn.engine.auth.AuthInfo;
import io.cairn.engine.auth.AuthOp;
import io.cairn.engine.backend.BtreeView;
import io.cairn.engine.cluster.Alarm;
import io.cairn.engine.command.Command;
import io.cairn.engine.command.CommandCodec;
import io.cairn.engine.mvcc.KeyRange;
import io.cairn.engine.mvcc.KeyValue;
import io.cairn.engine.mvcc.OpResult;
import io.cairn.engine.mvcc.RangeQuery;
import io.cairn.engine.mvcc.TxnOp;
import io.cairn.raft.Entry;
import io.cairn.raft.EntryType;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The applier on a real B+tree: a command that is refused leaves no trace in the tree, the revision
 * counter or the lessor, even when the refusal comes after some of its writes (here the tree's
 * value limit, set below what the request checks let through), and the rest of its batch applies
 * as if it had never been there.
 */
class CommandApplierTest {
    private static final int TREE_VALUE_BYTES_MAX = 4_096;

    @TempDir
    Path dir;

    @Test
    void aCommandRefusedAfterItsFirstWriteLeavesNoTrace() throws Exception {
        try (Env env = Env.open(dir.resolve("db"),
            EnvOptions.defaults().withSyncOnCommit(false).withMaxValueBytes(TREE_VALUE_BYTES_MAX))) {
            final CommandApplier applier = new CommandApplier(env, 2);
            final Map<Long, Object> outcomes = new HashMap<>();
            final List<Entry> batch = new ArrayList<>();
            batch.add(entry(1, new Command.Write(11, put("x", "1"))));
            batch.add(entry(2, new Command.LeaseGrant(12, 77, 60)));
            // Refused by the tree at its second put, after the first one was written.
            batch.add(entry(3, new Command.Write(13, new TxnOp.Txn(List.of(),
                List.of(put("a", "1"), new TxnOp.Put(bytes("b"), new byte[TREE_VALUE_BYTES_MAX + 1], 0, false,
                    false, false)), List.of()))));
            batch.add(entry(4, new Command.Write(14, new TxnOp.Put(bytes("c"), bytes("3"), 77, false, false, false))));
            applier.apply(batch, outcomes::put);

            assertEquals(2L, ((OpResult.Put)outcomes.get(11L)).revision());
            assertInstanceOf(IllegalArgumentException.class, outcomes.get(13L), "the oversized Txn is refused");
            assertEquals(3L, ((OpResult.Put)outcomes.get(14L)).revision(), "c takes the revision after x");
            assertEquals(3, applier.store().currentRevision());
            assertEquals(4, applier.appliedIndex());
            assertTrue(applier.lessor().exists(77), "the grant in the same batch stands");
            assertEquals("{c=3, x=2}", keysAt(env, applier, 0));
            assertEquals("{x=2}", keysAt(env, applier, 2));

            // The next batch carries on from there.
            applier.apply(List.of(entry(5, new Command.Write(15, put("d", "4")))), outcomes::put);
            assertEquals(4L, ((OpResult.Put)outcomes.get(15L)).revision());
            assertEquals("{c=3, d=4, x=2}", keysAt(env, applier, 0));
        }
    }

    /**
     * A plain Put is applied in place from its entry only while no alarm is raised and auth is off;
     * an alarm raised or auth enabled earlier in the same batch still refuses the puts after it.
     */
    @Test
    void aPutAfterAnAlarmOrAuthInItsBatchIsRefusedAsAnyWrite() throws Exception {
        try (Env env = Env.open(dir.resolve("db"), EnvOptions.defaults().withSyncOnCommit(false))) {
            final CommandApplier applier = new CommandApplier(env, 2);
            final Map<Long, Object> outcomes = new HashMap<>();
            final Alarm noSpace = new Alarm(1, Alarm.Kind.NOSPACE);
            applier.apply(List.of(
                entry(1, new Command.Write(11, put("x", "1"))),
                entry(2, new Command.AlarmChange(12, true, noSpace)),
                entry(3, new Command.Write(13, put("y", "1"))),
                entry(4, new Command.AlarmChange(14, false, noSpace)),
                entry(5, new Command.Write(15, put("z", "1"))),
                entry(6, new Command.AuthChange(16, AuthInfo.NONE, new AuthOp.UserAdd("root", "", true))),
                entry(7, new Command.AuthChange(17, AuthInfo.NONE, new AuthOp.UserGrantRole("root", "root"))),
                entry(8, new Command.AuthChange(18, AuthInfo.NONE, new AuthOp.Enable())),
                entry(9, new Command.Write(19, put("w", "1")))), outcomes::put);

            assertEquals(2L, ((OpResult.Put)outcomes.get(11L)).revision());
            assertEquals(EtcdError.NO_SPACE, ((EtcdException)outcomes.get(13L)).error(), "refused by the alarm");
            assertEquals(3L, ((OpResult.Put)outcomes.get(15L)).revision(), "applied once the alarm is disarmed");
            assertInstanceOf(EtcdException.class, outcomes.get(19L), "refused: auth is on and the put has no user");
            assertEquals("{x=2, z=3}", keysAt(env, applier, 0));
        }
    }

    private static String keysAt(final Env env, final CommandApplier applier, final long revision) {
        try (ReadTxn read = env.beginRead()) {
            final List<KeyValue> kvs = applier.store().range(new BtreeView(read),
                new RangeQuery(KeyRange.of(bytes("\0"), bytes("\0")), 0, revision, RangeQuery.SortOrder.NONE,
                    RangeQuery.SortTarget.KEY, false, false, 0, 0, 0, 0)).kvs();
            return kvs.stream().collect(Collectors.toMap(kv -> new String(kv.key(), StandardCharsets.UTF_8),
                KeyValue::modRevision, (a, b) -> a, java.util.TreeMap::new)).toString();
        }
    }

    /** A batch that skips an index would lose the entries skipped: the applier refuses it whole. */
    @Test
    void aBatchWithAGapInItsIndexesIsRefusedAndNothingOfItApplied() throws Exception {
        try (Env env = Env.open(dir.resolve("db"), EnvOptions.defaults().withSyncOnCommit(false))) {
            final CommandApplier applier = new CommandApplier(env, 2);
            applier.apply(List.of(entry(1, new Command.Write(1, put("a", "1")))), (id, result) -> { });
            final long revision = applier.store().currentRevision();
            final List<Entry> gap = List.of(entry(2, new Command.Write(2, put("b", "2"))),
                entry(4, new Command.Write(4, put("d", "4"))));
            final IllegalStateException refused = org.junit.jupiter.api.Assertions.assertThrows(
                IllegalStateException.class, () -> applier.apply(gap, (id, result) -> { }));
            assertTrue(refused.getMessage().contains("entries 3 to 3 were never applied"), refused.getMessage());
            assertEquals(1, applier.appliedIndex());
            assertEquals(revision, applier.store().currentRevision(), "nothing of the batch applied");
        }
    }

    private static Entry entry(final long index, final Command command) {
        return new Entry(2, index, EntryType.NORMAL, CommandCodec.encode(command));
    }

    private static TxnOp.Put put(final String key, final String value) {
        return new TxnOp.Put(bytes(key), bytes(value), 0, false, false, false);
    }

    private static byte[] bytes(final String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
