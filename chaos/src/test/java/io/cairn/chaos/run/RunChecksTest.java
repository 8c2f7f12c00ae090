package io.cairn.chaos.run;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.cairn.etcd.api.etcdserverpb.Member;
import java.util.List;
import org.junit.jupiter.api.Test;

class RunChecksTest {
    private static Member member(final String name, final long id, final int address) {
        return Member.newBuilder().setName(name).setID(id).addPeerURLs("http://10.231.0." + address + ":2380").build();
    }

    @Test
    void aClusterBackAtItsSizeWithEveryMemberStartedIsRight() {
        // m2 was replaced: a new id, the same name and peer URL.
        assertEquals(List.of(), RunChecks.membershipProblems(3,
            List.of(member("m1", 0x11, 11), member("m2", 0x99, 12), member("m3", 0x13, 13))));
    }

    @Test
    void aMemberRemovedAndNotAddedBackIsReported() {
        assertEquals(List.of("the cluster ended with 2 members, not its initial 3", "m2 is not a started member at the end"),
            RunChecks.membershipProblems(3, List.of(member("m1", 0x11, 11), member("m3", 0x13, 13))));
    }

    @Test
    void aMemberAddedButNeverStartedIsReported() {
        assertEquals(List.of("member 99 [http://10.231.0.12:2380] was added but never started",
                "m2 is not a started member at the end"),
            RunChecks.membershipProblems(3,
                List.of(member("m1", 0x11, 11), member("", 0x99, 12), member("m3", 0x13, 13))));
    }

    @Test
    void noAnswerIsReported() {
        assertEquals(List.of("no member answered MemberList at the end"), RunChecks.membershipProblems(3, List.of()));
    }
}
