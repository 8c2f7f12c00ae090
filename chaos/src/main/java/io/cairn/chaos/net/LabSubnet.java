package io.cairn.chaos.net;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The lab's IPv4 /24: the bridge in the root namespace takes host 1, member {@code i} takes host
 * {@code 10 + i}. Gaps between them leave room to add a harness-side address later without renumbering.
 */
public record LabSubnet(int first, int second, int third) {
    /** 10.231.0.0/24: private, and unlikely to be a host's or Docker's default (172.17/16, 10.0/8 pools). */
    public static final LabSubnet DEFAULT = new LabSubnet(10, 231, 0);

    /** Host numbers from 11 to 254 leave room for this many members. */
    public static final int MAX_MEMBERS = 254 - 10;

    private static final int PREFIX_LENGTH = 24;
    private static final int BRIDGE_HOST = 1;
    private static final int FIRST_MEMBER_HOST_OFFSET = 10;
    private static final Pattern CIDR = Pattern.compile("(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})\\.0/24");

    public LabSubnet {
        for (final int octet : new int[] {first, second, third}) {
            if (octet < 0 || octet > 255) {
                throw new IllegalArgumentException("octet out of range: " + first + "." + second + "." + third);
            }
        }
    }

    /** Parses {@code "a.b.c.0/24"}, the only shape the lab uses. */
    public static LabSubnet parse(final String cidr) {
        final Matcher matcher = CIDR.matcher(cidr);
        if (!matcher.matches()) {
            throw new IllegalArgumentException("expected a /24 like 10.231.0.0/24, got " + cidr);
        }
        return new LabSubnet(Integer.parseInt(matcher.group(1)), Integer.parseInt(matcher.group(2)),
            Integer.parseInt(matcher.group(3)));
    }

    public String cidr() {
        return host(0) + "/" + PREFIX_LENGTH;
    }

    public String bridgeAddress() {
        return host(BRIDGE_HOST);
    }

    /** The address of member {@code member} (1-based). */
    public String memberAddress(final int member) {
        if (member < 1 || member > MAX_MEMBERS) {
            throw new IllegalArgumentException("member " + member + " outside 1.." + MAX_MEMBERS);
        }
        return host(FIRST_MEMBER_HOST_OFFSET + member);
    }

    /** {@code address/24}, as {@code ip addr add} wants it. */
    String withPrefixLength(final String address) {
        return address + "/" + PREFIX_LENGTH;
    }

    private String host(final int host) {
        return first + "." + second + "." + third + "." + host;
    }
}
