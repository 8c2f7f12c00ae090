/** Copy-on-write B+tree over memory-mapped pages: Cairn's backend (the role bbolt plays in etcd). */
package io.cairn.btree;
