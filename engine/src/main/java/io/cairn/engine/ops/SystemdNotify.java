package io.cairn.engine.ops;

import io.cairn.posix.UnixDatagramSocket;
import java.io.IOException;
import java.util.Map;

/**
 * systemd's {@code Type=notify} protocol: {@code READY=1} once the member serves, {@code STOPPING=1}
 * when it begins to stop, each one datagram to the socket systemd names in {@value #ENVIRONMENT}.
 * Outside systemd (no such variable) it does nothing. etcd 3.4 sends {@code READY=1} the same way,
 * once its server has joined the cluster; systemd holds back units ordered after it until then.
 */
public final class SystemdNotify {
    public static final String ENVIRONMENT = "NOTIFY_SOCKET";

    /** Null outside systemd. */
    private final String socket;

    private SystemdNotify(final String socket) {
        this.socket = socket;
    }

    public static SystemdNotify fromEnvironment(final Map<String, String> environment) {
        final String socket = environment.getOrDefault(ENVIRONMENT, "").strip();
        return new SystemdNotify(socket.isEmpty() ? null : socket);
    }

    /** Whether systemd asked for notifications. */
    public boolean enabled() {
        return socket != null;
    }

    public void ready() {
        send("READY=1");
    }

    public void stopping() {
        send("STOPPING=1");
    }

    /** A lost notification is not worth stopping the member for: systemd's own timeout then speaks. */
    private void send(final String state) {
        if (socket == null) {
            return;
        }
        try {
            UnixDatagramSocket.send(socket, state);
        } catch (final IOException | IllegalArgumentException e) {
            System.err.println("cairn: warning: cannot tell systemd " + state + " on " + socket + ": " + e.getMessage());
        }
    }
}
