package io.vstp.crypto.e2e;

import io.vstp.crypto.KeyId;
import io.vstp.crypto.kem.HybridKem;

/**
 * Someone a file is encrypted to: their hybrid public key, and optionally further key material both sides can
 * obtain under a public name ({@code extraId}), such as a QKD key ID and the key a KME delivers for it. The extra
 * secret only ever adds to the hybrid KEM's secret (docs/spec/e2e.md §2); it is never used alone.
 */
public record Recipient(byte[] publicKey, String extraId, byte[] extraSecret) {
    public Recipient {
        if (publicKey.length != HybridKem.PUBLIC_KEY_LENGTH) {
            throw new IllegalArgumentException(
                    "not a " + HybridKem.NAME + " public key (" + publicKey.length + " bytes)");
        }
        extraId = extraId == null ? "" : extraId;
        extraSecret = extraSecret == null ? new byte[0] : extraSecret;
        if (extraId.isEmpty() != (extraSecret.length == 0)) {
            throw new IllegalArgumentException("an extra secret needs an id to find it again, and an id a secret");
        }
        EncryptedFileFormat.checkExtraId(extraId);
    }

    public Recipient(byte[] publicKey) {
        this(publicKey, "", new byte[0]);
    }

    public KeyId keyId() {
        return KeyId.of(publicKey);
    }

    @Override
    public String toString() {
        return "Recipient[" + keyId() + (extraId.isEmpty() ? "" : ", extra " + extraId) + "]";
    }
}
