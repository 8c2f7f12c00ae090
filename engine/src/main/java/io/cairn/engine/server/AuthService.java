package io.cairn.engine.server;

import com.google.protobuf.ByteString;
import io.cairn.engine.api.EtcdError;
import io.cairn.engine.api.EtcdException;
import io.cairn.engine.auth.AuthInfo;
import io.cairn.engine.auth.AuthOp;
import io.cairn.engine.auth.AuthState;
import io.cairn.engine.auth.Passwords;
import io.cairn.engine.auth.Permission;
import io.cairn.engine.auth.Permissions;
import io.cairn.engine.auth.Role;
import io.cairn.engine.auth.User;
import io.cairn.engine.node.KeyValueStore;
import io.cairn.etcd.api.authpb.Permission.Type;
import io.cairn.etcd.api.etcdserverpb.AuthDisableRequest;
import io.cairn.etcd.api.etcdserverpb.AuthDisableResponse;
import io.cairn.etcd.api.etcdserverpb.AuthEnableRequest;
import io.cairn.etcd.api.etcdserverpb.AuthEnableResponse;
import io.cairn.etcd.api.etcdserverpb.AuthGrpc;
import io.cairn.etcd.api.etcdserverpb.AuthRoleAddRequest;
import io.cairn.etcd.api.etcdserverpb.AuthRoleAddResponse;
import io.cairn.etcd.api.etcdserverpb.AuthRoleDeleteRequest;
import io.cairn.etcd.api.etcdserverpb.AuthRoleDeleteResponse;
import io.cairn.etcd.api.etcdserverpb.AuthRoleGetRequest;
import io.cairn.etcd.api.etcdserverpb.AuthRoleGetResponse;
import io.cairn.etcd.api.etcdserverpb.AuthRoleGrantPermissionRequest;
import io.cairn.etcd.api.etcdserverpb.AuthRoleGrantPermissionResponse;
import io.cairn.etcd.api.etcdserverpb.AuthRoleListRequest;
import io.cairn.etcd.api.etcdserverpb.AuthRoleListResponse;
import io.cairn.etcd.api.etcdserverpb.AuthRoleRevokePermissionRequest;
import io.cairn.etcd.api.etcdserverpb.AuthRoleRevokePermissionResponse;
import io.cairn.etcd.api.etcdserverpb.AuthUserAddRequest;
import io.cairn.etcd.api.etcdserverpb.AuthUserAddResponse;
import io.cairn.etcd.api.etcdserverpb.AuthUserChangePasswordRequest;
import io.cairn.etcd.api.etcdserverpb.AuthUserChangePasswordResponse;
import io.cairn.etcd.api.etcdserverpb.AuthUserDeleteRequest;
import io.cairn.etcd.api.etcdserverpb.AuthUserDeleteResponse;
import io.cairn.etcd.api.etcdserverpb.AuthUserGetRequest;
import io.cairn.etcd.api.etcdserverpb.AuthUserGetResponse;
import io.cairn.etcd.api.etcdserverpb.AuthUserGrantRoleRequest;
import io.cairn.etcd.api.etcdserverpb.AuthUserGrantRoleResponse;
import io.cairn.etcd.api.etcdserverpb.AuthUserListRequest;
import io.cairn.etcd.api.etcdserverpb.AuthUserListResponse;
import io.cairn.etcd.api.etcdserverpb.AuthUserRevokeRoleRequest;
import io.cairn.etcd.api.etcdserverpb.AuthUserRevokeRoleResponse;
import io.cairn.etcd.api.etcdserverpb.AuthenticateRequest;
import io.cairn.etcd.api.etcdserverpb.AuthenticateResponse;
import io.cairn.etcd.api.etcdserverpb.ResponseHeader;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.function.Function;

/**
 * etcd's Auth service. Changes go through the log (the applying member checks the caller's root
 * role, as etcd's applier does); gets and lists read this member's auth store once it has applied
 * everything committed when they came (etcd sends them through the log; a ReadIndex gives the same
 * answer). bcrypt runs on {@code slowWork}, never on the event loop that took the call.
 */
final class AuthService extends AuthGrpc.AuthImplBase {
    /** Authenticate retries when the auth store changed while the password was checked (etcd's loop). */
    private static final int AUTHENTICATE_ATTEMPTS_MAX = 8;

    private final KeyValueStore store;
    private final ResponseHeaders headers;
    private final Callers callers;
    private final Passwords passwords;
    private final Executor slowWork;

    AuthService(final KeyValueStore store, final ResponseHeaders headers, final Callers callers,
        final Passwords passwords, final Executor slowWork) {
        this.store = store;
        this.headers = headers;
        this.callers = callers;
        this.passwords = passwords;
        this.slowWork = slowWork;
    }

    @Override
    public void authEnable(final AuthEnableRequest request, final StreamObserver<AuthEnableResponse> observer) {
        change(observer, new AuthOp.Enable(), header -> AuthEnableResponse.newBuilder().setHeader(header).build());
    }

    @Override
    public void authDisable(final AuthDisableRequest request, final StreamObserver<AuthDisableResponse> observer) {
        change(observer, new AuthOp.Disable(), header -> AuthDisableResponse.newBuilder().setHeader(header).build());
    }

    @Override
    public void authenticate(final AuthenticateRequest request, final StreamObserver<AuthenticateResponse> observer) {
        GrpcCalls.respondLater(observer, () -> store.linearizableRead()
            .thenComposeAsync(ready -> authenticate(request.getName(), request.getPassword(), 1), slowWork));
    }

    private CompletableFuture<AuthenticateResponse> authenticate(final String name, final String password,
        final int attempt) {
        final AuthState checked = store.auth();
        if (!checked.enabled()) {
            throw new EtcdException(EtcdError.AUTH_NOT_ENABLED);
        }
        final User user = checked.users().get(name);
        if (user != null && user.noPassword()) {
            // etcd hands this one to gRPC unconverted: code UNKNOWN, the auth package's text
            throw Status.UNKNOWN.withDescription("auth: authentication failed, password was given for no password user")
                .asRuntimeException();
        }
        if (user == null || !Passwords.matches(user.passwordHash(), password)) {
            throw new EtcdException(EtcdError.AUTH_FAILED);
        }
        return store.authenticate(name, callers.tokens().newPrefix()).thenComposeAsync(authenticated -> {
            if (checked.revision() != store.auth().revision() && attempt < AUTHENTICATE_ATTEMPTS_MAX) {
                return authenticate(name, password, attempt + 1); // the password may have changed meanwhile
            }
            final String token = callers.tokens().tokenFor(authenticated.username(), authenticated.authRevision(),
                authenticated.prefix(), authenticated.index());
            return CompletableFuture.completedFuture(AuthenticateResponse.newBuilder()
                .setHeader(headers.at(store.currentRevision())).setToken(token).build());
        }, slowWork);
    }

    @Override
    public void userAdd(final AuthUserAddRequest request, final StreamObserver<AuthUserAddResponse> observer) {
        final boolean noPassword = request.hasOptions() && request.getOptions().getNoPassword();
        if (request.getName().isEmpty()) {
            GrpcCalls.fail(observer, new EtcdException(EtcdError.USER_EMPTY));
            return;
        }
        withHash(observer, noPassword ? null : request.getPassword(), hash -> new AuthOp.UserAdd(request.getName(),
            hash, noPassword), header -> AuthUserAddResponse.newBuilder().setHeader(header).build());
    }

    @Override
    public void userChangePassword(final AuthUserChangePasswordRequest request,
        final StreamObserver<AuthUserChangePasswordResponse> observer) {
        withHash(observer, request.getPassword(), hash -> new AuthOp.UserChangePassword(request.getName(), hash),
            header -> AuthUserChangePasswordResponse.newBuilder().setHeader(header).build());
    }

    @Override
    public void userDelete(final AuthUserDeleteRequest request, final StreamObserver<AuthUserDeleteResponse> observer) {
        change(observer, new AuthOp.UserDelete(request.getName()),
            header -> AuthUserDeleteResponse.newBuilder().setHeader(header).build());
    }

    @Override
    public void userGrantRole(final AuthUserGrantRoleRequest request,
        final StreamObserver<AuthUserGrantRoleResponse> observer) {
        change(observer, new AuthOp.UserGrantRole(request.getUser(), request.getRole()),
            header -> AuthUserGrantRoleResponse.newBuilder().setHeader(header).build());
    }

    @Override
    public void userRevokeRole(final AuthUserRevokeRoleRequest request,
        final StreamObserver<AuthUserRevokeRoleResponse> observer) {
        change(observer, new AuthOp.UserRevokeRole(request.getName(), request.getRole()),
            header -> AuthUserRevokeRoleResponse.newBuilder().setHeader(header).build());
    }

    @Override
    public void roleAdd(final AuthRoleAddRequest request, final StreamObserver<AuthRoleAddResponse> observer) {
        change(observer, new AuthOp.RoleAdd(request.getName()),
            header -> AuthRoleAddResponse.newBuilder().setHeader(header).build());
    }

    @Override
    public void roleDelete(final AuthRoleDeleteRequest request, final StreamObserver<AuthRoleDeleteResponse> observer) {
        change(observer, new AuthOp.RoleDelete(request.getRole()),
            header -> AuthRoleDeleteResponse.newBuilder().setHeader(header).build());
    }

    @Override
    public void roleGrantPermission(final AuthRoleGrantPermissionRequest request,
        final StreamObserver<AuthRoleGrantPermissionResponse> observer) {
        final io.cairn.etcd.api.authpb.Permission perm = request.getPerm();
        final Permission permission = new Permission(Permission.Type.ofCode(perm.getPermTypeValue() & 0xFF),
            perm.getKey().toByteArray(), perm.getRangeEnd().toByteArray());
        change(observer, new AuthOp.RoleGrantPermission(request.getName(), permission),
            header -> AuthRoleGrantPermissionResponse.newBuilder().setHeader(header).build());
    }

    @Override
    public void roleRevokePermission(final AuthRoleRevokePermissionRequest request,
        final StreamObserver<AuthRoleRevokePermissionResponse> observer) {
        change(observer, new AuthOp.RoleRevokePermission(request.getRole(), request.getKey().toByteArray(),
            request.getRangeEnd().toByteArray()),
            header -> AuthRoleRevokePermissionResponse.newBuilder().setHeader(header).build());
    }

    @Override
    public void userGet(final AuthUserGetRequest request, final StreamObserver<AuthUserGetResponse> observer) {
        read(observer, (state, caller) -> {
            // etcd: root, or the user asking about itself
            if (!caller.username().equals(request.getName())) {
                Permissions.checkAdmin(state, caller);
            }
            return AuthUserGetResponse.newBuilder().addAllRoles(state.user(request.getName()).roles())
                .setHeader(headers.at(store.currentRevision())).build();
        });
    }

    @Override
    public void userList(final AuthUserListRequest request, final StreamObserver<AuthUserListResponse> observer) {
        read(observer, (state, caller) -> {
            Permissions.checkAdmin(state, caller);
            return AuthUserListResponse.newBuilder().addAllUsers(state.users().keySet())
                .setHeader(headers.at(store.currentRevision())).build();
        });
    }

    @Override
    public void roleGet(final AuthRoleGetRequest request, final StreamObserver<AuthRoleGetResponse> observer) {
        read(observer, (state, caller) -> {
            // etcd: root, or a user holding the role
            final User user = state.users().get(caller.username());
            if (user == null || !user.hasRole(request.getRole())) {
                Permissions.checkAdmin(state, caller);
            }
            final Role role = state.role(request.getRole());
            final AuthRoleGetResponse.Builder response = AuthRoleGetResponse.newBuilder()
                .setHeader(headers.at(store.currentRevision()));
            for (final Permission permission : role.permissions()) {
                response.addPerm(io.cairn.etcd.api.authpb.Permission.newBuilder()
                    .setPermType(Type.forNumber(permission.type().code()))
                    .setKey(ByteString.copyFrom(permission.key())).setRangeEnd(ByteString.copyFrom(permission.rangeEnd())));
            }
            return response.build();
        });
    }

    @Override
    public void roleList(final AuthRoleListRequest request, final StreamObserver<AuthRoleListResponse> observer) {
        read(observer, (state, caller) -> {
            Permissions.checkAdmin(state, caller);
            return AuthRoleListResponse.newBuilder().addAllRoles(state.roles().keySet())
                .setHeader(headers.at(store.currentRevision())).build();
        });
    }

    /** A change through the log, answered with its header. */
    private <T> void change(final StreamObserver<T> observer, final AuthOp op, final Function<ResponseHeader, T> response) {
        GrpcCalls.respondLater(observer, () -> {
            final AuthInfo caller = callers.current();
            return store.changeAuth(caller, op).thenApply(revision -> response.apply(headers.at(revision)));
        });
    }

    /** A change that carries a new password: hashed on {@code slowWork} first ({@code password} null: none). */
    private <T> void withHash(final StreamObserver<T> observer, final String password,
        final Function<String, AuthOp> op, final Function<ResponseHeader, T> response) {
        GrpcCalls.respondLater(observer, () -> {
            final AuthInfo caller = callers.current();
            return CompletableFuture.supplyAsync(() -> password == null ? "" : passwords.hash(password), slowWork)
                .thenCompose(hash -> store.changeAuth(caller, op.apply(hash)))
                .thenApply(revision -> response.apply(headers.at(revision)));
        });
    }

    /** What a get or list answers, from the auth store and the caller. */
    @FunctionalInterface
    private interface Read<T> {
        T answer(AuthState state, AuthInfo caller);
    }

    private <T> void read(final StreamObserver<T> observer, final Read<T> read) {
        GrpcCalls.respondLater(observer, () -> {
            final AuthInfo caller = callers.current();
            return store.linearizableRead().thenApplyAsync(ready -> read.answer(store.auth(), caller), slowWork);
        });
    }
}
