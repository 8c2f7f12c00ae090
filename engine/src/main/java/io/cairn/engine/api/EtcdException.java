package io.cairn.engine.api;

/** A request failed with one of etcd's API errors; the gRPC facade turns it into etcd's status. */
public final class EtcdException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final EtcdError error;

    public EtcdException(final EtcdError error) {
        super(error.message(), null, false, false);
        this.error = error;
    }

    public EtcdError error() {
        return error;
    }
}
