package io.cairn.engine.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Cases from Go's time.ParseDuration documentation and behaviour. */
class GoDurationTest {
    @ParameterizedTest
    @CsvSource({
        "0, 0", "5s, 5000000000", "30s, 30000000000", "1478s, 1478000000000", "-5s, -5000000000",
        "+5s, 5000000000", "-0, 0", "+0, 0", "5.0s, 5000000000", "5.6s, 5600000000", "5.s, 5000000000",
        ".5s, 500000000", "1.0s, 1000000000", "1.00s, 1000000000", "1.004s, 1004000000", "100.00100s, 100001000000",
        "10ns, 10", "11us, 11000", "12µs, 12000", "13ms, 13000000", "14s, 14000000000", "15m, 900000000000",
        "16h, 57600000000000", "3h30m, 12600000000000", "10.5s4m, 250500000000", "-2m3.4s, -123400000000",
        "1h2m3s4ms5us6ns, 3723004005006", "39h9m14.425s, 140954425000000", "0.3333333333333333333h, 1199999999999",
        "9223372036854775807ns, 9223372036854775807", "000000000000000000005s, 5000000000",
        "2562047h, 9223369200000000000",
    })
    void parsesWhatGoParses(final String text, final long nanos) {
        assertEquals(Duration.ofNanos(nanos), GoDuration.parse(text));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "3", "-", "s", ".", "-.", ".s", "+.s", "1d", "1.2.3s", "3000000h",
        "9223372036854775808ns", "99999999999999999999s", "999999999999999999h", "2562048h"})
    void rejectsWhatGoRejects(final String text) {
        assertThrows(IllegalArgumentException.class, () -> GoDuration.parse(text));
    }

    /** Cases from Go's time.Duration.String tests, and one etcd printed ("took":"2.495427ms"). */
    @ParameterizedTest
    @CsvSource({
        "0, 0s", "1, 1ns", "1100, 1.1µs", "2200000, 2.2ms", "2495427, 2.495427ms", "3300000000, 3.3s",
        "245000000000, 4m5s", "245001000000, 4m5.001s", "18367001000000, 5h6m7.001s", "480000000001, 8m0.000000001s",
        "3600000000000, 1h0m0s", "1000000000, 1s", "-1500000000, -1.5s", "9223372036854775807, 2562047h47m16.854775807s",
    })
    void formatsAsGoDoes(final long nanos, final String text) {
        assertEquals(text, GoDuration.format(Duration.ofNanos(nanos)));
    }
}
