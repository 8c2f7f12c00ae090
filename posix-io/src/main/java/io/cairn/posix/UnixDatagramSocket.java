package io.cairn.posix;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * A Unix datagram socket through FFM (Java's own channels have no Unix datagrams): what systemd's
 * {@code NOTIFY_SOCKET} protocol needs. {@link #send} is one datagram to an address; {@link #bind}
 * opens a receiving socket, which tests use to stand in for systemd.
 *
 * <p>An address is a filesystem path, or a name in Linux's abstract namespace written with a
 * leading {@code @} (as {@code NOTIFY_SOCKET} writes it).
 */
@SuppressWarnings("restricted") // FFM downcalls, like NativePosix
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

    private static final MethodHandle SOCKET = NativePosix.downcall("socket",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT));
    private static final MethodHandle BIND = NativePosix.downcall("bind",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT));
    private static final MethodHandle SENDTO = NativePosix.downcall("sendto",
            FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT, ADDRESS, JAVA_INT));
    private static final MethodHandle RECV = NativePosix.downcall("recv",
            FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT));
    private static final MethodHandle SETSOCKOPT = NativePosix.downcall("setsockopt",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT));
    private static final MethodHandle CLOSE = NativePosix.downcall("close", FunctionDescriptor.of(JAVA_INT, JAVA_INT));

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
                sent = (long) SENDTO.invokeExact(state, fd, buffer, (long) bytes.length, MSG_NOSIGNAL, to, (int) to.byteSize());
            } while (sent < 0 && NativePosix.errno(state) == Errno.EINTR);
            if (sent < 0) {
                throw PosixException.of(NativePosix.errno(state), "sendto", Path.of(address));
            }
        } catch (IOException | RuntimeException e) {
            throw e;
        } catch (Throwable t) {
            throw new AssertionError(t);
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
            if ((int) BIND.invokeExact(state, fd, at, (int) at.byteSize()) != 0) {
                throw PosixException.of(NativePosix.errno(state), "bind", Path.of(address));
            }
            return new UnixDatagramSocket(fd, address);
        } catch (IOException | RuntimeException e) {
            closeQuietly(fd);
            throw e;
        } catch (Throwable t) {
            closeQuietly(fd);
            throw new AssertionError(t);
        }
    }

    /** The next datagram (up to 4 KiB), or null if none came within {@code timeout}. */
    public String receive(Duration timeout) throws IOException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment timeval = arena.allocate(16);
            timeval.set(JAVA_LONG, 0, timeout.toSeconds());
            timeval.set(JAVA_LONG, 8, Math.max(1, timeout.toNanosPart() / 1000));
            MemorySegment state = NativePosix.CAPTURE_STATE.get();
            if ((int) SETSOCKOPT.invokeExact(state, descriptor, SOL_SOCKET, SO_RCVTIMEO, timeval, 16) != 0) {
                throw PosixException.of(NativePosix.errno(state), "setsockopt(SO_RCVTIMEO)", Path.of(address));
            }
            MemorySegment buffer = arena.allocate(4096);
            long received = (long) RECV.invokeExact(state, descriptor, buffer, buffer.byteSize(), 0);
            if (received < 0) {
                int errno = NativePosix.errno(state);
                if (errno == Errno.EAGAIN || errno == Errno.EINTR) {
                    return null;
                }
                throw PosixException.of(errno, "recv", Path.of(address));
            }
            return new String(buffer.asSlice(0, received).toArray(ValueLayout.JAVA_BYTE), StandardCharsets.UTF_8);
        } catch (IOException | RuntimeException e) {
            throw e;
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    @Override
    public void close() {
        closeQuietly(descriptor);
    }

    private static int open(String address) throws IOException {
        MemorySegment state = NativePosix.CAPTURE_STATE.get();
        try {
            int fd = (int) SOCKET.invokeExact(state, (int) AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
            if (fd < 0) {
                throw PosixException.of(NativePosix.errno(state), "socket(AF_UNIX, SOCK_DGRAM)", Path.of(address));
            }
            return fd;
        } catch (IOException | RuntimeException e) {
            throw e;
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
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
        try {
            int ignored = (int) CLOSE.invokeExact(NativePosix.CAPTURE_STATE.get(), fd);
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }
}
