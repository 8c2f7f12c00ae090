package io.cairn.transport;

import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import javax.naming.InvalidNameException;
import javax.naming.ldap.LdapName;
import javax.naming.ldap.Rdn;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;
import javax.security.auth.x500.X500Principal;

/**
 * etcd's {@code --peer-cert-allowed-cn}, checked once a handshake completes (the trust manager has already checked
 * the chain and the dates): the peer's certificate must carry exactly one common name, equal to the allowed one.
 * Checked on both ends of a pair, so which member is the TLS client does not change who gets in.
 */
final class PeerCertificateCheck {
    private final String allowedCn;

    PeerCertificateCheck(final String allowedCn) {
        this.allowedCn = allowedCn;
    }

    /** Null when the peer is acceptable, else why it is refused. */
    String refusal(final SSLSession session) {
        if (allowedCn == null) {
            return null;
        }
        try {
            return refusal(session.getPeerCertificates());
        } catch (final SSLPeerUnverifiedException e) {
            return "the peer presented no certificate, and the allowed CN is " + allowedCn;
        }
    }

    /** As above, for the certificate chain the peer presented. */
    String refusal(final Certificate[] chain) {
        if (allowedCn == null) {
            return null;
        }
        if (chain.length == 0 || !(chain[0] instanceof X509Certificate leaf)) {
            return "the peer presented no X.509 certificate, and the allowed CN is " + allowedCn;
        }
        final String cn = commonName(leaf.getSubjectX500Principal());
        if (!allowedCn.equals(cn)) {
            return "certificate CN " + (cn == null ? "(none, or several)" : cn) + " is not the allowed CN "
                + allowedCn + " (subject " + leaf.getSubjectX500Principal().getName() + ")";
        }
        return null;
    }

    /** The subject's common name, or null when it has none or several. */
    static String commonName(final X500Principal subject) {
        final LdapName name;
        try {
            name = new LdapName(subject.getName(X500Principal.RFC2253));
        } catch (final InvalidNameException e) {
            return null;
        }
        String cn = null;
        for (final Rdn rdn : name.getRdns()) {
            if ("CN".equalsIgnoreCase(rdn.getType())) {
                if (cn != null) {
                    return null;
                }
                cn = String.valueOf(rdn.getValue());
            }
        }
        return cn;
    }
}
