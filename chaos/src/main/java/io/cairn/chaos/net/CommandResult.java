package io.cairn.chaos.net;

import java.util.List;

/** What one finished command printed and how it exited. */
public record CommandResult(List<String> argv, int exitStatus, String stdout, String stderr) {
    public CommandResult {
        argv = List.copyOf(argv);
    }

    public boolean succeeded() {
        return exitStatus == 0;
    }
}
