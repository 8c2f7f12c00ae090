package io.cairn.engine.peer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.cairn.engine.cluster.Member;
import java.util.List;
import org.junit.jupiter.api.Test;

/** etcd's /members body: written with Go's escaping, read with etcd's (and Go's) leniencies and nothing more. */
class MembersJsonTest {
    @Test
    void namesAreEscapedAsGo119WritesThem() {
        final String json = MembersJson.write(List.of(new Member(1, "a\"b\\c\n\t\r\u0001\b<&>\u2028é😀\ud800",
            List.of("http://h:1/?a=1&b=2"), List.of(), false)));
        assertEquals("[{\"id\":1,\"peerURLs\":[\"http://h:1/?a=1\\u0026b=2\"],\"name\":\"a\\\"b\\\\c\\n\\t\\r"
            + "\\u0001\\u0008\\u003c\\u0026\\u003e\\u2028é😀\\ufffd\"}]\n", json);
    }

    @Test
    void whatIsWrittenIsReadBack() {
        final List<Member> members = List.of(
            new Member(5, "m<1>", List.of("http://127.0.0.1:2380", "http://127.0.0.2:2380"),
                List.of("http://127.0.0.1:2379"), false),
            new Member(-1L, "", List.of("https://[::1]:2380"), List.of(), true));
        assertEquals(members, MembersJson.parse(MembersJson.write(members)));
    }

    @Test
    void unknownFieldsAndNullsAreTakenAsGoTakesThem() {
        assertEquals(List.of(new Member(-1L, "", List.of(), List.of(), false)),
            MembersJson.parse("[{\"id\":18446744073709551615,\"name\":null,\"peerURLs\":null,\"future\":{\"x\":[1]}}]"));
        assertEquals(List.of(), MembersJson.parse("null"));
        assertEquals(List.of(), MembersJson.parse(" [ ] \n"));
    }

    @Test
    void whatIsNotAMemberListIsRefused() {
        for (final String body : List.of("", "404 page not found\n", "[{\"id\":-1}]", "[{\"id\":18446744073709551616}]",
            "[{\"id\":1.5}]", "[{\"id\":\"1\"}]", "[{\"name\":\"x\"}]", "[{\"id\":1}] x", "[{\"id\":1,}]", "{}",
            "[{\"id\":1,\"isLearner\":\"yes\"}]", "[{\"id\":1}")) {
            assertThrows(IllegalArgumentException.class, () -> MembersJson.parse(body), body);
        }
    }
}
