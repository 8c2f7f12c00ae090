package io.cairn.engine;

import io.cairn.engine.compaction.AutoCompactor;
import io.cairn.engine.config.ServerCommandLine;
import io.cairn.engine.config.ServerConfig;
import io.cairn.engine.server.CairnServer;
import io.cairn.engine.server.InMemoryKeyValueStore;
import io.cairn.engine.server.MaintenanceService;
import java.util.List;

/** `bin/cairn`: etcd's command line in, a serving Cairn member out. */
public final class Main {
    static final int EXIT_USAGE = 2;
    static final int EXIT_FAILURE = 1;

    private Main() {
    }

    public static void main(final String[] args) throws InterruptedException {
        final String version = "cairn Version: " + Main.class.getPackage().getImplementationVersion()
            + "\netcd API Version: " + MaintenanceService.ETCD_API_VERSION
            + "\nJava Version: " + Runtime.version();
        final ServerCommandLine.Outcome outcome = ServerCommandLine.parse(List.of(args), System.getenv(), version,
            warning -> System.err.println("cairn: warning: " + warning));
        switch (outcome) {
            case ServerCommandLine.Outcome.Print print -> System.out.println(print.text());
            case ServerCommandLine.Outcome.UsageError error -> {
                System.err.println("cairn: " + error.message() + ". See 'cairn --help'.");
                System.exit(EXIT_USAGE);
            }
            case ServerCommandLine.Outcome.Run run -> serve(run.config());
        }
    }

    private static void serve(final ServerConfig config) throws InterruptedException {
        final InMemoryKeyValueStore store = new InMemoryKeyValueStore();
        final CairnServer server;
        try {
            server = CairnServer.start(config, store);
        } catch (final java.io.IOException e) {
            System.err.println("cairn: " + e.getMessage());
            System.exit(EXIT_FAILURE);
            return;
        }
        System.err.println("cairn: warning: this build keeps data in memory only (the durable node is not "
            + "wired in yet): everything is lost when it stops");
        System.err.println("cairn: member " + config.name() + " serving client requests on "
            + config.listenClientUrls());
        final AutoCompactor compactor = AutoCompactor.start(config.autoCompaction(), store);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            compactor.close();
            server.close();
        }, "cairn-shutdown"));
        server.awaitTermination();
    }
}
