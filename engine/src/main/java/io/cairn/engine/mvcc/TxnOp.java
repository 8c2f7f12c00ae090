package io.cairn.engine.mvcc;

import java.util.List;

/** One operation of a Txn (etcd RequestOp); a plain Put or DeleteRange is a Txn of one. */
public sealed interface TxnOp {
    record Range(RangeQuery query) implements TxnOp {
    }

    record Put(byte[] key, byte[] value, long lease, boolean prevKv, boolean ignoreValue, boolean ignoreLease)
        implements TxnOp, PutFields {
        @Override
        public byte[] valueArray() {
            return value;
        }

        @Override
        public int valueOffset() {
            return 0;
        }

        @Override
        public int valueLength() {
            return value.length;
        }
    }

    record DeleteRange(KeyRange range, boolean prevKv) implements TxnOp {
    }

    record Txn(List<Compare> compares, List<TxnOp> success, List<TxnOp> failure) implements TxnOp {
    }
}
