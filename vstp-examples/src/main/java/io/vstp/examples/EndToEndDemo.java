package io.vstp.examples;

import io.vstp.crypto.KeyId;
import io.vstp.crypto.e2e.DecryptingInputStream;
import io.vstp.crypto.e2e.EncryptedFileException;
import io.vstp.crypto.e2e.EncryptingOutputStream;
import io.vstp.crypto.e2e.Recipient;
import io.vstp.crypto.e2e.RecipientKeys;
import io.vstp.crypto.kem.HybridKem;
import io.vstp.crypto.sign.Manifest;
import io.vstp.crypto.sign.SignatureAlgorithm;
import io.vstp.crypto.sign.SignedManifest;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;

/**
 * End-to-end encryption and signatures with the library (docs/guide/crypto.md, docs/spec/e2e.md): Bob's hybrid
 * X25519 + ML-KEM-768 key, a message Alice encrypts to him and signs with ML-DSA-65, what a store in between sees,
 * what Bob reads, and what happens when one byte is changed on the way.
 *
 * <p>Run: {@code java -jar vstp-examples/target/vstp-examples.jar e2e}.
 */
public final class EndToEndDemo {
    private EndToEndDemo() {}

    public static void main(String[] args) throws Exception {
        SecureRandom random = new SecureRandom();
        HybridKem.KeyPair bob = HybridKem.generate(random);
        byte[] aliceSigning = SignatureAlgorithm.ML_DSA_65.generatePrivateKey(random);
        byte[] aliceVerifying = SignatureAlgorithm.ML_DSA_65.publicKeyOf(aliceSigning);
        System.out.printf(
                "bob's key     %s (%s, public key %d bytes)%n",
                KeyId.of(bob.publicKey()), HybridKem.NAME, bob.publicKey().length);

        byte[] message = "The launch code is in the blue folder.".getBytes(StandardCharsets.UTF_8);
        ByteArrayOutputStream sealed = new ByteArrayOutputStream();
        try (EncryptingOutputStream out =
                new EncryptingOutputStream(sealed, List.of(new Recipient(bob.publicKey())), random)) {
            out.write(message);
        }
        byte[] stored = sealed.toByteArray();
        String sha = HexFormat.of().formatHex(KeyId.sha256(stored));
        SignedManifest signature = SignedManifest.sign(
                new Manifest(
                        "notes/launch.txt",
                        stored.length,
                        sha,
                        true,
                        Instant.now(),
                        KeyId.of(aliceVerifying),
                        SignatureAlgorithm.ML_DSA_65),
                aliceSigning,
                random);
        System.out.printf(
                "the store sees %d bytes starting %s…, and a %d-byte ML-DSA-65 signature%n",
                stored.length, HexFormat.of().formatHex(stored, 0, 12), signature.signature().length);

        RecipientKeys bobsKeys =
                id -> id.equals(KeyId.of(bob.publicKey())) ? bob.privateKey().clone() : null;
        System.out.printf("signature     %s%n", signature.verify(aliceVerifying) ? "valid, by alice" : "INVALID");
        try (DecryptingInputStream in = new DecryptingInputStream(new ByteArrayInputStream(stored), bobsKeys)) {
            System.out.printf("bob reads     \"%s\"%n", new String(in.readAllBytes(), StandardCharsets.UTF_8));
        }

        byte[] altered = stored.clone();
        altered[altered.length - 20] ^= 1;
        try (DecryptingInputStream in = new DecryptingInputStream(new ByteArrayInputStream(altered), bobsKeys)) {
            in.readAllBytes();
            System.out.println("altered copy  decrypted?! (this must not happen)");
        } catch (EncryptedFileException e) {
            System.out.printf("altered copy  refused: %s (%s)%n", e.getMessage(), e.reason());
        }
    }
}
