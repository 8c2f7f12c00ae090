package io.cairn.posix;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

/**
 * The system call numbers against the kernel's own headers (Debian's linux-libc-dev, in
 * .ci/apt-packages): x86_64's table, and the generic one aarch64 uses. A wrong number would make
 * another call than the one named, which no other test here could tell on the other architecture.
 */
class SyscallTest {
    private static final Path X86_64_HEADER = Path.of("/usr/include/x86_64-linux-gnu/asm/unistd_64.h");
    private static final Path GENERIC_HEADER = Path.of("/usr/include/asm-generic/unistd.h");
    private static final Pattern DEFINE = Pattern.compile("^#define\\s+__NR(?:3264)?_(\\w+)\\s+(\\d+)\\s*$",
        Pattern.MULTILINE);

    @Test
    void x86_64NumbersAreTheKernelHeaders() throws IOException {
        Map<String, Long> numbers = defines(X86_64_HEADER);
        for (Syscall call : Syscall.values()) {
            assertEquals(numbers.get(name(call)), call.x86_64, call + " on x86_64");
        }
    }

    @Test
    void aarch64NumbersAreTheGenericKernelHeaders() throws IOException {
        Map<String, Long> numbers = defines(GENERIC_HEADER);
        for (Syscall call : Syscall.values()) {
            assertEquals(numbers.get(name(call)), call.aarch64, call + " on aarch64");
        }
    }

    @Test
    void onlyTheTwoArchitecturesWithATableAreTaken() {
        assertFalse(Syscall.isAarch64("amd64"));
        assertTrue(Syscall.isAarch64("aarch64"));
        UnsupportedOperationException e = assertThrows(UnsupportedOperationException.class,
            () -> Syscall.isAarch64("riscv64"));
        assertEquals("no system call numbers for the architecture riscv64 (Cairn runs on x86_64 and aarch64 Linux)",
            e.getMessage());
    }

    private static String name(Syscall call) {
        return call.name().toLowerCase(Locale.ROOT);
    }

    private static Map<String, Long> defines(Path header) throws IOException {
        assertTrue(Files.isReadable(header), header + " is missing: install linux-libc-dev (.ci/apt-packages)");
        Map<String, Long> numbers = new HashMap<>();
        Matcher m = DEFINE.matcher(Files.readString(header));
        while (m.find()) {
            numbers.putIfAbsent(m.group(1), Long.parseLong(m.group(2)));
        }
        return numbers;
    }
}
