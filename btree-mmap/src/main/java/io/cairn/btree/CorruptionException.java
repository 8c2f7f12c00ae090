package io.cairn.btree;

/** {@link Env#check()} found a structural fault; the message names the page and the rule broken. */
public final class CorruptionException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public CorruptionException(String message) {
        super(message);
    }
}
