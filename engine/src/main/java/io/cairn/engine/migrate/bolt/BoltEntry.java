package io.cairn.engine.migrate.bolt;

/** One entry of a bucket, copied out of the file: a key and its value, or a key naming a nested bucket. */
public record BoltEntry(byte[] key, byte[] value, boolean nestedBucket) {
}
