/** Segmented write-ahead log written with O_DIRECT and group commit: the durability path of every write. */
package io.cairn.wal;
