package io.vstp.security.mtls;

import io.vstp.security.spi.Authenticator;
import io.vstp.transport.auth.Credentials;
import io.vstp.transport.auth.Principal;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import javax.naming.InvalidNameException;
import javax.naming.ldap.LdapName;
import javax.naming.ldap.Rdn;

/**
 * The identity of an mTLS client: the certificate TLS already verified against the server's client CA becomes a
 * principal (method {@code mtls}). Its subject is the certificate's CN, its full DN, or its first SAN e-mail, DNS
 * name or URI ({@code auth.mtls.subject}); roles come from {@code auth.mtls.role.<subject>} and
 * {@code auth.mtls.default-roles}. No chain checking here: TLS did it, and a session without a verified chain has
 * no certificate in its credentials.
 */
public final class CertificateIdentity implements Authenticator {
    /** Which name of the certificate is the subject. */
    public enum SubjectName {
        CN,
        DN,
        SAN_EMAIL,
        SAN_DNS,
        SAN_URI
    }

    private final SubjectName subjectName;
    private final Map<String, Set<String>> rolesBySubject;
    private final Set<String> defaultRoles;

    public CertificateIdentity(
            SubjectName subjectName, Map<String, Set<String>> rolesBySubject, Set<String> defaultRoles) {
        this.subjectName = subjectName;
        this.rolesBySubject = Map.copyOf(rolesBySubject);
        this.defaultRoles = Set.copyOf(defaultRoles);
    }

    public static SubjectName subjectName(String text) {
        try {
            return SubjectName.valueOf(text.strip().toUpperCase(Locale.ROOT).replace('-', '_'));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(
                    "auth.mtls.subject is one of cn, dn, san-email, san-dns, san-uri; got '" + text + "'");
        }
    }

    @Override
    public CompletionStage<Optional<Principal>> authenticate(Credentials credentials) {
        Optional<X509Certificate> leaf = credentials.clientCertificate();
        if (leaf.isEmpty()) {
            return CompletableFuture.completedFuture(Optional.empty());
        }
        X509Certificate c = leaf.get();
        String subject = subject(c);
        if (subject == null) {
            return CompletableFuture.failedFuture(
                    new io.vstp.transport.auth.AuthenticationException("client certificate has no "
                            + subjectName.name().toLowerCase(Locale.ROOT).replace('_', '-')));
        }
        Set<String> roles = new LinkedHashSet<>(defaultRoles);
        roles.addAll(rolesBySubject.getOrDefault(subject, Set.of()));
        Map<String, Object> claims = new LinkedHashMap<>();
        claims.put("dn", c.getSubjectX500Principal().getName());
        claims.put("issuer", c.getIssuerX500Principal().getName());
        claims.put("serial", c.getSerialNumber().toString(16));
        claims.put("not-after", c.getNotAfter().toInstant().getEpochSecond());
        return CompletableFuture.completedFuture(Optional.of(new Principal(subject, roles, claims, "mtls", null)));
    }

    private String subject(X509Certificate c) {
        return switch (subjectName) {
            case DN -> c.getSubjectX500Principal().getName();
            case CN -> commonName(c);
            case SAN_EMAIL -> alternativeName(c, 1);
            case SAN_DNS -> alternativeName(c, 2);
            case SAN_URI -> alternativeName(c, 6);
        };
    }

    private static String commonName(X509Certificate c) {
        try {
            List<Rdn> rdns =
                    new ArrayList<>(new LdapName(c.getSubjectX500Principal().getName()).getRdns());
            for (int i = rdns.size() - 1; i >= 0; i--) { // LdapName lists the most significant RDN first
                if (rdns.get(i).getType().equalsIgnoreCase("CN")) {
                    return rdns.get(i).getValue().toString();
                }
            }
            return null;
        } catch (InvalidNameException e) {
            return null;
        }
    }

    private static String alternativeName(X509Certificate c, int type) {
        try {
            Collection<List<?>> names = c.getSubjectAlternativeNames();
            if (names == null) {
                return null;
            }
            for (List<?> n : names) {
                if (n.size() >= 2 && Integer.valueOf(type).equals(n.get(0)) && n.get(1) instanceof String s) {
                    return s;
                }
            }
            return null;
        } catch (CertificateParsingException e) {
            return null;
        }
    }
}
