/**
 * The checks a fault-injection run applies to its recorded history, beyond linearizability
 * ({@code io.cairn.chaos.linearizability}): watch, lease, read and durability guarantees.
 *
 * <h2>Facts and checks</h2>
 * The harness records what happened as small immutable records: {@link io.cairn.chaos.check.KvWrite}
 * (with its {@link io.cairn.chaos.check.WriteOutcome}: acknowledged at a revision, failed for
 * sure, or indeterminate), {@link io.cairn.chaos.check.KvRead}, {@link io.cairn.chaos.check.WatchLog},
 * {@link io.cairn.chaos.check.LeaseFacts}, {@link io.cairn.chaos.check.FinalState} per member and
 * {@link io.cairn.chaos.check.MemberRestart}, gathered in one {@link io.cairn.chaos.check.RunHistory}.
 * Each checker is a pure function of it to a {@link io.cairn.chaos.check.CheckResult} whose
 * violations carry the few history lines that show them; {@link io.cairn.chaos.check.Checks#all}
 * gathers them in a printable {@link io.cairn.chaos.check.Report}.
 *
 * <h2>etcd's rules the checks rely on</h2>
 * One request that changes something creates one revision (a Txn's writes share it); a put's
 * answer names its revision; a DeleteRange that deletes nothing creates none in etcd 3.4, so
 * {@link io.cairn.chaos.check.KvWrite#deleteAcknowledged} takes the deleted count. A lease's
 * revoke or expiry deletes its keys at a revision no client request owns. Checks never need
 * unique values, but unique values per write make them sharpest: an indeterminate write is
 * recognised by its key and value.
 *
 * <h2>Cost</h2>
 * Each check indexes the writes once (hash maps, per-key lists sorted by revision) and then looks
 * at each observation in O(1) or O(log n); the watch check also walks, per watch, the changes in
 * the revisions it covered. A 100k-write history with ten watches checks in a few seconds.
 */
package io.cairn.chaos.check;
