/**
 * The storage seam of the WAL and the B+tree: {@link io.cairn.posix.Posix}, libc behind it
 * ({@link io.cairn.posix.NativePosix}), and a layer that cuts the power and injects disk errors
 * ({@link io.cairn.posix.FaultyPosix}).
 */
package io.cairn.posix;
