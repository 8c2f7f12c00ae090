package io.cairn.chaos.net;

import java.util.regex.Pattern;

/**
 * Names of everything a lab creates, all derived from one short prefix, so that a later run with the
 * same prefix can find and remove what an interrupted run left behind. Interface names must fit
 * Linux's 15 characters (IFNAMSIZ - 1): a prefix of at most 10 plus {@code -v99} is 14.
 */
public record LabNames(String prefix) {
    /** Two digits in the veth names keep them within 15 characters. */
    public static final int MAX_MEMBERS = 99;

    private static final Pattern PREFIX = Pattern.compile("[a-z][a-z0-9]{0,9}");

    public LabNames {
        if (!PREFIX.matcher(prefix).matches()) {
            throw new IllegalArgumentException(
                "prefix must be a lower-case letter then up to 9 letters or digits (interface names are "
                    + "limited to 15 characters): " + prefix);
        }
    }

    /** The bridge in the root namespace that joins all members. */
    public String bridge() {
        return prefix + "-br";
    }

    /** Member {@code member}'s network namespace (1-based). */
    public String namespace(final int member) {
        return prefix + "-m" + checked(member);
    }

    /** The root-namespace end of member {@code member}'s veth pair; the other end is its eth0. */
    public String rootVeth(final int member) {
        return prefix + "-v" + checked(member);
    }

    /** Whether {@code name} is a namespace some lab with this prefix would have created. */
    public boolean isNamespace(final String name) {
        return name.matches(Pattern.quote(prefix) + "-m\\d+");
    }

    /** Whether {@code name} is a root-namespace veth end some lab with this prefix would have created. */
    public boolean isRootVeth(final String name) {
        return name.matches(Pattern.quote(prefix) + "-v\\d+");
    }

    private static int checked(final int member) {
        if (member < 1 || member > MAX_MEMBERS) {
            throw new IllegalArgumentException("member " + member + " outside 1.." + MAX_MEMBERS);
        }
        return member;
    }
}
