package io.cairn.engine.tls;

import java.security.cert.X509Certificate;
import org.bouncycastle.asn1.ASN1Encodable;
import org.bouncycastle.asn1.ASN1String;
import org.bouncycastle.asn1.x500.RDN;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x500.style.IETFUtils;

/** The common name (CN) of a certificate's subject, as Go's {@code Subject.CommonName} reads it. */
public final class CommonNames {
    private CommonNames() {
    }

    /** The subject's CN ("" when it has none); with several, the last, as Go keeps the last one. */
    public static String of(final X509Certificate certificate) {
        final X500Name subject = X500Name.getInstance(certificate.getSubjectX500Principal().getEncoded());
        String commonName = "";
        for (final RDN rdn : subject.getRDNs(BCStyle.CN)) {
            final ASN1Encodable value = rdn.getFirst().getValue();
            // The string itself, unescaped (valueToString would escape commas and the like).
            commonName = value instanceof ASN1String text ? text.getString() : IETFUtils.valueToString(value);
        }
        return commonName;
    }
}
