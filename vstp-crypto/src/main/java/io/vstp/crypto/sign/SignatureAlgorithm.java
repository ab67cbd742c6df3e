package io.vstp.crypto.sign;

import java.security.SecureRandom;
import org.bouncycastle.crypto.CryptoException;
import org.bouncycastle.crypto.params.Ed25519PrivateKeyParameters;
import org.bouncycastle.crypto.params.Ed25519PublicKeyParameters;
import org.bouncycastle.crypto.params.MLDSAParameters;
import org.bouncycastle.crypto.params.MLDSAPrivateKeyParameters;
import org.bouncycastle.crypto.params.MLDSAPublicKeyParameters;
import org.bouncycastle.crypto.params.ParametersWithRandom;
import org.bouncycastle.crypto.signers.Ed25519Signer;
import org.bouncycastle.crypto.signers.MLDSASigner;

/**
 * The signature schemes of manifests, from BouncyCastle's lightweight API with raw key encodings: Ed25519 (RFC 8032,
 * 32-byte private key) and ML-DSA-65 (FIPS 204, 32-byte seed as the private key, hedged signing, empty context).
 * Raw encodings keep keys identical across the Java, Python, Go and TypeScript implementations.
 */
public enum SignatureAlgorithm {
    ED25519("ed25519", 32, 32, 64),
    ML_DSA_65("ml-dsa-65", 32, 1952, 3309);

    private final String id;
    private final int privateKeyLength;
    private final int publicKeyLength;
    private final int signatureLength;

    SignatureAlgorithm(String id, int privateKeyLength, int publicKeyLength, int signatureLength) {
        this.id = id;
        this.privateKeyLength = privateKeyLength;
        this.publicKeyLength = publicKeyLength;
        this.signatureLength = signatureLength;
    }

    /** The name used in manifests and on the command line. */
    public String id() {
        return id;
    }

    public int publicKeyLength() {
        return publicKeyLength;
    }

    public int signatureLength() {
        return signatureLength;
    }

    public static SignatureAlgorithm fromId(String id) {
        for (SignatureAlgorithm a : values()) {
            if (a.id.equals(id)) {
                return a;
            }
        }
        throw new IllegalArgumentException("unknown signature algorithm '" + id + "' (known: ed25519, ml-dsa-65)");
    }

    /** A new private key; {@link #publicKeyOf} gives its public half. */
    public byte[] generatePrivateKey(SecureRandom random) {
        io.vstp.crypto.FipsRefusals.signatures("making a signing key");
        byte[] key = new byte[privateKeyLength];
        random.nextBytes(key);
        return key;
    }

    public byte[] publicKeyOf(byte[] privateKey) {
        requireLength(privateKey, privateKeyLength, "private key");
        return switch (this) {
            case ED25519 ->
                new Ed25519PrivateKeyParameters(privateKey).generatePublicKey().getEncoded();
            case ML_DSA_65 -> mldsaPrivate(privateKey).getPublicKey();
        };
    }

    public byte[] sign(byte[] privateKey, byte[] message, SecureRandom random) {
        io.vstp.crypto.FipsRefusals.signatures("signing");
        requireLength(privateKey, privateKeyLength, "private key");
        try {
            return switch (this) {
                case ED25519 -> {
                    Ed25519Signer s = new Ed25519Signer();
                    s.init(true, new Ed25519PrivateKeyParameters(privateKey));
                    s.update(message, 0, message.length);
                    yield s.generateSignature();
                }
                case ML_DSA_65 -> {
                    MLDSASigner s = new MLDSASigner();
                    s.init(true, new ParametersWithRandom(mldsaPrivate(privateKey), random));
                    s.update(message, 0, message.length);
                    yield s.generateSignature();
                }
            };
        } catch (CryptoException e) {
            throw new IllegalStateException(id + " signing failed", e);
        }
    }

    /** Whether {@code signature} is this algorithm's signature of {@code message} by {@code publicKey}. */
    public boolean verify(byte[] publicKey, byte[] message, byte[] signature) {
        io.vstp.crypto.FipsRefusals.signatures("checking a signature");
        if (publicKey.length != publicKeyLength || signature.length != signatureLength) {
            return false;
        }
        return switch (this) {
            case ED25519 -> {
                Ed25519Signer s = new Ed25519Signer();
                s.init(false, new Ed25519PublicKeyParameters(publicKey));
                s.update(message, 0, message.length);
                yield s.verifySignature(signature);
            }
            case ML_DSA_65 -> {
                MLDSASigner s = new MLDSASigner();
                s.init(false, new MLDSAPublicKeyParameters(MLDSAParameters.ml_dsa_65, publicKey));
                s.update(message, 0, message.length);
                yield s.verifySignature(signature);
            }
        };
    }

    private static MLDSAPrivateKeyParameters mldsaPrivate(byte[] seed) {
        return new MLDSAPrivateKeyParameters(MLDSAParameters.ml_dsa_65, seed);
    }

    private void requireLength(byte[] value, int length, String what) {
        if (value.length != length) {
            throw new IllegalArgumentException(id + " " + what + " must be " + length + " bytes, not " + value.length);
        }
    }
}
