package io.cairn.chaos.check;

/** One key's change at one revision: what identifies a change in etcd's history (a Txn changes several keys at one revision). */
record RevKey(long revision, String key) implements Comparable<RevKey> {
    @Override
    public int compareTo(final RevKey other) {
        final int byRevision = Long.compare(revision, other.revision);
        return byRevision != 0 ? byRevision : key.compareTo(other.key);
    }
}
