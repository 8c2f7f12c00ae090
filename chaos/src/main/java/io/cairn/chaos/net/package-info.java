/**
 * Real network faults between member processes: each member in a Linux network namespace of its own,
 * joined by a bridge in the root namespace ({@link io.cairn.chaos.net.NetworkLab}); partitions and
 * one-way cuts as nftables drop rules inside the members' namespaces, loss, delay and reordering as
 * netem. The harness's clients reach every member from the root namespace whatever is cut.
 */
package io.cairn.chaos.net;
