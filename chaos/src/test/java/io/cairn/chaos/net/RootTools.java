package io.cairn.chaos.net;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Skips a test, with a reason, on hosts where a lab cannot be built: not root, or tools missing. */
final class RootTools {
    /** iproute2's ip, nftables' nft, iproute2's tc, iputils-ping's ping: see .ci/apt-packages. */
    private static final List<String> TOOLS = List.of("ip", "nft", "tc", "ping");

    private RootTools() {
    }

    static void assumeRootWithTools() {
        final String uid = Commands.run(List.of("id", "-u")).stdout().strip();
        assumeTrue(uid.equals("0"), "network namespaces need root (uid " + uid + "); CI runs as root");
        final List<String> missing = new ArrayList<>();
        for (final String tool : TOOLS) {
            if (!onPath(tool)) {
                missing.add(tool);
            }
        }
        assumeTrue(missing.isEmpty(), "missing " + missing + " on PATH; .ci/apt-packages lists their packages");
    }

    private static boolean onPath(final String tool) {
        for (final String directory : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            if (!directory.isEmpty() && Files.isExecutable(Path.of(directory, tool))) {
                return true;
            }
        }
        return false;
    }
}
