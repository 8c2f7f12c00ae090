package io.cairn.engine.mvcc;

import java.util.List;

/**
 * A Range's answer: {@code count} is every key in the range at the read revision (before limit
 * and before the min/max revision filters, as in etcd); {@code more} says the limit cut the list;
 * {@code revision} is the store revision the read ran at (the response header's).
 */
public record RangeResult(List<KeyValue> kvs, long count, boolean more, long revision) {
}
