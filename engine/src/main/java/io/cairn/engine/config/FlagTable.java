package io.cairn.engine.config;

import java.util.function.Consumer;

/**
 * Where {@link ServerFlags#declare} lists the flags: each with its names, its default (as the text
 * a user would write), its help text and the field it sets.
 */
interface FlagTable {
    void usageHelp(String description, Consumer<Boolean> field, String... names);

    void versionHelp(String description, Consumer<Boolean> field, String... names);

    void string(String name, String defaultValue, String description, Consumer<String> field);

    void longValue(String name, String defaultValue, String description, Consumer<Long> field);

    void intValue(String name, String defaultValue, String description, Consumer<Integer> field);

    /** A boolean flag that also takes an explicit value (--auto-tls=false), as Go's flags do. */
    void flag(String name, String defaultValue, String description, Consumer<Boolean> field);

    /** A number left out of --help (a test's switch). */
    void hiddenLongValue(String name, String defaultValue, Consumer<Long> field);
}
