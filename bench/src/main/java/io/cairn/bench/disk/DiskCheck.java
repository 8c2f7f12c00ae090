package io.cairn.bench.disk;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * {@code cairn-bench check disk --dir DIR}: runs every job file of fio-profiles in DIR with fio,
 * prints each job's figures, and judges the disk by the WAL-pattern job (etcd-wal.fio).
 */
public final class DiskCheck {
    static final String WAL_JOB = "etcd-wal.fio";
    private static final long FIO_TIMEOUT_MINUTES = 10;

    private DiskCheck() {
    }

    /** Returns the exit code: 0 when the disk meets etcd's guidance. */
    public static int run(final Path directory, final Path profiles, final String fio, final PrintStream out)
        throws IOException, InterruptedException {
        Files.createDirectories(directory);
        final List<Path> jobs;
        try (Stream<Path> files = Files.list(profiles)) {
            jobs = files.filter(p -> p.toString().endsWith(".fio")).sorted().toList();
        }
        if (jobs.stream().noneMatch(p -> p.getFileName().toString().equals(WAL_JOB))) {
            throw new IllegalArgumentException("no " + WAL_JOB + " in " + profiles);
        }
        FioResult wal = null;
        final List<FioResult> results = new ArrayList<>();
        for (final Path job : jobs) {
            final FioResult result = FioResult.parse(runFio(fio, directory, job));
            results.add(result);
            if (job.getFileName().toString().equals(WAL_JOB)) {
                wal = result;
            }
            out.printf(Locale.ROOT, "%-20s write IOPS %10.0f  read IOPS %10.0f%s%n", result.job(), result.writeIops(),
                result.readIops(), result.syncP99Nanos() == FioResult.ABSENT ? ""
                    : String.format(Locale.ROOT, "  fdatasync p50 %.3f ms p99 %.3f ms", result.syncP50Nanos() / 1e6,
                        result.syncP99Nanos() / 1e6));
        }
        final DiskVerdict verdict = DiskVerdict.of(wal);
        verdict.lines().forEach(out::println);
        out.println(verdict.passes() ? "PASS: " + directory + " meets etcd's disk guidance"
            : "FAIL: " + directory + " does not meet etcd's disk guidance");
        return verdict.passes() ? 0 : 1;
    }

    /** Runs one fio job in {@code directory} and returns its JSON output; deletes fio's data files after. */
    public static String runFio(final String fio, final Path directory, final Path job)
        throws IOException, InterruptedException {
        final Process process = new ProcessBuilder(fio, "--directory=" + directory, "--output-format=json",
            job.toString()).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        final String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(FIO_TIMEOUT_MINUTES, TimeUnit.MINUTES)) {
            process.destroyForcibly();
            throw new IOException("fio " + job + " did not finish in " + FIO_TIMEOUT_MINUTES + " minutes");
        }
        if (process.exitValue() != 0) {
            throw new IOException("fio " + job + " failed with exit code " + process.exitValue()
                + " (is fio installed? apt-get install fio)");
        }
        try (Stream<Path> leftovers = Files.list(directory)) {
            for (final Path file : leftovers.filter(p -> p.getFileName().toString().matches(".*\\.\\d+\\.\\d+$"))
                .toList()) {
                Files.deleteIfExists(file); // fio's data files
            }
        }
        return output;
    }
}
