package io.cairn.engine.server;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The preload names the classes a client's first call initialises by their names; a gRPC or Netty
 * upgrade that renames one would make the preload skip it without a word, so the names are checked
 * here (without initialising anything).
 */
class StartupPreloadTest {
    @Test
    void everyFirstCallClassExists() {
        final List<String> missing = new ArrayList<>();
        for (final String name : StartupPreload.FIRST_CALL_CLASSES) {
            try {
                Class.forName(name, false, StartupPreload.class.getClassLoader());
            } catch (final ClassNotFoundException e) {
                missing.add(name);
            }
        }
        assertEquals(List.of(), missing, "classes the preload names that this build does not have");
    }
}
