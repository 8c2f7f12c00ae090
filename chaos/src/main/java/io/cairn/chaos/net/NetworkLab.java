package io.cairn.chaos.net;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Members in network namespaces of their own, joined by a bridge in the root namespace, with faults
 * between them that can be undone. Member {@code i} (1-based) lives in namespace {@code <prefix>-m<i>},
 * whose {@code eth0} (the far end of veth {@code <prefix>-v<i>}) has the address
 * {@link #address(int)}; the bridge {@code <prefix>-br} has {@link #bridgeAddress()}, the address
 * from which the harness's clients in the root namespace reach every member, also during partitions.
 *
 * <p>Needs root and the iproute2 and nftables tools. {@link #close()} removes everything the lab
 * created; until then a JVM shutdown hook would do the same, and {@link #create} first removes what an
 * earlier run with the same prefix left. Two labs at once need different prefixes and subnets.
 */
public final class NetworkLab implements AutoCloseable {
    /** The member side of each veth pair, named as a server expects its only interface to be. */
    public static final String MEMBER_DEVICE = "eth0";

    private final LabNames names;
    private final LabSubnet subnet;
    private final int members;
    private final Teardown teardown = new Teardown();
    private final LinkFaults links;
    private final Map<Integer, SortedSet<Integer>> droppedAt = new TreeMap<>();
    private final Map<Integer, NetemSpec> netem = new TreeMap<>();
    private final Thread shutdownHook;
    private boolean closed;

    private NetworkLab(final LabNames names, final LabSubnet subnet, final int members) {
        this.names = names;
        this.subnet = subnet;
        this.members = members;
        this.links = new LinkFaults(members);
        this.shutdownHook = new Thread(this::closeAtShutdown, "network-lab-" + names.prefix() + "-cleanup");
    }

    /** A lab of {@code members} members on {@link LabSubnet#DEFAULT}. */
    public static NetworkLab create(final String prefix, final int members) {
        return create(prefix, members, LabSubnet.DEFAULT);
    }

    /** A lab of {@code members} members on {@code subnet}; names start with {@code prefix}. */
    public static NetworkLab create(final String prefix, final int members, final LabSubnet subnet) {
        final int limit = Math.min(LabNames.MAX_MEMBERS, LabSubnet.MAX_MEMBERS);
        if (members < 1 || members > limit) {
            throw new IllegalArgumentException("members " + members + " outside 1.." + limit);
        }
        final NetworkLab lab = new NetworkLab(new LabNames(prefix), subnet, members);
        // Registered before the first device exists, so an interrupt during creation cleans up too.
        Runtime.getRuntime().addShutdownHook(lab.shutdownHook);
        try {
            lab.build();
        } catch (final RuntimeException | Error e) {
            try {
                lab.close();
            } catch (final RuntimeException cleanup) {
                e.addSuppressed(cleanup);
            }
            throw e;
        }
        return lab;
    }

    public int members() {
        return members;
    }

    public String prefix() {
        return names.prefix();
    }

    /** Member {@code member}'s IPv4 address, e.g. "10.231.0.11" for member 1. */
    public String address(final int member) {
        return subnet.memberAddress(checked(member));
    }

    /** The bridge's address in the root namespace: where the harness's traffic to members comes from. */
    public String bridgeAddress() {
        return subnet.bridgeAddress();
    }

    /** Member {@code member}'s network namespace. */
    public String namespace(final int member) {
        return names.namespace(checked(member));
    }

    /** The argv that runs {@code argv} inside member {@code member}'s namespace, for a ProcessBuilder. */
    public List<String> command(final int member, final String... argv) {
        return Ip.inNamespace(namespace(member), List.of(argv));
    }

    /**
     * Members in different groups can no longer exchange packets; a member in no group is a group of
     * its own. Adds to the faults in place; {@link #heal()} removes them all.
     */
    public synchronized void partition(final List<Set<Integer>> groups) {
        checkOpen();
        links.partition(groups);
        applyLinks();
    }

    /** Member {@code member} can exchange packets with no other member (the harness still reaches it). */
    public synchronized void isolate(final int member) {
        checkOpen();
        links.isolate(member);
        applyLinks();
    }

    /** Packets from {@code from} to {@code to} are dropped when they reach {@code to}; the reverse pass. */
    public synchronized void oneWay(final int from, final int to) {
        checkOpen();
        links.oneWay(from, to);
        applyLinks();
    }

    /** Every partition, isolation and one-way cut is gone (netem stays: see {@link #clearNetem}). */
    public synchronized void heal() {
        checkOpen();
        links.heal();
        // Every member, not only those known to have rules: a failed apply may have left some behind.
        for (int member = 1; member <= members; member++) {
            NftFirewall.flush(names.namespace(member));
            droppedAt.remove(member);
        }
    }

    /** netem on member {@code member}'s outgoing packets, replacing any earlier spec there. */
    public synchronized void netem(final int member, final NetemSpec spec) {
        checkOpen();
        TrafficControl.apply(namespace(member), MEMBER_DEVICE, spec);
        netem.put(member, spec);
    }

    /**
     * {@code percent} of the packets other members send to {@code member} dropped at random, with
     * nftables: the loss part of {@link #netem} on kernels built without netem (this project's CI
     * machine among them). {@link #heal()} ends it with the other rules.
     */
    public synchronized void randomLoss(final int member, final int percent) {
        checkOpen();
        if (percent < 1 || percent > 100) {
            throw new IllegalArgumentException("loss must be 1 to 100 percent, got " + percent);
        }
        final List<String> peers = new ArrayList<>();
        for (int other = 1; other <= members; other++) {
            if (other != checked(member)) {
                peers.add(subnet.memberAddress(other));
            }
        }
        NftFirewall.randomLoss(namespace(member), peers, percent);
    }

    /** Removes member {@code member}'s netem; does nothing if it has none. */
    public synchronized void clearNetem(final int member) {
        checkOpen();
        if (netem.containsKey(checked(member))) {
            TrafficControl.clear(namespace(member), MEMBER_DEVICE);
            netem.remove(member);
        }
    }

    /** The faults in place, one line, for the harness's log of what it injected. */
    public synchronized String describe() {
        final List<String> shaped = new ArrayList<>();
        netem.forEach((member, spec) -> shaped.add("m" + member + " " + spec.describe()));
        return "lab " + names.prefix() + " (" + members + " members, " + subnet.cidr() + ")"
            + (closed ? " closed" : ": links " + links.describe()
                + "; netem " + (shaped.isEmpty() ? "none" : String.join(", ", shaped)));
    }

    @Override
    public String toString() {
        return describe();
    }

    /** Removes the namespaces, veths and bridge this lab created; safe to call again, or after a failure. */
    @Override
    public void close() {
        try {
            closeDevices();
        } finally {
            try {
                Runtime.getRuntime().removeShutdownHook(shutdownHook);
            } catch (final IllegalStateException shuttingDown) {
                // The JVM is already exiting; the hook runs too and finds nothing left to remove.
            }
        }
    }

    private void closeAtShutdown() {
        closeDevices();
    }

    private synchronized void closeDevices() {
        closed = true;
        teardown.runAll();
    }

    private void build() {
        Leftovers.remove(names);
        // A second owner of the subnet (another lab, a host interface) would make routes ambiguous.
        final List<String> users = Ip.addressesWithin(subnet.cidr());
        if (!users.isEmpty()) {
            throw new IllegalStateException("subnet " + subnet.cidr() + " is already in use: " + users);
        }

        final String bridge = names.bridge();
        Ip.run("link", "add", "name", bridge, "type", "bridge");
        teardown.add("bridge " + bridge, () -> Ip.deleteLinkIfPresent(bridge));
        // The bridge's own address gives the root namespace a connected route to the whole subnet.
        Ip.run("addr", "add", subnet.withPrefixLength(subnet.bridgeAddress()), "dev", bridge);
        Ip.run("link", "set", bridge, "up");

        for (int member = 1; member <= members; member++) {
            addMember(member, bridge);
        }
        checkRoutes(bridge);
    }

    private void addMember(final int member, final String bridge) {
        final String namespace = names.namespace(member);
        final String veth = names.rootVeth(member);
        Ip.run("netns", "add", namespace);
        teardown.add("namespace " + namespace, () -> Ip.deleteNamespaceIfPresent(namespace));
        // Both ends in one command: the member end is created inside the namespace, already named eth0.
        Ip.run("link", "add", veth, "type", "veth", "peer", "name", MEMBER_DEVICE, "netns", namespace);
        teardown.add("veth " + veth, () -> Ip.deleteLinkIfPresent(veth));
        Ip.run("link", "set", veth, "master", bridge, "up");

        Ip.runIn(namespace, "link", "set", "lo", "up");
        Ip.runIn(namespace, "addr", "add", subnet.withPrefixLength(subnet.memberAddress(member)), "dev", MEMBER_DEVICE);
        Ip.runIn(namespace, "link", "set", MEMBER_DEVICE, "up");
        // No default route inside: a member reaches the subnet and nothing beyond the bridge.
        NftFirewall.install(namespace);
    }

    /** Fails early if a route elsewhere (a VPN, a stale interface) would take the lab's traffic. */
    private void checkRoutes(final String bridge) {
        for (int member = 1; member <= members; member++) {
            final String toMember = Ip.routeTo(null, subnet.memberAddress(member));
            if (!toMember.contains(" dev " + bridge + " ")) {
                throw new IllegalStateException("root namespace routes member " + member + " elsewhere: " + toMember);
            }
            final String toBridge = Ip.routeTo(names.namespace(member), subnet.bridgeAddress());
            if (!toBridge.contains(" dev " + MEMBER_DEVICE + " ")) {
                throw new IllegalStateException("member " + member + " routes the bridge elsewhere: " + toBridge);
            }
        }
    }

    /** Brings every member's drop rule in line with the link faults, rewriting only those that changed. */
    private void applyLinks() {
        for (int member = 1; member <= members; member++) {
            final SortedSet<Integer> sources = links.droppedAt(member);
            if (sources.equals(droppedAt.getOrDefault(member, new TreeSet<>()))) {
                continue;
            }
            NftFirewall.dropFrom(names.namespace(member), sources.stream().map(subnet::memberAddress).toList());
            droppedAt.put(member, sources);
        }
    }

    private int checked(final int member) {
        if (member < 1 || member > members) {
            throw new IllegalArgumentException("member " + member + " outside 1.." + members);
        }
        return member;
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("lab " + names.prefix() + " is closed");
        }
    }
}
