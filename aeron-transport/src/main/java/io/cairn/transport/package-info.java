/** Peer messaging: Raft messages encoded with SBE and carried over Aeron. */
package io.cairn.transport;
