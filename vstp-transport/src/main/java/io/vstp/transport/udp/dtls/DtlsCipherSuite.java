package io.vstp.transport.udp.dtls;

import java.util.List;
import org.bouncycastle.tls.CipherSuite;

/**
 * The DTLS 1.2 cipher suites VSTP offers and accepts: ECDHE key exchange (forward secrecy) with an AEAD record
 * cipher only. CBC suites, static RSA and plain DH are left out on purpose: the first two have a history of
 * padding-oracle and Bleichenbacher attacks, and none of them is needed by a peer that speaks VSTP.
 *
 * <p>The server picks an {@code ECDSA} or an {@code RSA} suite to match its certificate's key; the self-signed
 * certificate is EC P-256, so by default {@code ECDHE_ECDSA} suites are negotiated.
 */
public enum DtlsCipherSuite {
    TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256(CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256, true, Aead.AES_GCM),
    TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256(
            CipherSuite.TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256, true, Aead.CHACHA20_POLY1305),
    TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384(CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384, true, Aead.AES_GCM),
    TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256(CipherSuite.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256, false, Aead.AES_GCM),
    TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256(
            CipherSuite.TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256, false, Aead.CHACHA20_POLY1305),
    TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384(CipherSuite.TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384, false, Aead.AES_GCM);

    /**
     * All of them, in the default order of preference: AES-128-GCM first (hardware AES on every current server
     * CPU), ChaCha20-Poly1305 next (fast without it), AES-256-GCM last.
     */
    public static final List<DtlsCipherSuite> DEFAULTS = List.of(values());

    /** DTLS 1.2 record header (RFC 6347 §4.1): type, version, epoch, sequence number, length. */
    static final int RECORD_HEADER_LENGTH = 13;

    /** How the record payload is protected, and what that adds to each record (RFC 5288 §3, RFC 7905 §2). */
    enum Aead {
        /** 8-byte explicit nonce + 16-byte tag. */
        AES_GCM(8 + 16),
        /** Nonce derived from the sequence number; 16-byte tag. */
        CHACHA20_POLY1305(16);

        final int expansion;

        Aead(int expansion) {
            this.expansion = expansion;
        }
    }

    private final int code;
    private final boolean ecdsa;
    private final Aead aead;

    DtlsCipherSuite(int code, boolean ecdsa, Aead aead) {
        this.code = code;
        this.ecdsa = ecdsa;
        this.aead = aead;
    }

    /** The IANA code point, as BouncyCastle's {@link CipherSuite} constants have it. */
    int code() {
        return code;
    }

    /** Whether the server authenticates with an ECDSA key (else RSA). */
    boolean isEcdsa() {
        return ecdsa;
    }

    /** Bytes a DTLS record of this suite adds to the plaintext it carries: header plus AEAD expansion. */
    int recordOverhead() {
        return RECORD_HEADER_LENGTH + aead.expansion;
    }

    /** The suite with this code point, or null if it is not one VSTP uses. */
    static DtlsCipherSuite ofCode(int code) {
        for (DtlsCipherSuite suite : values()) {
            if (suite.code == code) {
                return suite;
            }
        }
        return null;
    }

    /** BouncyCastle's form: code points in order. */
    static int[] codes(List<DtlsCipherSuite> suites) {
        return suites.stream().mapToInt(DtlsCipherSuite::code).toArray();
    }
}
