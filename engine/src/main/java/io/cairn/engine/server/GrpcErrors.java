package io.cairn.engine.server;

import io.cairn.engine.api.EtcdError;
import io.grpc.Status;
import io.grpc.Status.Code;
import io.grpc.StatusRuntimeException;

/**
 * etcd's gRPC status code for each of its API errors (etcd's rpctypes/error.go): the gRPC facade
 * is the one place an {@link EtcdError} becomes a gRPC status. The switch names every error, so
 * a new one does not compile until it has its code.
 */
public final class GrpcErrors {
    private GrpcErrors() {
    }

    public static Code code(final EtcdError error) {
        return switch (error) {
            case EMPTY_KEY -> Code.INVALID_ARGUMENT;
            case KEY_NOT_FOUND -> Code.INVALID_ARGUMENT;
            case VALUE_PROVIDED -> Code.INVALID_ARGUMENT;
            case LEASE_PROVIDED -> Code.INVALID_ARGUMENT;
            case TOO_MANY_OPS -> Code.INVALID_ARGUMENT;
            case DUPLICATE_KEY -> Code.INVALID_ARGUMENT;
            case COMPACTED -> Code.OUT_OF_RANGE;
            case FUTURE_REVISION -> Code.OUT_OF_RANGE;
            case NO_SPACE -> Code.RESOURCE_EXHAUSTED;
            case LEASE_NOT_FOUND -> Code.NOT_FOUND;
            case LEASE_EXISTS -> Code.FAILED_PRECONDITION;
            case LEASE_TTL_TOO_LARGE -> Code.OUT_OF_RANGE;
            case MEMBER_EXISTS -> Code.FAILED_PRECONDITION;
            case PEER_URL_EXISTS -> Code.FAILED_PRECONDITION;
            case MEMBER_NOT_ENOUGH_STARTED -> Code.FAILED_PRECONDITION;
            case MEMBER_BAD_URLS -> Code.INVALID_ARGUMENT;
            case MEMBER_NOT_FOUND -> Code.NOT_FOUND;
            case MEMBER_NOT_LEARNER -> Code.FAILED_PRECONDITION;
            case LEARNER_NOT_READY -> Code.FAILED_PRECONDITION;
            case TOO_MANY_LEARNERS -> Code.FAILED_PRECONDITION;
            case REQUEST_TOO_LARGE -> Code.INVALID_ARGUMENT;
            case TOO_MANY_REQUESTS -> Code.RESOURCE_EXHAUSTED;
            case ROOT_USER_NOT_EXIST -> Code.FAILED_PRECONDITION;
            case ROOT_ROLE_NOT_EXIST -> Code.FAILED_PRECONDITION;
            case USER_ALREADY_EXISTS -> Code.FAILED_PRECONDITION;
            case USER_EMPTY -> Code.INVALID_ARGUMENT;
            case USER_NOT_FOUND -> Code.FAILED_PRECONDITION;
            case ROLE_ALREADY_EXISTS -> Code.FAILED_PRECONDITION;
            case ROLE_NOT_FOUND -> Code.FAILED_PRECONDITION;
            case ROLE_EMPTY -> Code.INVALID_ARGUMENT;
            case AUTH_FAILED -> Code.INVALID_ARGUMENT;
            case PERMISSION_DENIED -> Code.PERMISSION_DENIED;
            case ROLE_NOT_GRANTED -> Code.FAILED_PRECONDITION;
            case PERMISSION_NOT_GRANTED -> Code.FAILED_PRECONDITION;
            case AUTH_NOT_ENABLED -> Code.FAILED_PRECONDITION;
            case INVALID_AUTH_TOKEN -> Code.UNAUTHENTICATED;
            case INVALID_AUTH_MANAGEMENT -> Code.INVALID_ARGUMENT;
            case AUTH_OLD_REVISION -> Code.INVALID_ARGUMENT;
            case NO_LEADER -> Code.UNAVAILABLE;
            case NOT_LEADER -> Code.FAILED_PRECONDITION;
            case LEADER_CHANGED -> Code.UNAVAILABLE;
            case NOT_CAPABLE -> Code.UNAVAILABLE;
            case STOPPED -> Code.UNAVAILABLE;
            case TIMEOUT -> Code.UNAVAILABLE;
            case TIMEOUT_DUE_TO_LEADER_FAIL -> Code.UNAVAILABLE;
            case TIMEOUT_DUE_TO_CONNECTION_LOST -> Code.UNAVAILABLE;
            case UNHEALTHY -> Code.UNAVAILABLE;
            case CORRUPT -> Code.DATA_LOSS;
            case NOT_SUPPORTED_FOR_LEARNER -> Code.UNAVAILABLE;
            case BAD_LEADER_TRANSFEREE -> Code.FAILED_PRECONDITION;
            case TIMEOUT_LEADER_TRANSFER -> Code.UNAVAILABLE;
            case PROPOSAL_DROPPED -> Code.UNKNOWN;
        };
    }

    /** The name Go's grpc codes print for the error's code (InvalidArgument, PermissionDenied, ...). */
    static String goCodeName(final EtcdError error) {
        final StringBuilder name = new StringBuilder();
        for (final String word : code(error).name().split("_")) {
            name.append(word.charAt(0)).append(word.substring(1).toLowerCase(java.util.Locale.ROOT));
        }
        return name.toString();
    }

    /** The status etcd answers with: its code and its exact text. */
    public static Status status(final EtcdError error) {
        return Status.fromCode(code(error)).withDescription(error.message());
    }

    /** The exception to hand to a gRPC {@code StreamObserver.onError}. */
    public static StatusRuntimeException toException(final EtcdError error) {
        return status(error).asRuntimeException();
    }
}
