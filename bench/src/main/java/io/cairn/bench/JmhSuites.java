package io.cairn.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

/**
 * The JMH suites in this jar: a suite is a package io.cairn.bench.SUITE holding benchmarks
 * (btree, wal, raft, transport...). Read from the benchmark list JMH's annotation processor writes.
 */
final class JmhSuites {
    private static final String BENCHMARK_LIST = "/META-INF/BenchmarkList";
    private static final String PACKAGE = "io.cairn.bench.";

    private JmhSuites() {
    }

    static TreeSet<String> available() throws IOException {
        final TreeSet<String> suites = new TreeSet<>();
        try (InputStream list = JmhSuites.class.getResourceAsStream(BENCHMARK_LIST)) {
            if (list == null) {
                return suites;
            }
            final BufferedReader reader = new BufferedReader(new InputStreamReader(list, StandardCharsets.UTF_8));
            for (String line = reader.readLine(); line != null; line = reader.readLine()) {
                final int start = line.indexOf(PACKAGE);
                if (start >= 0) {
                    final int end = line.indexOf('.', start + PACKAGE.length());
                    if (end > 0) {
                        suites.add(line.substring(start + PACKAGE.length(), end));
                    }
                }
            }
        }
        return suites;
    }

    /** JMH's command line for one suite plus the caller's extra JMH arguments. */
    static String[] arguments(final String suite, final List<String> jmhArguments) throws IOException {
        final TreeSet<String> suites = available();
        if (!suites.contains(suite)) {
            throw new IllegalArgumentException("no JMH suite \"" + suite + "\"; suites in this build: "
                + (suites.isEmpty() ? "none" : String.join(", ", suites)));
        }
        final List<String> arguments = new ArrayList<>();
        arguments.add(PACKAGE.replace(".", "\\.") + suite + "\\..*");
        arguments.addAll(jmhArguments);
        return arguments.toArray(String[]::new);
    }
}
