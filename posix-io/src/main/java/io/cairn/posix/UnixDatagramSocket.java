package io.cairn.posix;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;

import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * A Unix datagram socket through FFM (Java's own channels have no Unix datagrams): what systemd's
 * {@code NOTIFY_SOCKET} protocol needs. {@link #send} is one datagram to an address; {@link #bind}
 * opens a receiving socket, which tests use to stand in for systemd.
 *
 * <p>An address is a filesystem path, or a name in Linux's abstract namespace written with a
 * leading {@code @} (as {@code NOTIFY_SOCKET} writes it).
 */
public final class UnixDatagramSocket implements AutoCloseable {
    private static final short AF_UNIX = 1;
    private static final int SOCK_DGRAM = 2;
    private static final int SOCK_CLOEXEC = 02000000;
    private static final int MSG_NOSIGNAL = 0x4000;
    private static final int SOL_SOCKET = 1;
    private static final int SO_RCVTIMEO = 20;
    /** {@code struct sockaddr_un}: a 2-byte family, then 108 bytes of path. */
    private static final int SOCKADDR_UN_BYTES = 110;
    private static final int PATH_BYTES_MAX = 107;

    private final int descriptor;
    private final String address;

    private UnixDatagramSocket(int descriptor, String address) {
        this.descriptor = descriptor;
        this.address = address;
    }

    /** Sends {@code message} as one datagram to {@code address}. */
    public static void send(String address, String message) throws IOException {
        int fd = open(address);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment to = sockaddr(arena, address);
            byte[] bytes = message.getBytes(StandardCharsets.UTF_8);
            MemorySegment buffer = arena.allocate(Math.max(1, bytes.length));
            MemorySegment.copy(bytes, 0, buffer, ValueLayout.JAVA_BYTE, 0, bytes.length);
            MemorySegment state = NativePosix.CAPTURE_STATE.get();
            long sent;
            do {
                sent = NativePosix.syscall(state, Syscall.SENDTO, fd, NativePosix.address(buffer), bytes.length, MSG_NOSIGNAL,
                    NativePosix.address(to), to.byteSize());
            } while (sent < 0 && NativePosix.errno(state) == Errno.EINTR);
            if (sent < 0) {
                throw PosixException.of(NativePosix.errno(state), "sendto", Path.of(address));
            }
        } finally {
            closeQuietly(fd);
        }
    }

    /** A socket receiving at {@code address}; a path must not exist yet. */
    public static UnixDatagramSocket bind(String address) throws IOException {
        int fd = open(address);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment at = sockaddr(arena, address);
            MemorySegment state = NativePosix.CAPTURE_STATE.get();
            if ((int) NativePosix.syscall(state, Syscall.BIND, fd, NativePosix.address(at), at.byteSize(), 0, 0, 0) != 0) {
                throw PosixException.of(NativePosix.errno(state), "bind", Path.of(address));
            }
            return new UnixDatagramSocket(fd, address);
        } catch (IOException | RuntimeException e) {
            closeQuietly(fd);
            throw e;
        }
    }

    /** The next datagram (up to 4 KiB), or null if none came within {@code timeout}. */
    public String receive(Duration timeout) throws IOException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment timeval = arena.allocate(16);
            timeval.set(JAVA_LONG, 0, timeout.toSeconds());
            timeval.set(JAVA_LONG, 8, Math.max(1, timeout.toNanosPart() / 1000));
            MemorySegment state = NativePosix.CAPTURE_STATE.get();
            if ((int) NativePosix.syscall(state, Syscall.SETSOCKOPT, descriptor, SOL_SOCKET, SO_RCVTIMEO,
                    NativePosix.address(timeval), timeval.byteSize(), 0) != 0) {
                throw PosixException.of(NativePosix.errno(state), "setsockopt(SO_RCVTIMEO)", Path.of(address));
            }
            MemorySegment buffer = arena.allocate(4096);
            // recv(2) is recvfrom(2) without the sender's address
            long received = NativePosix.syscall(state, Syscall.RECVFROM, descriptor, NativePosix.address(buffer),
                buffer.byteSize(), 0, 0, 0);
            if (received < 0) {
                int errno = NativePosix.errno(state);
                if (errno == Errno.EAGAIN || errno == Errno.EINTR) {
                    return null;
                }
                throw PosixException.of(errno, "recv", Path.of(address));
            }
            return new String(buffer.asSlice(0, received).toArray(ValueLayout.JAVA_BYTE), StandardCharsets.UTF_8);
        }
    }

    @Override
    public void close() {
        closeQuietly(descriptor);
    }

    private static int open(String address) throws IOException {
        MemorySegment state = NativePosix.CAPTURE_STATE.get();
        int fd = (int) NativePosix.syscall(state, Syscall.SOCKET, AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0, 0, 0, 0);
        if (fd < 0) {
            throw PosixException.of(NativePosix.errno(state), "socket(AF_UNIX, SOCK_DGRAM)", Path.of(address));
        }
        return fd;
    }

    /** {@code struct sockaddr_un} for {@code address}, sized as the kernel wants it (abstract names have no NUL). */
    private static MemorySegment sockaddr(Arena arena, String address) {
        boolean abstractName = address.startsWith("@");
        byte[] name = (abstractName ? address.substring(1) : address).getBytes(StandardCharsets.UTF_8);
        if (name.length == 0 || name.length > PATH_BYTES_MAX) {
            throw new IllegalArgumentException("a Unix socket address is 1 to " + PATH_BYTES_MAX + " bytes: " + address);
        }
        MemorySegment sockaddr = arena.allocate(SOCKADDR_UN_BYTES);
        sockaddr.set(ValueLayout.JAVA_SHORT, 0, AF_UNIX);
        // An abstract name starts with a NUL byte in place of the '@'; a path ends with one.
        MemorySegment.copy(name, 0, sockaddr, ValueLayout.JAVA_BYTE, abstractName ? 3 : 2, name.length);
        return sockaddr.asSlice(0, 2 + (abstractName ? 1 : 0) + name.length + (abstractName ? 0 : 1));
    }

    private static void closeQuietly(int fd) {
        NativePosix.syscall(NativePosix.CAPTURE_STATE.get(), Syscall.CLOSE, fd, 0, 0, 0, 0, 0);
    }
}
