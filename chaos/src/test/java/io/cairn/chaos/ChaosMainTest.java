package io.cairn.chaos;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.cairn.chaos.fault.FaultKind;
import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class ChaosMainTest {
    @Test
    void faultKindsAreNamedWithHyphensOrAsTheEnumInAnyCase() {
        final ChaosMain main = new ChaosMain();
        new CommandLine(main).parseArgs("--faults", "member-replace,KILL,partition_leader");
        assertEquals(List.of(FaultKind.MEMBER_REPLACE, FaultKind.KILL, FaultKind.PARTITION_LEADER), main.faults);
    }

    @Test
    void anUnknownKindIsRefused() {
        assertThrows(CommandLine.ParameterException.class,
            () -> new CommandLine(new ChaosMain()).parseArgs("--faults", "member-swap"));
    }
}
