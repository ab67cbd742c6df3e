package io.vstp.transport.tls;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.util.HexFormat;
import java.util.Locale;

/**
 * The one place where VSTP computes, formats and parses certificate fingerprints.
 *
 * <p>A fingerprint is the SHA-256 digest of the certificate's DER encoding, written {@code sha256:} followed by
 * 64 lowercase hex digits: {@code sha256:3b1f…}. That is the form in {@code known_hosts}, in logs, in error
 * messages and in {@link TlsClientOptions.Builder#pin(String) pins}. {@link #parse(String)} also accepts the
 * upper-case and colon-separated forms that {@code openssl x509 -fingerprint -sha256} prints, so a pin can be
 * pasted from there.
 */
public final class CertificateFingerprints {
    /** The prefix of every fingerprint; names the digest so that a stronger one can be added later. */
    public static final String SHA256_PREFIX = "sha256:";

    private static final int SHA256_HEX_DIGITS = 64;
    private static final HexFormat HEX = HexFormat.of();

    private CertificateFingerprints() {}

    /** {@code sha256:} + lowercase hex of the SHA-256 of the certificate's DER encoding. */
    public static String sha256(X509Certificate certificate) {
        try {
            return sha256(certificate.getEncoded());
        } catch (CertificateEncodingException e) {
            // A certificate that came out of a parser or a handshake always re-encodes; this is a broken provider.
            throw new IllegalStateException(
                    "cannot DER-encode certificate " + certificate.getSubjectX500Principal(), e);
        }
    }

    /** {@code sha256:} + lowercase hex of the SHA-256 of these DER bytes. */
    public static String sha256(byte[] der) {
        return SHA256_PREFIX + HEX.formatHex(sha256Digest().digest(der));
    }

    /**
     * The canonical form ({@code sha256:} + 64 lowercase hex digits) of a fingerprint written by a person or a
     * tool: the prefix may be upper-case or missing, the hex may be upper-case and separated by colons.
     *
     * @throws IllegalArgumentException if the text is not a SHA-256 fingerprint; the message shows the text
     */
    public static String parse(String text) {
        String trimmed = text.strip();
        String hex = trimmed;
        if (hex.regionMatches(true, 0, SHA256_PREFIX, 0, SHA256_PREFIX.length())) {
            hex = hex.substring(SHA256_PREFIX.length());
        }
        hex = hex.replace(":", "").toLowerCase(Locale.ROOT);
        if (hex.length() != SHA256_HEX_DIGITS || !isHex(hex)) {
            throw new IllegalArgumentException(
                    "not a SHA-256 certificate fingerprint (want sha256: and 64 hex digits): '" + trimmed + "'");
        }
        return SHA256_PREFIX + hex;
    }

    private static boolean isHex(String s) {
        for (int i = 0; i < s.length(); i++) {
            if (Character.digit(s.charAt(i), 16) < 0) {
                return false;
            }
        }
        return true;
    }

    private static MessageDigest sha256Digest() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            // Every Java platform must provide SHA-256 (MessageDigest Javadoc).
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }
}
