package io.vstp.crypto.e2e;

import io.vstp.crypto.KeyId;
import java.io.IOException;

/** The private keys a reader holds, looked up by the key IDs a file's header names. */
public interface RecipientKeys {
    /** The hybrid private key for {@code id}, or null if this reader has none; the caller wipes the copy. */
    byte[] privateKey(KeyId id) throws IOException;

    /**
     * The extra secret a header names by {@code extraId} (e.g. a QKD key fetched from the reader's KME). The default
     * has none, so files that need one fail with a clear error.
     */
    default byte[] extraSecret(String extraId) throws IOException {
        throw new EncryptedFileException(
                EncryptedFileException.Reason.NO_MATCHING_KEY,
                "the file needs extra key material '" + extraId
                        + "' (e.g. a QKD key) and no source for it is configured");
    }
}
