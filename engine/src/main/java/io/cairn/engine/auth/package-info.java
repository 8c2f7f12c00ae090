/**
 * etcd 3.4's Auth: users, roles, key permissions, the enabled flag and the auth revision, as every
 * member applies them from the log ({@link io.cairn.engine.auth.AuthState}); the permission checks
 * etcd makes ({@link io.cairn.engine.auth.Permissions}); bcrypt passwords; simple and JWT tokens.
 * Plain Java: the gRPC facade maps {@link io.cairn.engine.api.EtcdException}s to etcd's statuses.
 */
package io.cairn.engine.auth;
