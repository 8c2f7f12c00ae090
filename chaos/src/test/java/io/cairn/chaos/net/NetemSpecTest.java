package io.cairn.chaos.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The tc options each spec becomes (no root needed). */
class NetemSpecTest {
    @Test
    void eachEffectBecomesItsTcOption() {
        assertEquals(List.of("loss", "100%"), NetemSpec.loss(100).tcArguments());
        assertEquals(List.of("delay", "200ms"), NetemSpec.delay(200).tcArguments());
        assertEquals(List.of("delay", "200ms", "20ms", "loss", "12.5%", "reorder", "25%"),
            new NetemSpec(12.5, 200, 20, 25).tcArguments());
        assertEquals("delay 200ms 20ms loss 12.5% reorder 25%", new NetemSpec(12.5, 200, 20, 25).describe());
    }

    @Test
    void impossibleSpecsAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> NetemSpec.loss(101));
        assertThrows(IllegalArgumentException.class, () -> NetemSpec.loss(Double.NaN));
        assertThrows(IllegalArgumentException.class, () -> NetemSpec.delay(-1));
        assertThrows(IllegalArgumentException.class, () -> new NetemSpec(0, 0, 10, 0));
        assertThrows(IllegalArgumentException.class, () -> new NetemSpec(0, 0, 0, 10));
    }
}
