package io.cairn.bench.disk;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;

/**
 * The figures the disk check needs from one fio job's JSON output ({@code --output-format=json}):
 * IOPS and, for jobs run with fdatasync, the sync latency percentiles.
 */
public record FioResult(String job, double writeIops, double readIops, long syncP50Nanos, long syncP99Nanos,
    long syncP999Nanos) {

    /** A percentile fio did not report (no sync calls in the job). */
    public static final long ABSENT = -1;

    public static FioResult parse(final String json) {
        final JsonObject root;
        try {
            root = JsonParser.parseString(json).getAsJsonObject();
        } catch (final RuntimeException e) {
            throw new IllegalArgumentException("fio output is not JSON: " + e.getMessage(), e);
        }
        if (!root.has("jobs") || root.getAsJsonArray("jobs").isEmpty()) {
            throw new IllegalArgumentException("fio output has no jobs");
        }
        final JsonObject job = root.getAsJsonArray("jobs").get(0).getAsJsonObject();
        final JsonObject sync = job.has("sync") ? job.getAsJsonObject("sync") : new JsonObject();
        return new FioResult(job.get("jobname").getAsString(), iops(job, "write"), iops(job, "read"),
            percentile(sync, "50.000000"), percentile(sync, "99.000000"), percentile(sync, "99.900000"));
    }

    private static double iops(final JsonObject job, final String direction) {
        return job.has(direction) ? job.getAsJsonObject(direction).get("iops").getAsDouble() : 0;
    }

    private static long percentile(final JsonObject sync, final String key) {
        if (!sync.has("lat_ns")) {
            return ABSENT;
        }
        final JsonObject latency = sync.getAsJsonObject("lat_ns");
        if (!latency.has("percentile")) {
            return ABSENT;
        }
        final JsonElement value = latency.getAsJsonObject("percentile").get(key);
        return value == null ? ABSENT : value.getAsLong();
    }
}
