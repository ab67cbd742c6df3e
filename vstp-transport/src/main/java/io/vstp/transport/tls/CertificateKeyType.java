package io.vstp.transport.tls;

import io.vstp.transport.fips.FipsMode;
import java.security.GeneralSecurityException;
import java.security.Key;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.spec.ECGenParameterSpec;
import java.util.Locale;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * The kinds of key VSTP makes certificates with ({@code vstp cert}): EC P-256, which every TLS provider uses, and
 * ML-DSA (FIPS 204) at its three security levels, which only {@link TlsProvider#BOUNCY_CASTLE} can use in TLS.
 *
 * <p>ML-DSA keys are made, read and used through the BouncyCastle provider (as an instance, not registered):
 * Java 17 has no ML-DSA, and BCJSSE, the only TLS stack here that signs with it, works with BouncyCastle's keys.
 */
public enum CertificateKeyType {
    EC_P256("ec-p256", "EC P-256", null),
    ML_DSA_44("ml-dsa-44", "ML-DSA-44", "2.16.840.1.101.3.4.3.17"),
    ML_DSA_65("ml-dsa-65", "ML-DSA-65", "2.16.840.1.101.3.4.3.18"),
    ML_DSA_87("ml-dsa-87", "ML-DSA-87", "2.16.840.1.101.3.4.3.19");

    private static final SecureRandom RANDOM = new SecureRandom();

    private final String optionName;
    private final String displayName;
    /** The algorithm identifier of keys and signatures (RFC 9881 / FIPS 204), for ML-DSA; null for EC. */
    private final ASN1ObjectIdentifier mlDsaOid;

    CertificateKeyType(String optionName, String displayName, String mlDsaOid) {
        this.optionName = optionName;
        this.displayName = displayName;
        this.mlDsaOid = mlDsaOid == null ? null : new ASN1ObjectIdentifier(mlDsaOid);
    }

    /** {@code ec-p256}, {@code ml-dsa-65}, ...: as {@code vstp cert --key-type} takes it. */
    public String optionName() {
        return optionName;
    }

    /** {@code EC P-256}, {@code ML-DSA-65}, ...: the standard name, for messages. */
    public String displayName() {
        return displayName;
    }

    public boolean isMlDsa() {
        return mlDsaOid != null;
    }

    /**
     * The type named {@code name}: an {@link #optionName()} ({@code ml-dsa-65}), case-insensitive, also without
     * dashes ({@code mldsa65}) or, for EC, {@code ec}.
     *
     * @throws IllegalArgumentException naming the accepted values
     */
    public static CertificateKeyType fromName(String name) {
        String normalized =
                name.strip().toLowerCase(Locale.ROOT).replace("-", "").replace("_", "");
        for (CertificateKeyType type : values()) {
            if (type.optionName.replace("-", "").equals(normalized)) {
                return type;
            }
        }
        if (normalized.equals("ec") || normalized.equals("p256")) {
            return EC_P256;
        }
        throw new IllegalArgumentException(
                "unknown key type '" + name + "'; use ec-p256, ml-dsa-44, ml-dsa-65 or ml-dsa-87");
    }

    /**
     * The ML-DSA type of {@code key} (private or public), from the algorithm identifier of its encoding, so that
     * it works whichever provider made the key object; null for any other key, EC included.
     */
    public static CertificateKeyType mlDsaTypeOf(Key key) {
        byte[] encoded = key.getEncoded();
        if (encoded == null) {
            return null;
        }
        ASN1ObjectIdentifier algorithm;
        try {
            algorithm = key instanceof PrivateKey
                    ? PrivateKeyInfo.getInstance(encoded)
                            .getPrivateKeyAlgorithm()
                            .getAlgorithm()
                    : SubjectPublicKeyInfo.getInstance(encoded).getAlgorithm().getAlgorithm();
        } catch (IllegalArgumentException e) {
            return null; // not the standard encoding: not a key of ours
        }
        return mlDsaTypeOf(algorithm);
    }

    static CertificateKeyType mlDsaTypeOf(ASN1ObjectIdentifier algorithm) {
        for (CertificateKeyType type : values()) {
            if (algorithm.equals(type.mlDsaOid)) {
                return type;
            }
        }
        return null;
    }

    /** The type of {@code key} if it is one of these (EC on any curve counts as EC P-256 only on P-256), else null. */
    public static CertificateKeyType of(PublicKey key) {
        CertificateKeyType mlDsa = mlDsaTypeOf(key);
        if (mlDsa != null) {
            return mlDsa;
        }
        if (key instanceof java.security.interfaces.ECPublicKey ec
                && ec.getParams().getCurve().getField().getFieldSize() == 256) {
            return EC_P256;
        }
        return null;
    }

    /**
     * A fresh key pair of this type.
     *
     * @throws TlsConfigException if this JVM cannot make one (ML-DSA in FIPS mode: VSTP's FIPS build does not
     *     make ML-DSA keys)
     */
    public KeyPair generateKeyPair() {
        try {
            if (!isMlDsa()) {
                KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
                generator.initialize(new ECGenParameterSpec("secp256r1"), RANDOM);
                return generator.generateKeyPair();
            }
            refuseMlDsaInFipsMode();
            return KeyPairGenerator.getInstance(displayName, BouncyCastleJsse.crypto())
                    .generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new TlsConfigException("cannot generate an " + displayName + " key: " + e, e);
        }
    }

    /**
     * A certificate signer for {@code issuerKey}: SHA256withECDSA for EC keys (from the JDK's providers), pure
     * ML-DSA for ML-DSA keys (from BouncyCastle), the signature algorithm following the key as RFC 9881 requires.
     *
     * @throws TlsConfigException if the key is neither EC nor ML-DSA, or cannot sign
     */
    static ContentSigner certificateSigner(PrivateKey issuerKey) {
        CertificateKeyType mlDsa = mlDsaTypeOf(issuerKey);
        try {
            if (mlDsa != null) {
                mlDsa.refuseMlDsaInFipsMode();
                return new JcaContentSignerBuilder(mlDsa.displayName)
                        .setProvider(BouncyCastleJsse.crypto())
                        .build(issuerKey);
            }
            if (!issuerKey.getAlgorithm().equals("EC")) {
                throw new TlsConfigException("cannot sign certificates with a " + issuerKey.getAlgorithm()
                        + " key; VSTP signs with EC or ML-DSA keys");
            }
            return new JcaContentSignerBuilder("SHA256withECDSA").build(issuerKey);
        } catch (OperatorCreationException e) {
            throw new TlsConfigException("cannot sign with the " + issuerKey.getAlgorithm() + " key: " + e, e);
        }
    }

    private void refuseMlDsaInFipsMode() {
        if (FipsMode.active()) {
            throw new TlsConfigException(displayName + " keys are not available in VSTP's FIPS mode");
        }
    }

    @Override
    public String toString() {
        return displayName;
    }
}
