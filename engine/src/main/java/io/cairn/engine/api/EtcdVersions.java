package io.cairn.engine.api;

/**
 * The etcd versions Cairn answers as, wherever a version is reported (Status, /version on the
 * client and peer ports, /metrics, --version): clients and tools decide what they may use by them.
 */
public final class EtcdVersions {
    /** The etcd release whose API and behaviour Cairn follows. */
    public static final String SERVER = "3.4.23";
    /** The cluster version, as etcd reports it in /metrics; /version adds ".0". */
    public static final String CLUSTER = "3.4";

    private EtcdVersions() {
    }
}
