/**
 * A linearizability checker for histories of etcd-like key operations (put, get, compare-and-swap
 * Txn, delete), for cluster tests: clients record what they called and what they got in a
 * {@link io.cairn.chaos.linearizability.History}, and
 * {@link io.cairn.chaos.linearizability.LinearizabilityChecker#check} says whether some single
 * order of the operations, each taking effect at one instant between its call and its return,
 * explains every answer.
 *
 * <h2>The algorithm</h2>
 * Wing and Gong's search with Lowe's memoisation, as Porcupine (Athalye) implements it. Keys are
 * independent, and a history is linearizable exactly when each key's sub-history is (locality),
 * so the checker searches each key on its own. For one key, the calls and returns are put in one
 * list in time order. The search walks it from the front: a call is a candidate to take effect
 * next; if the sequential model ({@link io.cairn.chaos.linearizability.KeyModel}: the key's value
 * or absent) accepts it, it is placed, its call and return are unlinked from the list, and the walk
 * starts again from the front. Reaching a return means its operation is still unplaced although
 * everything after that point happened after it returned, so the last placement is undone and the
 * next candidate tried. An empty list is a linearization; backtracking with nothing placed proves
 * there is none. Lowe's optimisation: the pair (set of placed operations as a bitset, model state)
 * fully determines what can still follow, so a pair seen before is not explored again; this keeps
 * the search near linear on histories with little concurrency.
 *
 * <h2>The bound</h2>
 * The search is exponential in the worst case (many long concurrent operations), so it is bounded
 * by a time budget for the whole check (10 s unless given); keys not decided in time make the
 * verdict {@code UNKNOWN}, never a hang and never a false pass. A key found not linearizable is
 * reported with the longest linearizable prefix the search reached and the operations that could
 * have come next, none of which fits, times in milliseconds after the history's first call.
 *
 * <h2>The smallest failing slice</h2>
 * For each key found not linearizable, {@link io.cairn.chaos.linearizability.Shrink} leaves out
 * operations (delta debugging, up to 10 s) for as long as the rest still fails, keeping every write
 * whose value a kept read shows. What is left is usually the handful of operations that show the
 * violation, such as two writes and a stale read, and it is printed first.
 *
 * <h2>Unknown outcomes</h2>
 * A request that failed in a way that leaves open whether it was applied (a timeout, a lost
 * connection, a leader change after it was proposed) has an unknown outcome: it has no output and
 * its return time is {@code Long.MAX_VALUE}, so it may take effect at any point after its call,
 * or never (placing it after everything else is the same as never). The model accepts any answer
 * from it but still applies its effect where it is placed, so a later read may see its value, or
 * not. An unknown read is dropped. A chaos run settles most unknown writes before the search,
 * from the watches' record of applied changes ({@link io.cairn.chaos.linearizability.UnknownOutcomes}). A request that certainly did not take effect (refused before it
 * was proposed) is {@link io.cairn.chaos.linearizability.History#fail failed} and left out.
 *
 * <p>Revisions returned by puts are kept for the dumps but not checked: they are global across
 * keys and the model is per key. Values are compared as strings; writing a unique value per write
 * makes the check sharpest.
 */
package io.cairn.chaos.linearizability;
