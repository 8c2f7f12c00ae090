package io.cairn.engine.auth;

import io.cairn.engine.api.EtcdError;
import io.cairn.engine.api.EtcdException;
import io.cairn.engine.backend.BackendWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * The auth store on the apply thread: applies auth entries inside the batch's write transaction,
 * keeps the state a batch has built apart from the committed one (which gRPC threads read), and
 * tells the tokens what changed once the batch commits. A batch rolled back leaves no trace.
 */
public final class AuthApplier {
    private volatile AuthState committed;
    private AuthState inBatch; // null: the batch changed nothing yet
    private final List<AuthEvent> eventsInBatch = new ArrayList<>();
    private volatile Consumer<AuthEvent> events = event -> { };

    public AuthApplier(final AuthState committed) {
        this.committed = committed;
    }

    /** The state as of the last commit: what reads and request checks use. */
    public AuthState committed() {
        return committed;
    }

    /** The state as of the entry being applied: what apply-time checks use. */
    public AuthState current() {
        return inBatch != null ? inBatch : committed;
    }

    /** {@code listener} hears each event after its batch commits, before the batch's callers are answered. */
    public void onEvent(final Consumer<AuthEvent> listener) {
        events = listener;
    }

    /** Applies a change by {@code caller}; returns normally, or throws EtcdException having written nothing. */
    public void apply(final BackendWriter backend, final AuthInfo caller, final AuthOp op) {
        final AuthState before = current();
        Permissions.checkAdmin(before, caller);
        final AuthState after = op.applyTo(before);
        if (after == before) {
            return;
        }
        AuthTable.write(backend, before, after);
        inBatch = after;
        final String invalidated = op.invalidatesTokensOf();
        if (invalidated != null) {
            eventsInBatch.add(new AuthEvent.UserTokensRevoked(invalidated));
        }
        if (before.enabled() && !after.enabled()) {
            eventsInBatch.add(new AuthEvent.Disabled());
        }
    }

    /** An Authenticate entry at log {@code index}: refused as etcd's apply refuses it, else a token is issued. */
    public Authenticated authenticate(final String name, final String prefix, final long index) {
        final AuthState state = current();
        if (!state.enabled()) {
            throw new EtcdException(EtcdError.AUTH_NOT_ENABLED);
        }
        final User user = state.users().get(name);
        if (user == null || user.noPassword()) {
            throw new EtcdException(EtcdError.AUTH_FAILED);
        }
        eventsInBatch.add(new AuthEvent.TokenIssued(name, prefix, index));
        return new Authenticated(name, state.revision(), prefix, index);
    }

    /** The batch committed: its state becomes the one everyone reads, and the tokens hear of it. */
    public void commitBatch() {
        if (inBatch != null) {
            committed = inBatch;
            inBatch = null;
        }
        if (eventsInBatch.isEmpty()) {
            return; // nearly every batch: no list, no iterator (issue #21's allocation per put)
        }
        final List<AuthEvent> told = List.copyOf(eventsInBatch);
        eventsInBatch.clear();
        told.forEach(events);
    }

    /** The batch was rolled back. */
    public void rollbackBatch() {
        inBatch = null;
        eventsInBatch.clear();
    }

    /** The tree was replaced (a snapshot from the leader): its auth store is the one now. */
    public void reload(final AuthState state) {
        inBatch = null;
        eventsInBatch.clear();
        committed = state;
    }
}
