package io.cairn.engine.command;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.cairn.engine.auth.AuthInfo;
import io.cairn.engine.auth.AuthOp;
import io.cairn.engine.auth.Permission;
import io.cairn.engine.cluster.Alarm;
import io.cairn.engine.lease.Lessor;
import io.cairn.engine.mvcc.Compare;
import io.cairn.engine.mvcc.KeyRange;
import io.cairn.engine.mvcc.RangeQuery;
import io.cairn.engine.mvcc.TxnOp;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Random commands (every operation, lease grants, revokes and checkpoints, every enum value including the undefined ones, nested txns,
 * empty and large byte strings) survive encode/decode exactly. Replay with -Dcairn.command.seed.
 */
class CommandCodecTest {
    @Test
    void randomCommandsRoundTrip() {
        final long seed = Long.getLong("cairn.command.seed", System.nanoTime());
        final SplittableRandom random = new SplittableRandom(seed);
        for (int i = 0; i < 2_000; i++) {
            final Command command = switch (random.nextInt(20)) {
                case 0, 1 -> new Command.Compact(random.nextLong(), random.nextLong(), random.nextBoolean());
                case 2 -> new Command.LeaseGrant(random.nextLong(), random.nextLong(), random.nextLong());
                case 3 -> new Command.LeaseRevoke(random.nextLong(), random.nextLong());
                case 4 -> new Command.LeaseCheckpoint(random.nextLong(), checkpoints(random));
                case 5 -> new Command.AlarmChange(random.nextLong(), random.nextBoolean(),
                    new Alarm(random.nextLong(), random.nextBoolean() ? Alarm.Kind.NOSPACE : Alarm.Kind.CORRUPT));
                case 6 -> new Command.AuthChange(random.nextLong(), caller(random), authOp(random));
                case 7 -> new Command.Authenticate(random.nextLong(), text(random), text(random));
                case 8 -> new Command.Write(random.nextLong(), op(random, 0), caller(random));
                default -> new Command.Write(random.nextLong(), op(random, 0));
            };
            final Command decoded = CommandCodec.decode(CommandCodec.encode(command));
            assertEquals(describe(command), describe(decoded), "seed " + seed + " command " + i);
        }
    }

    @Test
    void refusesBytesThatAreNotACommand() {
        final IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
            () -> CommandCodec.decode(new byte[] {1, 0, 1, 0, 9, 0, 1, 0}));
        assertEquals("log entry is not a command (schema 9)", e.getMessage());
    }

    private static List<Lessor.Checkpoint> checkpoints(final SplittableRandom random) {
        final List<Lessor.Checkpoint> checkpoints = new ArrayList<>();
        for (int i = random.nextInt(5); i > 0; i--) {
            checkpoints.add(new Lessor.Checkpoint(random.nextLong(), random.nextLong()));
        }
        return checkpoints;
    }

    private static TxnOp op(final SplittableRandom random, final int depth) {
        return switch (random.nextInt(depth < 3 ? 4 : 3)) {
            case 0 -> new TxnOp.Put(bytes(random), bytes(random), random.nextLong(), random.nextBoolean(),
                random.nextBoolean(), random.nextBoolean());
            case 1 -> new TxnOp.DeleteRange(range(random), random.nextBoolean());
            case 2 -> new TxnOp.Range(new RangeQuery(range(random), random.nextLong(), random.nextLong(),
                pick(random, RangeQuery.SortOrder.values()), pick(random, RangeQuery.SortTarget.values()),
                random.nextBoolean(), random.nextBoolean(), random.nextLong(), random.nextLong(), random.nextLong(),
                random.nextLong()));
            default -> {
                final List<Compare> compares = new ArrayList<>();
                for (int i = random.nextInt(4); i > 0; i--) {
                    final Compare.Target target = pick(random, Compare.Target.values());
                    final boolean numeric = target != Compare.Target.VALUE && target != Compare.Target.OTHER;
                    compares.add(new Compare(range(random), target, pick(random, Compare.Result.values()),
                        numeric ? random.nextLong() : 0, target == Compare.Target.VALUE ? bytes(random) : new byte[0]));
                }
                yield new TxnOp.Txn(compares, ops(random, depth), ops(random, depth));
            }
        };
    }

    private static List<TxnOp> ops(final SplittableRandom random, final int depth) {
        final List<TxnOp> ops = new ArrayList<>();
        for (int i = random.nextInt(4); i > 0; i--) {
            ops.add(op(random, depth + 1));
        }
        return ops;
    }

    private static KeyRange range(final SplittableRandom random) {
        return KeyRange.of(bytes(random), random.nextBoolean() ? new byte[0] : bytes(random));
    }

    private static byte[] bytes(final SplittableRandom random) {
        final byte[] b = new byte[random.nextInt(10) == 0 ? random.nextInt(70_000) : random.nextInt(20)];
        random.nextBytes(b);
        return b;
    }

    private static <T> T pick(final SplittableRandom random, final T[] values) {
        return values[random.nextInt(values.length)];
    }

    /** A canonical text of a command: records hold byte arrays, whose equals is identity. */
    private static AuthInfo caller(final SplittableRandom random) {
        return random.nextInt(4) == 0 ? AuthInfo.NONE : new AuthInfo(text(random), random.nextLong());
    }

    private static String text(final SplittableRandom random) {
        final StringBuilder text = new StringBuilder();
        final int length = random.nextInt(12);
        for (int i = 0; i < length; i++) {
            text.append((char)(random.nextBoolean() ? 'a' + random.nextInt(26) : 0x3b1 + random.nextInt(20)));
        }
        return text.toString();
    }

    private static AuthOp authOp(final SplittableRandom random) {
        final byte[] key = bytes(random);
        final byte[] rangeEnd = bytes(random);
        return switch (random.nextInt(11)) {
            case 0 -> new AuthOp.Enable();
            case 1 -> new AuthOp.Disable();
            case 2 -> new AuthOp.UserAdd(text(random), "$2a$10$" + text(random), random.nextBoolean());
            case 3 -> new AuthOp.UserDelete(text(random));
            case 4 -> new AuthOp.UserChangePassword(text(random), "$2a$04$" + text(random));
            case 5 -> new AuthOp.UserGrantRole(text(random), text(random));
            case 6 -> new AuthOp.UserRevokeRole(text(random), text(random));
            case 7 -> new AuthOp.RoleAdd(text(random));
            case 8 -> new AuthOp.RoleDelete(text(random));
            case 9 -> new AuthOp.RoleGrantPermission(text(random),
                new Permission(Permission.Type.values()[random.nextInt(3)], key, rangeEnd));
            default -> new AuthOp.RoleRevokePermission(text(random), key, rangeEnd);
        };
    }

    private static String describe(final Object value) {
        return switch (value) {
            case byte[] b -> HexFormat.of().formatHex(b);
            case Record r -> r.getClass().getSimpleName() + Arrays.stream(r.getClass().getRecordComponents())
                .map(c -> {
                    try {
                        return describe(c.getAccessor().invoke(r));
                    } catch (final ReflectiveOperationException e) {
                        throw new AssertionError(e);
                    }
                }).toList();
            case List<?> list -> list.stream().map(CommandCodecTest::describe).toList().toString();
            default -> String.valueOf(value);
        };
    }
}
