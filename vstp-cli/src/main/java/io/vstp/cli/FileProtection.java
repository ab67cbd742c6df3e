package io.vstp.cli;

import io.vstp.crypto.KeyId;
import io.vstp.crypto.Secrets;
import io.vstp.crypto.e2e.EncryptedFileException;
import io.vstp.crypto.e2e.EncryptedFiles;
import io.vstp.crypto.e2e.Recipient;
import io.vstp.crypto.e2e.RecipientKeys;
import io.vstp.crypto.keys.KeyEntry;
import io.vstp.crypto.keys.KeyRing;
import io.vstp.crypto.keys.KeyRingException;
import io.vstp.crypto.keys.KeyType;
import io.vstp.crypto.sign.Manifest;
import io.vstp.crypto.sign.SignedManifest;
import io.vstp.services.files.FilesClient;
import io.vstp.transport.fips.FipsMode;
import io.vstp.transport.internal.HomeDirectory;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.function.UnaryOperator;

/**
 * What {@code put} and {@code get} add on top of the transfer: end-to-end encryption to recipients' keys
 * ({@code --to}), signed manifests ({@code --sign}), and on download their verification and decryption
 * (docs/guide/crypto.md). The key ring is opened only when one of these needs it, so plain transfers never ask for
 * a passphrase.
 */
final class FileProtection implements AutoCloseable {
    private static final java.time.Duration OUTBOX_RETENTION = java.time.Duration.ofDays(7);

    private final KeyRingOptions options;
    /**
     * Why FIPS mode (docs/guide/fips.md) refuses end-to-end encryption and signatures. The library refuses them
     * itself (io.vstp.crypto.FipsRefusals); the command also checks here, naming its options, before any
     * io.vstp.crypto class that needs the regular BouncyCastle jars runs, since the FIPS build does not have them
     * (these constants are inlined: reading them loads no class).
     */
    static final String E2E_NOT_FIPS = io.vstp.crypto.FipsRefusals.E2E_WHY;

    static final String SIGNATURES_NOT_FIPS = io.vstp.crypto.FipsRefusals.SIGNATURES_WHY;

    private final SecureRandom random = new SecureRandom();

    /** Refuses {@code --sign} in FIPS mode; put calls it before uploading anything. */
    static void refuseSigningInFipsMode() {
        FipsMode.refuse("signing the manifest (--sign: Ed25519 or ML-DSA-65)", SIGNATURES_NOT_FIPS);
    }

    private KeyRing ring;

    FileProtection(KeyRingOptions options) {
        this.options = options;
    }

    private KeyRing ring() throws IOException {
        if (ring == null) {
            ring = options.open(false);
        }
        return ring;
    }

    /** An encryption recipient: a file holding an exported public key, or a key name in the key ring. */
    record ResolvedRecipient(String label, Recipient recipient) {}

    List<ResolvedRecipient> recipients(List<String> names) throws IOException {
        if (!names.isEmpty()) {
            FipsMode.refuse(
                    "end-to-end encryption (--to: X25519 + ML-KEM-768 and ChaCha20-Poly1305)",
                    E2E_NOT_FIPS + "; in FIPS mode files are protected in transit by TLS 1.3");
        }
        List<ResolvedRecipient> out = new ArrayList<>();
        for (String name : names) {
            KeyEntry key;
            Path file = Path.of(name);
            if (Files.isRegularFile(file)) {
                key = KeysCommand.run(() -> KeyRing.parseExport(KeysCommand.readExport(name)));
            } else {
                key = KeysCommand.run(() -> ring().active(name, false));
            }
            if (key.type() != KeyType.E2E) {
                throw new CliException(
                        ExitCodes.USAGE, name + " is a " + key.type().id() + " key, not an encryption key");
            }
            out.add(new ResolvedRecipient(key.name() + " (" + key.id() + ")", new Recipient(key.publicKey())));
        }
        return out;
    }

    /**
     * The encrypted copy of {@code file} for these recipients, in the outbox of the VSTP home. Its name depends on
     * the file's path, size, modification time, the recipients and {@code extraKeySource} (where {@code extraKey}
     * gets extra key material, e.g. the QKD KME and peer; empty for none), so running the same put again after an
     * interruption finds the same ciphertext and the upload resumes, while a put with another extra key source
     * (QKD added or dropped) makes a new ciphertext instead of reusing one made without it, or with it.
     */
    Path encrypt(
            Path file,
            List<ResolvedRecipient> recipients,
            String extraKeySource,
            UnaryOperator<Recipient> extraKey,
            Progress progress)
            throws IOException {
        TreeSet<String> ids = new TreeSet<>();
        recipients.forEach(r -> ids.add(r.recipient().keyId().toString()));
        String identity = file.toAbsolutePath() + "\n" + Files.size(file) + "\n" + Files.getLastModifiedTime(file)
                + "\n" + ids + (extraKeySource.isEmpty() ? "" : "\n" + extraKeySource);
        Path outbox = HomeDirectory.resolve().resolve("outbox");
        Files.createDirectories(outbox);
        forgetAbandoned(outbox);
        Path encrypted = outbox.resolve(
                HexFormat.of().formatHex(KeyId.sha256(identity.getBytes(StandardCharsets.UTF_8)), 0, 16) + ".vse");
        if (!Files.exists(encrypted)) {
            // Extra keys (QKD) are fetched only here, when a new ciphertext is made: a resumed upload needs none.
            progress.start(Files.size(file), 0);
            EncryptedFiles.encrypt(
                    file,
                    encrypted,
                    recipients.stream().map(r -> extraKey.apply(r.recipient())).toList(),
                    random,
                    progress::update);
            progress.finish();
        }
        return encrypted;
    }

    /** Ciphertexts of uploads nobody resumed for a week: they would otherwise pile up in the outbox. */
    private static void forgetAbandoned(Path outbox) throws IOException {
        Instant cutoff = Instant.now().minus(OUTBOX_RETENTION);
        try (var files = Files.newDirectoryStream(outbox, "*.vse")) {
            for (Path f : files) {
                if (Files.getLastModifiedTime(f).toInstant().isBefore(cutoff)) {
                    Files.deleteIfExists(f);
                }
            }
        }
    }

    /**
     * {@code signer}'s active signing key, checked to be our own: put calls it before uploading anything, so that a
     * missing or imported key, or a wrong passphrase, refuses the put instead of leaving an unsigned upload.
     */
    KeyEntry signingKey(String signer) throws IOException {
        refuseSigningInFipsMode();
        KeyEntry key = KeysCommand.run(() -> ring().active(signer, true));
        if (!key.own()) {
            throw new CliException(
                    ExitCodes.USAGE, "'" + signer + "' is someone else's public key: you cannot sign with it");
        }
        return key;
    }

    /** The signed manifest of a stored file, signed with {@code key} (from {@link #signingKey}). */
    SignedManifest sign(KeyEntry key, String remote, FilesClient.Result stored, boolean encrypted) throws IOException {
        refuseSigningInFipsMode();
        byte[] priv = KeysCommand.run(() -> ring().privateKey(key.id()));
        if (priv == null) {
            throw new CliException(
                    ExitCodes.FAILED,
                    "the private part of signing key " + key.id() + " is gone (retired while this put ran?)");
        }
        try {
            Manifest m = new Manifest(
                    remote,
                    stored.bytes(),
                    stored.sha256(),
                    encrypted,
                    Instant.now(),
                    key.id(),
                    key.type().signatureAlgorithm());
            return SignedManifest.sign(m, priv, random);
        } finally {
            Secrets.wipe(priv);
        }
    }

    /**
     * Checks a downloaded file against its signed manifest: the signature by a key in the key ring, and the name,
     * size and SHA-256 against what was downloaded. Returns who signed it; any mismatch is a TRUST failure.
     */
    String verify(byte[] signedManifest, String remote, FilesClient.Result downloaded, boolean encrypted)
            throws IOException {
        FipsMode.refuse(
                "checking the signature " + remote + SignedManifest.SUFFIX + " (Ed25519 or ML-DSA-65)",
                SIGNATURES_NOT_FIPS + "; the download was not kept");
        SignedManifest s;
        try {
            s = SignedManifest.parse(signedManifest);
        } catch (IllegalArgumentException e) {
            throw new CliException(ExitCodes.TRUST, "the signature of " + remote + " is malformed: " + e.getMessage());
        }
        Manifest m = s.manifest();
        Optional<KeyEntry> signer = KeysCommand.run(() -> ring().find(m.signer()));
        if (signer.isEmpty()) {
            throw new CliException(
                    ExitCodes.TRUST,
                    remote + " is signed by key " + m.signer()
                            + ", which is not in the key ring (import the signer's public key with vstp keys import)");
        }
        if (!s.verify(signer.get().publicKey())) {
            throw new CliException(
                    ExitCodes.TRUST,
                    "the signature of " + remote + " by " + signer.get().name()
                            + " is NOT valid: the manifest was altered");
        }
        if (!m.name().equals(remote)
                || m.size() != downloaded.bytes()
                || !m.sha256().equals(downloaded.sha256())
                || m.encrypted() != encrypted) {
            throw new CliException(
                    ExitCodes.TRUST,
                    "the signed manifest does not match " + remote + ": it is for '"
                            + m.name() + "', " + m.size() + " bytes, sha256 " + m.sha256()
                            + " (the file was replaced or the signature belongs to another file)");
        }
        return signer.get().name() + " (" + m.signer() + ", " + m.algorithm().id() + ", " + m.created() + ")";
    }

    /** Decrypts {@code encrypted} into {@code target} with the key ring's keys; returns the key used. */
    EncryptedFiles.Decrypted decrypt(
            Path encrypted, Path target, Function<String, byte[]> extraSecrets, Progress progress) throws IOException {
        FipsMode.refuse(
                "end-to-end decryption (X25519 + ML-KEM-768 and ChaCha20-Poly1305)",
                E2E_NOT_FIPS + "; --keep-encrypted stores the ciphertext as it is");
        RecipientKeys ringKeys = ring().recipientKeys();
        RecipientKeys keys = new RecipientKeys() {
            @Override
            public byte[] privateKey(KeyId id) throws IOException {
                return ringKeys.privateKey(id);
            }

            @Override
            public byte[] extraSecret(String extraId) {
                return extraSecrets.apply(extraId);
            }
        };
        try {
            // The plaintext is about the ciphertext's size (16 bytes less per 64 KiB): close enough for a bar.
            progress.start(Files.size(encrypted), 0);
            EncryptedFiles.Decrypted d = EncryptedFiles.decrypt(encrypted, target, keys, progress::update);
            progress.finish();
            return d;
        } catch (EncryptedFileException e) {
            throw new CliException(
                    e.reason() == EncryptedFileException.Reason.NO_MATCHING_KEY ? ExitCodes.DENIED : ExitCodes.TRUST,
                    "cannot decrypt: " + e.getMessage());
        } catch (KeyRingException e) {
            throw new CliException(ExitCodes.FAILED, e.getMessage());
        }
    }

    @Override
    public void close() {
        if (ring != null) {
            ring.close();
        }
    }
}
