/**
 * Fault injection on real member processes, Cairn's or Debian etcd's, each in a network namespace of
 * its own, with the resulting histories checked. {@link io.cairn.chaos.Seeds} names every randomized
 * run's seed and how to replay it. The checks: {@code linearizability} (Wing–Gong with Lowe's
 * memoisation, per key).
 */
package io.cairn.chaos;
