/**
 * A read-only reader of bbolt files (etcd's backend): one class per on-disk structure, every page
 * and element bounds-checked, errors naming the file. Knows nothing of etcd or Cairn.
 */
package io.cairn.engine.migrate.bolt;
