package io.vstp.crypto.keys;

import io.vstp.crypto.kem.HybridKem;
import io.vstp.crypto.sign.SignatureAlgorithm;
import java.security.SecureRandom;

/** What a key in the key ring is: an end-to-end encryption key or a signing key, and its algorithm. */
public enum KeyType {
    /** X25519 + ML-KEM-768, for {@code vstp put --to}. */
    E2E("x25519-mlkem768", null),
    ED25519("ed25519", SignatureAlgorithm.ED25519),
    ML_DSA_65("ml-dsa-65", SignatureAlgorithm.ML_DSA_65);

    private final String id;
    private final SignatureAlgorithm signature;

    KeyType(String id, SignatureAlgorithm signature) {
        this.id = id;
        this.signature = signature;
    }

    public String id() {
        return id;
    }

    public boolean signs() {
        return signature != null;
    }

    /** The signature algorithm of a signing key; IllegalStateException for an encryption key. */
    public SignatureAlgorithm signatureAlgorithm() {
        if (signature == null) {
            throw new IllegalStateException(id + " is an encryption key, not a signing key");
        }
        return signature;
    }

    public static KeyType fromId(String id) {
        for (KeyType t : values()) {
            if (t.id.equals(id)) {
                return t;
            }
        }
        throw new IllegalArgumentException(
                "unknown key type '" + id + "' (known: x25519-mlkem768, ed25519, ml-dsa-65)");
    }

    public static KeyType of(SignatureAlgorithm algorithm) {
        return algorithm == SignatureAlgorithm.ED25519 ? ED25519 : ML_DSA_65;
    }

    byte[] generatePrivateKey(SecureRandom random) {
        return signature == null ? HybridKem.generate(random).privateKey() : signature.generatePrivateKey(random);
    }

    byte[] publicKeyOf(byte[] privateKey) {
        return signature == null ? HybridKem.publicKeyOf(privateKey) : signature.publicKeyOf(privateKey);
    }

    int publicKeyLength() {
        return signature == null ? HybridKem.PUBLIC_KEY_LENGTH : signature.publicKeyLength();
    }
}
