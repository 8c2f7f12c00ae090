package io.cairn.engine.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** deploy/cairn.service is Debian's etcd unit with only the binary's path changed. */
class SystemdUnitTest {
    private static final Path ETCD_UNIT = Path.of("/lib/systemd/system/etcd.service");
    private static final Path CAIRN_UNIT = Path.of("..", "deploy", "cairn.service");

    @Test
    void onlyTheBinaryDiffers() throws IOException {
        assumeTrue(Files.exists(ETCD_UNIT), "Debian's etcd-server is not installed");
        final List<String> etcd = Files.readAllLines(ETCD_UNIT);
        final List<String> cairn = Files.readAllLines(CAIRN_UNIT);
        assertEquals(etcd.size(), cairn.size());
        for (int i = 0; i < etcd.size(); i++) {
            assertEquals(etcd.get(i).replace("/usr/bin/etcd", "/opt/cairn/bin/cairn"), cairn.get(i), "line " + (i + 1));
        }
        assertEquals(1, cairn.stream().filter(line -> line.equals("Type=notify")).count());
    }
}
