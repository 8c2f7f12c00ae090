/** A pure Raft state machine: no I/O, no clock, no threads; the host drives it through tick, step, ready and advance. */
package io.cairn.raft;
