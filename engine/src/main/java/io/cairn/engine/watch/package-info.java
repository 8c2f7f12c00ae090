/**
 * etcd's watch: the watch thread ({@link io.cairn.engine.watch.WatchHub}) reads each new revision
 * once from the store and fans it out to the watchers that are up to date; a watcher that falls
 * behind (its stream has too much queued) catches up from the store on its own. No gRPC or
 * protobuf here: requests and replies are plain records, and the server's
 * {@link io.cairn.engine.watch.WatchEncoding} encodes each event once per read and sizes replies.
 */
package io.cairn.engine.watch;
