package io.cairn.engine.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cairn.chaos.Seeds;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * The plain parser reads a command line exactly as picocli would, or declines it: for random
 * command lines (known and unknown flags, repeated flags, both spellings, numbers, booleans, texts
 * that picocli might treat specially), whenever the plain parser accepts, picocli accepts too and
 * sets every field of the flags alike. The seed is printed; replay one with
 * {@code -Dcairn.flags.seed=<seed>}.
 */
class PlainFlagParserTest {
    private static final int SEEDS = 20;
    private static final int COMMAND_LINES_PER_SEED = 500;
    private static final List<String> VALUES = List.of("", "0", "1", "-5", "010", "+3", "1e3", "123456789012",
        "99999999999999999999", "true", "false", "TRUE", "yes", "infra1", "x y", "\"quoted\"", "'single'",
        "@file", "-x", "--name", "http://127.0.0.1:2379,http://127.0.0.1:22379", "a=http://h:2380", "5m", "=");

    @Test
    void acceptsOnlyWhatPicocliReadsAlike() throws Exception {
        final List<String> names = new ArrayList<>(ServerFlags.plain(new ServerFlags()).names());
        names.sort(null);
        names.addAll(List.of("--nope", "-h", "--h"));
        final int[] accepted = {0};
        Seeds.run("cairn.flags.seed", SEEDS, seed -> {
            final Random random = new Random(seed);
            for (int n = 0; n < COMMAND_LINES_PER_SEED; n++) {
                final List<String> args = commandLine(random, names);
                if (compare(args)) {
                    accepted[0]++;
                }
            }
        });
        System.out.println(accepted[0] + " of " + SEEDS * COMMAND_LINES_PER_SEED + " command lines parsed plainly");
        assertTrue(accepted[0] > SEEDS * COMMAND_LINES_PER_SEED / 10, "too few command lines parsed plainly to compare");
    }

    @Test
    void anOrdinaryStartIsPlain() throws Exception {
        assertTrue(compare(List.of("--name", "m1", "--data-dir=/var/lib/etcd", "--listen-client-urls",
            "https://10.0.0.1:2379", "--initial-cluster=m1=https://10.0.0.1:2380,m2=https://10.0.0.2:2380",
            "--initial-cluster-state", "new", "--snapshot-count=10000", "--client-cert-auth", "--auto-tls=false",
            "--quota-backend-bytes", "8589934592")));
        assertTrue(compare(List.of()), "no flags at all: the defaults");
    }

    /** Whether the plain parser accepted {@code args}; if it did, picocli's flags must equal its. */
    private static boolean compare(final List<String> args) throws Exception {
        final ServerFlags plainFlags = new ServerFlags();
        if (!ServerFlags.plain(plainFlags).parse(args)) {
            return false;
        }
        final ServerFlags picocliFlags = new ServerFlags();
        try {
            new CommandLine(PicocliCommandLine.spec(picocliFlags)).parseArgs(args.toArray(String[]::new));
        } catch (final CommandLine.ParameterException e) {
            throw new AssertionError("the plain parser accepted " + args + " but picocli refused it: " + e.getMessage());
        }
        assertEquals(fields(picocliFlags), fields(plainFlags), "flags from " + args);
        return true;
    }

    private static List<String> commandLine(final Random random, final List<String> names) {
        final List<String> args = new ArrayList<>();
        final int count = random.nextInt(6);
        for (int i = 0; i < count; i++) {
            final String name = names.get(random.nextInt(names.size()));
            final String value = VALUES.get(random.nextInt(VALUES.size()));
            switch (random.nextInt(4)) {
                case 0 -> args.add(name + "=" + value);
                case 1 -> {
                    args.add(name);
                    args.add(value);
                }
                case 2 -> args.add(name);
                default -> args.add(value);
            }
        }
        return args;
    }

    private static Map<String, Object> fields(final ServerFlags flags) throws IllegalAccessException {
        final Map<String, Object> values = new LinkedHashMap<>();
        for (final Field field : ServerFlags.class.getDeclaredFields()) {
            if (!Modifier.isStatic(field.getModifiers())) {
                values.put(field.getName(), field.get(flags));
            }
        }
        return values;
    }
}
