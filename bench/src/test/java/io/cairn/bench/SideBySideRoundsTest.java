package io.cairn.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cairn.bench.load.Connections;
import io.cairn.bench.load.LoadResult;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;

/**
 * Side by side, each endpoint's connections serve all its rounds, and are closed at the end;
 * {@code --new-connections-each-round} opens them again for each round. Channels connect at their
 * first call, and the rounds here make none, so no server is needed.
 */
class SideBySideRoundsTest {
    private static final int ROUNDS = 3;

    @Test
    void eachEndpointKeepsItsConnectionsForAllItsRounds() throws Exception {
        final List<List<Connections>> used = runRounds(false);
        for (final List<Connections> endpoint : used) {
            assertEquals(ROUNDS, endpoint.size());
            endpoint.forEach(connections -> assertSame(endpoint.get(0), connections));
        }
        assertNotSame(used.get(0).get(0), used.get(1).get(0));
        used.forEach(endpoint -> assertTrue(endpoint.get(0).channels().get(0).isShutdown(), "closed at the end"));
    }

    @Test
    void newConnectionsEachRoundOpensThemForEveryRound() throws Exception {
        final List<List<Connections>> used = runRounds(true);
        for (final List<Connections> endpoint : used) {
            assertEquals(ROUNDS, endpoint.stream().distinct().count());
            endpoint.forEach(connections -> assertTrue(connections.channels().get(0).isShutdown(), "closed"));
        }
    }

    /** The connections each round of each of two endpoints ran on. */
    private static List<List<Connections>> runRounds(final boolean newConnectionsEachRound) throws Exception {
        final CairnBench.LoadFlags flags = new CairnBench.LoadFlags();
        flags.endpoints = List.of("http://127.0.0.1:1", "http://127.0.0.1:2");
        flags.conns = 2;
        flags.newConnectionsEachRound = newConnectionsEachRound;
        final List<List<Connections>> used = List.of(new ArrayList<>(), new ArrayList<>());
        CairnBench.runRounds("put", flags, ROUNDS, Connections::open, (round, e, connections) -> {
            used.get(e).add(connections);
            return new LoadResult("endpoint " + e, new Histogram(3), 1, Map.of(), 1_000_000);
        });
        return used;
    }
}
