package io.vstp.transport.tls;

import io.netty.util.NetUtil;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Locale;

/**
 * Checks that a CA-issued server certificate names the host the client dialled: endpoint identification as for
 * HTTPS (RFC 2818 §3.1, RFC 6125 §6), done here rather than by the TLS stack so that it behaves the same under
 * both providers and only on the CA path (a pinned certificate is identified by its fingerprint instead).
 *
 * <ul>
 *   <li>An IP literal matches an {@code iPAddress} subject alternative name with the same bytes.
 *   <li>A host name matches a {@code dNSName}, case-insensitively, ignoring one trailing dot; {@code *} is allowed
 *       only as the whole left-most label and stands for exactly one label ({@code *.example.com} matches
 *       {@code a.example.com}, not {@code example.com} or {@code a.b.example.com}), and never with fewer than
 *       two labels after it.
 *   <li>The subject CN is not consulted (RFC 6125 §6.4.4: deprecated when SANs exist, and every public CA issues
 *       them); a certificate without SANs does not match.
 * </ul>
 */
final class HostnameMatcher {
    private static final int DNS_NAME = 2;
    private static final int IP_ADDRESS = 7;

    private HostnameMatcher() {}

    static boolean matches(X509Certificate certificate, String host) {
        String wanted = stripBrackets(host);
        boolean ip = NetUtil.isValidIpV4Address(wanted) || NetUtil.isValidIpV6Address(wanted);
        byte[] wantedAddress = ip ? NetUtil.createByteArrayFromIpAddressString(wanted) : null;
        String wantedName = ip ? null : normaliseDnsName(wanted);
        for (List<?> san : subjectAlternativeNames(certificate)) {
            int type = (Integer) san.get(0);
            String value = (String) san.get(1);
            if (ip && type == IP_ADDRESS) {
                byte[] address = NetUtil.createByteArrayFromIpAddressString(value);
                if (address != null && Arrays.equals(address, wantedAddress)) {
                    return true;
                }
            } else if (!ip && type == DNS_NAME && dnsNameMatches(normaliseDnsName(value), wantedName)) {
                return true;
            }
        }
        return false;
    }

    /** {@code DNS:a.example.com, IP:127.0.0.1} for error messages; {@code none} without SANs. */
    static String describe(X509Certificate certificate) {
        List<String> names = new ArrayList<>();
        for (List<?> san : subjectAlternativeNames(certificate)) {
            int type = (Integer) san.get(0);
            if (type == DNS_NAME) {
                names.add("DNS:" + san.get(1));
            } else if (type == IP_ADDRESS) {
                names.add("IP:" + san.get(1));
            }
        }
        return names.isEmpty() ? "none" : String.join(", ", names);
    }

    private static boolean dnsNameMatches(String pattern, String host) {
        if (pattern.isEmpty() || host.isEmpty()) {
            return false;
        }
        if (!pattern.startsWith("*.")) {
            return pattern.equals(host);
        }
        String suffix = pattern.substring(1); // ".example.com"
        if (suffix.indexOf('*') >= 0 || suffix.chars().filter(c -> c == '.').count() < 2) {
            return false; // a second wildcard, or "*.com": too broad to honour
        }
        if (!host.endsWith(suffix)) {
            return false;
        }
        String label = host.substring(0, host.length() - suffix.length());
        return !label.isEmpty() && label.indexOf('.') < 0;
    }

    private static Collection<List<?>> subjectAlternativeNames(X509Certificate certificate) {
        try {
            Collection<List<?>> names = certificate.getSubjectAlternativeNames();
            return names == null ? List.of() : names;
        } catch (CertificateParsingException e) {
            return List.of(); // an unparsable extension names nothing
        }
    }

    private static String normaliseDnsName(String name) {
        String lower = name.toLowerCase(Locale.ROOT);
        return lower.endsWith(".") ? lower.substring(0, lower.length() - 1) : lower;
    }

    private static String stripBrackets(String host) {
        return host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
    }
}
