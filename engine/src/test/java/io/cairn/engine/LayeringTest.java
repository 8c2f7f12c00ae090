package io.cairn.engine;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The layering rules of DESIGN.md, checked on the compiled classes: {@code server} (gRPC, protobuf)
 * -> {@code node} -> {@code mvcc}, {@code lease}, {@code watch}, ... -> {@code backend}; no package
 * cycles; the storage and consensus modules know nothing of each other or of gRPC and protobuf.
 * Plain JUnit tests (not ArchUnit's own engine) so that a rule can be {@code @Disabled} with its reason.
 */
class LayeringTest {
    private static final String[] WIRE = {"io.grpc..", "com.google.protobuf..", "io.cairn.etcd.api.."};
    private static final String SERVER = "io.cairn.engine.server..";
    private static final String NODE = "io.cairn.engine.node..";
    private static final String MAIN = "io.cairn.engine.Main";
    private static final String MIGRATE = "io.cairn.engine.migrate..";
    private static final String BOLT = "io.cairn.engine.migrate.bolt..";

    private static final JavaClasses ENGINE = new ClassFileImporter()
        .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
        .importPackages("io.cairn.engine");
    private static final JavaClasses MODULES = new ClassFileImporter()
        .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
        .importPackages("io.cairn.raft", "io.cairn.wal", "io.cairn.btree");

    @Test
    void noPackageCycles() {
        slices().matching("io.cairn.engine.(*)..").should().beFreeOfCycles().check(ENGINE);
    }

    @Test
    void storeLeaseAndBackendKnowNeitherGrpcNorProtobuf() {
        noClasses().that().resideInAnyPackage("io.cairn.engine.mvcc..", "io.cairn.engine.lease..",
                "io.cairn.engine.backend..")
            .should().dependOnClassesThat().resideInAnyPackage(WIRE)
            .check(ENGINE);
    }

    /** The hub speaks plain Java; server.WatchProtos encodes its events and replies (WatchEncoding). */
    @Test
    void watchKnowsNeitherGrpcNorProtobuf() {
        noClasses().that().resideInAPackage("io.cairn.engine.watch..")
            .should().dependOnClassesThat().resideInAnyPackage(WIRE)
            .check(ENGINE);
    }

    @Test
    void onlyServerAndMainUseGrpc() {
        noClasses().that().resideOutsideOfPackage(SERVER).and().doNotHaveFullyQualifiedName(MAIN)
            .should().dependOnClassesThat().resideInAPackage("io.grpc..")
            .check(ENGINE);
    }

    /** migrate reads the protobuf messages etcd stores in its snapshot (mvccpb, leasepb); it serves no gRPC. */
    @Test
    void onlyServerMainAndMigrateUseProtobuf() {
        noClasses().that().resideOutsideOfPackages(SERVER, MIGRATE).and().doNotHaveFullyQualifiedName(MAIN)
            .should().dependOnClassesThat().resideInAnyPackage(WIRE)
            .check(ENGINE);
    }

    /** The bbolt reader is a file format and nothing more: no protobuf, no Cairn layer above it. */
    @Test
    void boltReaderKnowsOnlyTheFile() {
        noClasses().that().resideInAPackage(BOLT)
            .should().dependOnClassesThat().resideInAnyPackage(Stream.concat(Stream.of(WIRE),
                Stream.of("io.cairn.engine.node..", "io.cairn.engine.mvcc..", "io.cairn.engine.lease..",
                    "io.cairn.engine.backend..", "io.cairn.btree..")).toArray(String[]::new))
            .check(ENGINE);
    }

    @Test
    void nothingButMainUsesMigrate() {
        noClasses().that().resideOutsideOfPackage(MIGRATE).and().doNotHaveFullyQualifiedName(MAIN)
            .and().doNotHaveFullyQualifiedName("io.cairn.engine.MigrateLauncher")
            .should().dependOnClassesThat().resideInAPackage(MIGRATE)
            .check(ENGINE);
    }

    @Test
    void nodeDoesNotUseServer() {
        noClasses().that().resideInAPackage(NODE)
            .should().dependOnClassesThat().resideInAPackage(SERVER)
            .check(ENGINE);
    }

    @Test
    void raftWalAndBtreeKnowNothingOfEachOtherNorOfTheWire() {
        module("io.cairn.raft..", "io.cairn.wal..", "io.cairn.btree..");
        module("io.cairn.wal..", "io.cairn.raft..", "io.cairn.btree..");
        module("io.cairn.btree..", "io.cairn.raft..", "io.cairn.wal..");
    }

    private static void module(final String module, final String... others) {
        noClasses().that().resideInAPackage(module)
            .should().dependOnClassesThat().resideInAnyPackage(Stream.concat(Stream.of(others), Stream.of(WIRE))
                .toArray(String[]::new))
            .check(MODULES);
    }
}
