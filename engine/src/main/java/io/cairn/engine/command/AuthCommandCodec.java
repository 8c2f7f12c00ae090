package io.cairn.engine.command;

import io.cairn.engine.auth.AuthInfo;
import io.cairn.engine.auth.AuthOp;
import io.cairn.engine.auth.Permission;
import io.cairn.sbe.command.AuthDisableDecoder;
import io.cairn.sbe.command.AuthDisableEncoder;
import io.cairn.sbe.command.AuthEnableDecoder;
import io.cairn.sbe.command.AuthEnableEncoder;
import io.cairn.sbe.command.AuthenticateDecoder;
import io.cairn.sbe.command.AuthenticateEncoder;
import io.cairn.sbe.command.BooleanType;
import io.cairn.sbe.command.MessageHeaderDecoder;
import io.cairn.sbe.command.MessageHeaderEncoder;
import io.cairn.sbe.command.PermissionType;
import io.cairn.sbe.command.RoleAddDecoder;
import io.cairn.sbe.command.RoleAddEncoder;
import io.cairn.sbe.command.RoleDeleteDecoder;
import io.cairn.sbe.command.RoleDeleteEncoder;
import io.cairn.sbe.command.RoleGrantPermissionDecoder;
import io.cairn.sbe.command.RoleGrantPermissionEncoder;
import io.cairn.sbe.command.RoleRevokePermissionDecoder;
import io.cairn.sbe.command.RoleRevokePermissionEncoder;
import io.cairn.sbe.command.UserAddDecoder;
import io.cairn.sbe.command.UserAddEncoder;
import io.cairn.sbe.command.UserChangePasswordDecoder;
import io.cairn.sbe.command.UserChangePasswordEncoder;
import io.cairn.sbe.command.UserDeleteDecoder;
import io.cairn.sbe.command.UserDeleteEncoder;
import io.cairn.sbe.command.UserGrantRoleDecoder;
import io.cairn.sbe.command.UserGrantRoleEncoder;
import io.cairn.sbe.command.UserRevokeRoleDecoder;
import io.cairn.sbe.command.UserRevokeRoleEncoder;
import org.agrona.ExpandableArrayBuffer;
import org.agrona.concurrent.UnsafeBuffer;

/** The auth commands as the SBE messages of log-commands.xml (ids 11-21 and 24); see {@link CommandCodec}. */
final class AuthCommandCodec {
    private AuthCommandCodec() {
    }

    /** Whether {@code templateId} is one of the auth messages. */
    static boolean isAuth(final int templateId) {
        return templateId >= AuthEnableDecoder.TEMPLATE_ID && templateId <= RoleRevokePermissionDecoder.TEMPLATE_ID
            || templateId == AuthenticateDecoder.TEMPLATE_ID;
    }

    /** Encodes into {@code buffer} at 0; returns the length, header included. */
    static int encode(final Command.Authenticate authenticate, final ExpandableArrayBuffer buffer) {
        final AuthenticateEncoder e = new AuthenticateEncoder().wrapAndApplyHeader(buffer, 0, new MessageHeaderEncoder());
        e.requestId(authenticate.requestId()).name(authenticate.name()).simpleTokenPrefix(authenticate.simpleTokenPrefix());
        return MessageHeaderEncoder.ENCODED_LENGTH + e.encodedLength();
    }

    /** Encodes into {@code buffer} at 0; returns the length, header included. */
    static int encode(final Command.AuthChange change, final ExpandableArrayBuffer buffer) {
        final MessageHeaderEncoder header = new MessageHeaderEncoder();
        final long id = change.requestId();
        final long revision = change.caller().revision();
        final String caller = change.caller().username();
        final int length = switch (change.op()) {
            case AuthOp.Enable enable -> new AuthEnableEncoder().wrapAndApplyHeader(buffer, 0, header)
                .requestId(id).authRevision(revision).username(caller).encodedLength();
            case AuthOp.Disable disable -> new AuthDisableEncoder().wrapAndApplyHeader(buffer, 0, header)
                .requestId(id).authRevision(revision).username(caller).encodedLength();
            case AuthOp.UserAdd add -> new UserAddEncoder().wrapAndApplyHeader(buffer, 0, header)
                .requestId(id).authRevision(revision).noPassword(add.noPassword() ? BooleanType.TRUE : BooleanType.FALSE)
                .name(add.name()).hashedPassword(add.passwordHash()).username(caller).encodedLength();
            case AuthOp.UserDelete delete -> new UserDeleteEncoder().wrapAndApplyHeader(buffer, 0, header)
                .requestId(id).authRevision(revision).name(delete.name()).username(caller).encodedLength();
            case AuthOp.UserChangePassword change2 -> new UserChangePasswordEncoder().wrapAndApplyHeader(buffer, 0, header)
                .requestId(id).authRevision(revision).name(change2.name()).hashedPassword(change2.passwordHash())
                .username(caller).encodedLength();
            case AuthOp.UserGrantRole grant -> new UserGrantRoleEncoder().wrapAndApplyHeader(buffer, 0, header)
                .requestId(id).authRevision(revision).user(grant.user()).role(grant.role()).username(caller)
                .encodedLength();
            case AuthOp.UserRevokeRole revoke -> new UserRevokeRoleEncoder().wrapAndApplyHeader(buffer, 0, header)
                .requestId(id).authRevision(revision).user(revoke.user()).role(revoke.role()).username(caller)
                .encodedLength();
            case AuthOp.RoleAdd add -> new RoleAddEncoder().wrapAndApplyHeader(buffer, 0, header)
                .requestId(id).authRevision(revision).name(add.name()).username(caller).encodedLength();
            case AuthOp.RoleDelete delete -> new RoleDeleteEncoder().wrapAndApplyHeader(buffer, 0, header)
                .requestId(id).authRevision(revision).name(delete.name()).username(caller).encodedLength();
            case AuthOp.RoleGrantPermission grant -> {
                final Permission p = grant.permission();
                yield new RoleGrantPermissionEncoder().wrapAndApplyHeader(buffer, 0, header)
                    .requestId(id).authRevision(revision).permissionType(PermissionType.get((short)p.type().code()))
                    .role(grant.role()).putKey(p.key(), 0, p.key().length)
                    .putRangeEnd(p.rangeEnd(), 0, p.rangeEnd().length).username(caller).encodedLength();
            }
            case AuthOp.RoleRevokePermission revoke -> new RoleRevokePermissionEncoder()
                .wrapAndApplyHeader(buffer, 0, header)
                .requestId(id).authRevision(revision).role(revoke.role()).putKey(revoke.key(), 0, revoke.key().length)
                .putRangeEnd(revoke.rangeEnd(), 0, revoke.rangeEnd().length).username(caller).encodedLength();
        };
        return MessageHeaderEncoder.ENCODED_LENGTH + length;
    }

    static Command decode(final UnsafeBuffer buffer, final MessageHeaderDecoder header) {
        return switch (header.templateId()) {
            case AuthenticateDecoder.TEMPLATE_ID -> {
                final AuthenticateDecoder d = new AuthenticateDecoder().wrapAndApplyHeader(buffer, 0, header);
                final long id = d.requestId();
                final String name = d.name();
                yield new Command.Authenticate(id, name, d.simpleTokenPrefix());
            }
            case AuthEnableDecoder.TEMPLATE_ID -> {
                final AuthEnableDecoder d = new AuthEnableDecoder().wrapAndApplyHeader(buffer, 0, header);
                final long id = d.requestId();
                final long revision = d.authRevision();
                yield change(id, revision, d.username(), new AuthOp.Enable());
            }
            case AuthDisableDecoder.TEMPLATE_ID -> {
                final AuthDisableDecoder d = new AuthDisableDecoder().wrapAndApplyHeader(buffer, 0, header);
                final long id = d.requestId();
                final long revision = d.authRevision();
                yield change(id, revision, d.username(), new AuthOp.Disable());
            }
            case UserAddDecoder.TEMPLATE_ID -> {
                final UserAddDecoder d = new UserAddDecoder().wrapAndApplyHeader(buffer, 0, header);
                final long id = d.requestId();
                final long revision = d.authRevision();
                final boolean noPassword = d.noPassword() == BooleanType.TRUE;
                final String name = d.name();
                final String hash = d.hashedPassword();
                yield change(id, revision, d.username(), new AuthOp.UserAdd(name, hash, noPassword));
            }
            case UserDeleteDecoder.TEMPLATE_ID -> {
                final UserDeleteDecoder d = new UserDeleteDecoder().wrapAndApplyHeader(buffer, 0, header);
                final long id = d.requestId();
                final long revision = d.authRevision();
                final String name = d.name();
                yield change(id, revision, d.username(), new AuthOp.UserDelete(name));
            }
            case UserChangePasswordDecoder.TEMPLATE_ID -> {
                final UserChangePasswordDecoder d = new UserChangePasswordDecoder().wrapAndApplyHeader(buffer, 0, header);
                final long id = d.requestId();
                final long revision = d.authRevision();
                final String name = d.name();
                final String hash = d.hashedPassword();
                yield change(id, revision, d.username(), new AuthOp.UserChangePassword(name, hash));
            }
            case UserGrantRoleDecoder.TEMPLATE_ID -> {
                final UserGrantRoleDecoder d = new UserGrantRoleDecoder().wrapAndApplyHeader(buffer, 0, header);
                final long id = d.requestId();
                final long revision = d.authRevision();
                final String user = d.user();
                final String role = d.role();
                yield change(id, revision, d.username(), new AuthOp.UserGrantRole(user, role));
            }
            case UserRevokeRoleDecoder.TEMPLATE_ID -> {
                final UserRevokeRoleDecoder d = new UserRevokeRoleDecoder().wrapAndApplyHeader(buffer, 0, header);
                final long id = d.requestId();
                final long revision = d.authRevision();
                final String user = d.user();
                final String role = d.role();
                yield change(id, revision, d.username(), new AuthOp.UserRevokeRole(user, role));
            }
            case RoleAddDecoder.TEMPLATE_ID -> {
                final RoleAddDecoder d = new RoleAddDecoder().wrapAndApplyHeader(buffer, 0, header);
                final long id = d.requestId();
                final long revision = d.authRevision();
                final String name = d.name();
                yield change(id, revision, d.username(), new AuthOp.RoleAdd(name));
            }
            case RoleDeleteDecoder.TEMPLATE_ID -> {
                final RoleDeleteDecoder d = new RoleDeleteDecoder().wrapAndApplyHeader(buffer, 0, header);
                final long id = d.requestId();
                final long revision = d.authRevision();
                final String name = d.name();
                yield change(id, revision, d.username(), new AuthOp.RoleDelete(name));
            }
            case RoleGrantPermissionDecoder.TEMPLATE_ID -> {
                final RoleGrantPermissionDecoder d =
                    new RoleGrantPermissionDecoder().wrapAndApplyHeader(buffer, 0, header);
                final long id = d.requestId();
                final long revision = d.authRevision();
                final Permission.Type type = Permission.Type.ofCode(d.permissionTypeRaw());
                final String role = d.role();
                final byte[] key = new byte[d.keyLength()];
                d.getKey(key, 0, key.length);
                final byte[] rangeEnd = new byte[d.rangeEndLength()];
                d.getRangeEnd(rangeEnd, 0, rangeEnd.length);
                yield change(id, revision, d.username(),
                    new AuthOp.RoleGrantPermission(role, new Permission(type, key, rangeEnd)));
            }
            case RoleRevokePermissionDecoder.TEMPLATE_ID -> {
                final RoleRevokePermissionDecoder d =
                    new RoleRevokePermissionDecoder().wrapAndApplyHeader(buffer, 0, header);
                final long id = d.requestId();
                final long revision = d.authRevision();
                final String role = d.role();
                final byte[] key = new byte[d.keyLength()];
                d.getKey(key, 0, key.length);
                final byte[] rangeEnd = new byte[d.rangeEndLength()];
                d.getRangeEnd(rangeEnd, 0, rangeEnd.length);
                yield change(id, revision, d.username(), new AuthOp.RoleRevokePermission(role, key, rangeEnd));
            }
            default -> throw new IllegalArgumentException("not an auth command: template " + header.templateId());
        };
    }

    private static Command change(final long requestId, final long authRevision, final String username, final AuthOp op) {
        return new Command.AuthChange(requestId, new AuthInfo(username, authRevision), op);
    }
}
