package io.cairn.engine.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The membership session's transcript: steps of a label and a normalized output, each compared with
 * the recorded etcd 3.4.23 step of the same number as soon as it is taken (so a server that answers
 * differently fails at its first difference instead of waiting out later steps). Every step taken is
 * also appended to {@code target/membership-<kind>.transcript}, which is how the expectation is
 * re-recorded from an etcd run.
 *
 * <p>Normalized: member and cluster ids (hex as etcdctl prints them, unsigned decimal as its JSON
 * does) become the member's name in angle brackets; {@code 127.0.0.1:<port>} becomes the port's role
 * ({@code <m1-client>}); raft terms, revisions, versions, sizes and raft indexes are masked; table
 * padding is collapsed (its width follows the ids' lengths). Members are listed in id order, and new
 * members' ids hash the time of the add, so rows of member lists, members of JSON answers and entries
 * of ETCD_INITIAL_CLUSTER are sorted after normalizing; whether they were in id order is printed.
 */
final class MembershipTranscript {
    static final String EXPECTED_RESOURCE = "/membership/etcd-3.4.23-membership.transcript";
    private static final String STEP_MARK = "## ";

    private static final Pattern SIMPLE_ROW_ID = Pattern.compile("^([0-9a-f]+), (?:un)?started, ");
    private static final Pattern TABLE_ROW_ID = Pattern.compile("^\\| +([0-9a-f]+) +\\| +(?:un)?started +\\|");
    private static final Pattern JSON_ID = Pattern.compile("\"ID\":(\\d+)");
    private static final Pattern INITIAL_CLUSTER = Pattern.compile("^ETCD_INITIAL_CLUSTER=\"(.*)\"$");

    private final List<String[]> expected;
    private final Path record;
    /** Literal -> placeholder, applied longest first. */
    private final Map<String, String> names = new LinkedHashMap<>();
    private final Map<String, Long> idsByName = new LinkedHashMap<>();
    private int taken;

    MembershipTranscript(final List<String[]> expected, final Path record) throws IOException {
        this.expected = expected;
        this.record = record;
        Files.createDirectories(record.getParent());
        Files.writeString(record, "");
    }

    /** The recorded etcd steps (label, text), or an empty list when there is no recording yet. */
    static List<String[]> expected() throws IOException {
        final List<String[]> steps = new ArrayList<>();
        try (InputStream in = MembershipTranscript.class.getResourceAsStream(EXPECTED_RESOURCE)) {
            assertNotNull(in, EXPECTED_RESOURCE + " is missing");
            String label = null;
            StringBuilder text = new StringBuilder();
            for (final String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n", -1)) {
                if (line.startsWith(STEP_MARK)) {
                    if (label != null) {
                        steps.add(new String[] {label, text.toString()});
                    }
                    label = line.substring(STEP_MARK.length());
                    text = new StringBuilder();
                } else if (label != null) {
                    text.append(line).append('\n');
                }
            }
            if (label != null) {
                steps.add(new String[] {label, text.toString().stripTrailing() + "\n"});
            }
        }
        return steps;
    }

    /** Names a member's id (hex and unsigned decimal), for the normalization. */
    void member(final String name, final long id) {
        idsByName.put(name, id);
        names.put(Long.toHexString(id), "<" + name + ">");
        names.put(Long.toUnsignedString(id), "<" + name + ">");
    }

    void cluster(final long id) {
        names.put(Long.toHexString(id), "<cluster>");
        names.put(Long.toUnsignedString(id), "<cluster>");
    }

    void port(final int port, final String role) {
        names.put("127.0.0.1:" + port, "<" + role + ">");
    }

    /** Records a step; fails when it differs from etcd's step of the same number. */
    void step(final String label, final String raw) throws IOException {
        final String text = normalize(raw);
        final int number = ++taken;
        final String title = number + " " + label;
        Files.writeString(record, STEP_MARK + title + "\n" + text, StandardOpenOption.APPEND);
        if (expected.isEmpty()) {
            return; // recording
        }
        assertTrue(number <= expected.size(), "etcd's transcript has no step " + title + ":\n" + text);
        assertEquals(expected.get(number - 1)[0], title, "step " + number + " is another step in etcd's transcript");
        assertEquals(expected.get(number - 1)[1], text, "step " + title + " differs from etcd 3.4.23");
    }

    /** Every step etcd took was taken. */
    void assertComplete() {
        assertTrue(!expected.isEmpty(), "nothing to compare with: recorded " + record + "; copy it to "
            + "src/test/resources" + EXPECTED_RESOURCE + " from an etcd run");
        assertEquals(expected.size(), taken, "steps taken; see " + record);
    }

    String normalize(final String raw) {
        String text = raw + (raw.endsWith("\n") ? "" : "\n");
        final String order = idOrder(text);
        for (final Map.Entry<String, String> name : names.entrySet().stream()
            .sorted(Comparator.comparingInt((Map.Entry<String, String> e) -> e.getKey().length()).reversed()).toList()) {
            text = text.replace(name.getKey(), name.getValue());
        }
        text = text.replaceAll("\"raft_term\":\\d+", "\"raft_term\":{term}")
            .replaceAll("\"revision\":\\d+", "\"revision\":{rev}")
            .replaceAll("took = \\S+", "took = {d}")
            // etcdctl prints "Member %16x ... cluster %16x": a 15-digit id gets a space more
            .replaceAll("(Member|cluster) +<", "$1 <");
        final List<String> lines = new ArrayList<>();
        for (final String line : text.split("\n")) {
            lines.add(normalizeLine(line));
        }
        sortBlocks(lines, l -> l.matches("^<m\\d+>, (un)?started, .*"));
        sortBlocks(lines, l -> l.matches("^\\| <m\\d+> \\| (un)?started \\|.*"));
        return String.join("\n", lines) + "\n" + order;
    }

    private static String normalizeLine(final String line) {
        if (line.startsWith("|") || line.startsWith("+")) {
            return line.replaceAll(" {2,}", " ").replaceAll("-{2,}", "-");
        }
        if (line.startsWith("http://<") && line.split(", ", -1).length == 10) {
            // endpoint status: ENDPOINT, ID, VERSION, DB SIZE, IS LEADER, IS LEARNER, RAFT TERM, RAFT INDEX, RAFT APPLIED INDEX, ERRORS
            final String[] cells = line.split(", ", -1);
            cells[2] = "{version}";
            cells[3] = "{db size}";
            cells[6] = "{term}";
            cells[7] = "{index}";
            cells[8] = "{applied}";
            return String.join(", ", cells);
        }
        final Matcher cluster = INITIAL_CLUSTER.matcher(line);
        if (cluster.matches()) {
            final List<String> entries = new ArrayList<>(Arrays.asList(cluster.group(1).split(",")));
            entries.sort(null);
            return "ETCD_INITIAL_CLUSTER=\"" + String.join(",", entries) + "\" (entries sorted here)";
        }
        final int members = line.indexOf("\"members\":[");
        if (members >= 0 && line.endsWith("]}")) {
            final String head = line.substring(0, members + "\"members\":[".length());
            final String body = line.substring(head.length(), line.length() - 2);
            final List<String> objects = new ArrayList<>(Arrays.asList(body.substring(1, body.length() - 1).split("\\},\\{")));
            objects.sort(null);
            return head + "{" + String.join("},{", objects) + "}]} (members sorted here)";
        }
        return line;
    }

    private static void sortBlocks(final List<String> lines, final java.util.function.Predicate<String> row) {
        int i = 0;
        while (i < lines.size()) {
            if (!row.test(lines.get(i))) {
                i++;
                continue;
            }
            int end = i;
            while (end < lines.size() && row.test(lines.get(end))) {
                end++;
            }
            lines.subList(i, end).sort(null);
            i = end;
        }
    }

    /**
     * "(members in id order: true)" when the raw output lists members (rows, JSON members or the
     * ETCD_INITIAL_CLUSTER of a member add), else nothing.
     */
    private String idOrder(final String raw) {
        final List<Long> ids = new ArrayList<>();
        for (final String line : raw.split("\n")) {
            for (final Pattern p : List.of(SIMPLE_ROW_ID, TABLE_ROW_ID)) {
                final Matcher m = p.matcher(line);
                if (m.find()) {
                    ids.add(Long.parseUnsignedLong(m.group(1), 16));
                }
            }
            if (line.contains("\"members\":[")) {
                final Matcher m = JSON_ID.matcher(line);
                while (m.find()) {
                    ids.add(Long.parseUnsignedLong(m.group(1)));
                }
            }
            final Matcher cluster = INITIAL_CLUSTER.matcher(line);
            if (cluster.matches()) {
                for (final String entry : cluster.group(1).split(",")) {
                    final Long id = idsByName.get(entry.substring(0, entry.indexOf('=')));
                    ids.add(id == null ? -1L : id);
                }
            }
        }
        if (ids.isEmpty()) {
            return "";
        }
        boolean ordered = true;
        for (int i = 1; i < ids.size(); i++) {
            ordered &= Long.compareUnsigned(ids.get(i - 1), ids.get(i)) < 0;
        }
        return "(members in id order: " + ordered + ")\n";
    }
}
