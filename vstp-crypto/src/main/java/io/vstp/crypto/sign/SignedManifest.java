package io.vstp.crypto.sign;

import io.vstp.crypto.KeyId;
import io.vstp.crypto.internal.CanonicalBase64;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Base64;

/**
 * A manifest and its signature, as stored beside a file ({@code NAME.vstp-sig}): the canonical manifest text
 * followed by one line {@code signature: BASE64}. Parsing is bounded ({@link #MAX_SIZE}) and strict.
 */
public record SignedManifest(Manifest manifest, byte[] signature) {
    /** Larger than any valid signed manifest (an ML-DSA-65 signature is 4.4 KiB in base64). */
    public static final int MAX_SIZE = 16 * 1024;
    /** The suffix of the file that holds a file's signed manifest. */
    public static final String SUFFIX = ".vstp-sig";

    private static final String SIGNATURE = "signature: ";

    public SignedManifest {
        signature = signature.clone();
    }

    /** Signs {@code manifest} with {@code privateKey}, which must be the key the manifest names. */
    public static SignedManifest sign(Manifest manifest, byte[] privateKey, SecureRandom random) {
        io.vstp.crypto.FipsRefusals.signatures("signing a manifest");
        SignatureAlgorithm a = manifest.algorithm();
        if (!KeyId.of(a.publicKeyOf(privateKey)).equals(manifest.signer())) {
            throw new IllegalArgumentException(
                    "the manifest names signer " + manifest.signer() + " but the private key is another key");
        }
        return new SignedManifest(manifest, a.sign(privateKey, manifest.canonicalBytes(), random));
    }

    @Override
    public byte[] signature() {
        return signature.clone();
    }

    public byte[] encode() {
        return (manifest.text() + SIGNATURE + Base64.getEncoder().encodeToString(signature) + "\n")
                .getBytes(StandardCharsets.UTF_8);
    }

    /** Parses a stored signed manifest; an IllegalArgumentException says what is wrong with it. */
    public static SignedManifest parse(byte[] data) {
        if (data.length > MAX_SIZE) {
            throw new IllegalArgumentException("signed manifest larger than " + MAX_SIZE + " bytes");
        }
        String text;
        try {
            text = StandardCharsets.UTF_8
                    .newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(java.nio.ByteBuffer.wrap(data))
                    .toString();
        } catch (CharacterCodingException e) {
            throw new IllegalArgumentException("signed manifest is not UTF-8", e);
        }
        int at = text.lastIndexOf("\n" + SIGNATURE);
        if (at < 0 || !text.endsWith("\n")) {
            throw new IllegalArgumentException("no signature line");
        }
        Manifest manifest = Manifest.parse(text.substring(0, at + 1));
        String b64 = text.substring(at + 1 + SIGNATURE.length(), text.length() - 1);
        byte[] sig;
        try {
            sig = CanonicalBase64.decode(b64);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("signature is " + e.getMessage(), e);
        }
        if (sig.length != manifest.algorithm().signatureLength()) {
            throw new IllegalArgumentException(manifest.algorithm().id() + " signature of " + sig.length
                    + " bytes (must be " + manifest.algorithm().signatureLength() + ")");
        }
        return new SignedManifest(manifest, sig);
    }

    /** Whether the signature is valid for {@code publicKey}, which must be the key the manifest names. */
    public boolean verify(byte[] publicKey) {
        io.vstp.crypto.FipsRefusals.signatures("checking a signature");
        return KeyId.of(publicKey).equals(manifest.signer())
                && manifest.algorithm().verify(publicKey, manifest.canonicalBytes(), signature);
    }
}
