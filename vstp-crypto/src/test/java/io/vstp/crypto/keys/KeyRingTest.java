package io.vstp.crypto.keys;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vstp.crypto.KeyId;
import io.vstp.crypto.e2e.EncryptedFileException;
import io.vstp.crypto.e2e.EncryptedFiles;
import io.vstp.crypto.e2e.Recipient;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KeyRingTest {
    private static final char[] PASS = "correct horse battery staple".toCharArray();

    @TempDir
    Path dir;

    private Path ring() {
        return dir.resolve("keys.p12");
    }

    @Test
    void generatesKeysOfEveryTypeThatSurviveReopening() throws IOException {
        List<KeyEntry> made = new ArrayList<>();
        try (KeyRing ring = KeyRing.open(ring(), PASS)) {
            for (KeyType t : KeyType.values()) {
                made.add(ring.generate("me", t));
            }
        }
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(ring())))
                .isEqualTo("rw-------");
        try (KeyRing ring = KeyRing.open(ring(), PASS)) {
            assertThat(ring.list())
                    .extracting(KeyEntry::id)
                    .containsExactlyInAnyOrderElementsOf(
                            made.stream().map(KeyEntry::id).toList());
            for (KeyEntry e : made) {
                byte[] priv = ring.privateKey(e.id());
                assertThat(e.type().publicKeyOf(priv)).isEqualTo(e.publicKey());
                assertThat(e.state()).isEqualTo(KeyState.ACTIVE);
                assertThat(e.own()).isTrue();
            }
            assertThat(ring.active("me", false).type()).isEqualTo(KeyType.E2E);
        }
    }

    @Test
    void wrongPassphraseAndDamageAreClearErrors() throws IOException {
        try (KeyRing ring = KeyRing.open(ring(), PASS)) {
            ring.generate("me", KeyType.ED25519);
        }
        assertThatThrownBy(() -> KeyRing.open(ring(), "wrong".toCharArray()))
                .isInstanceOf(KeyRingException.class)
                .hasMessageContaining("wrong passphrase");
        assertThatThrownBy(() -> KeyRing.open(ring(), new char[0]))
                .isInstanceOf(KeyRingException.class)
                .hasMessageContaining("must not be empty");
        byte[] bytes = Files.readAllBytes(ring());
        bytes[bytes.length / 2] ^= 0x40;
        Files.write(ring(), bytes);
        assertThatThrownBy(() -> KeyRing.open(ring(), PASS)).isInstanceOf(KeyRingException.class);
        Files.write(ring(), new byte[] {1, 2, 3});
        assertThatThrownBy(() -> KeyRing.open(ring(), PASS))
                .isInstanceOf(KeyRingException.class)
                .hasMessageContaining(ring().toString());
    }

    @Test
    void aKeyRingOthersCanReadIsRefused() throws IOException {
        try (KeyRing ring = KeyRing.open(ring(), PASS)) {
            ring.generate("me", KeyType.ED25519);
        }
        Files.setPosixFilePermissions(ring(), PosixFilePermissions.fromString("rw-r--r--"));
        assertThatThrownBy(() -> KeyRing.open(ring(), PASS))
                .isInstanceOf(KeyRingException.class)
                .hasMessageContaining("chmod 600");
    }

    @Test
    void rotationKeepsOldKeysForDecryptionUntilRetired(@TempDir Path files) throws IOException {
        SecureRandom random = new SecureRandom();
        Path plain = Files.writeString(files.resolve("a.txt"), "secret plans");
        Path enc = files.resolve("a.vse");
        Path out = files.resolve("b.txt");
        try (KeyRing ring = KeyRing.open(ring(), PASS)) {
            KeyEntry first = ring.generate("me", KeyType.E2E);
            EncryptedFiles.encrypt(plain, enc, List.of(new Recipient(first.publicKey())), random);

            KeyEntry second = ring.rotate("me", false);
            assertThat(second.id()).isNotEqualTo(first.id());
            assertThat(ring.active("me", false).id()).isEqualTo(second.id());
            assertThat(ring.find(first.id()).orElseThrow().state()).isEqualTo(KeyState.PREVIOUS);
            assertThat(EncryptedFiles.decrypt(enc, out, ring.recipientKeys()).usedKey())
                    .isEqualTo(first.id());
            assertThat(out).hasContent("secret plans");

            ring.retire(first.id());
            assertThat(ring.find(first.id()).orElseThrow().state()).isEqualTo(KeyState.RETIRED);
            assertThat(ring.privateKey(first.id())).isNull();
            Files.delete(out);
            assertThatThrownBy(() -> EncryptedFiles.decrypt(enc, out, ring.recipientKeys()))
                    .isInstanceOfSatisfying(
                            EncryptedFileException.class,
                            e -> assertThat(e.reason()).isEqualTo(EncryptedFileException.Reason.NO_MATCHING_KEY));
        }
    }

    @Test
    void decryptionIsOfferedEncryptionKeysOnlyNeverSigningKeys() throws IOException {
        try (KeyRing ring = KeyRing.open(ring(), PASS)) {
            KeyEntry e2e = ring.generate("me", KeyType.E2E);
            KeyEntry ed = ring.generate("me", KeyType.ED25519);
            KeyEntry ml = ring.generate("me", KeyType.ML_DSA_65);
            byte[] own = ring.recipientKeys().privateKey(e2e.id());
            assertThat(KeyType.E2E.publicKeyOf(own)).isEqualTo(e2e.publicKey());
            // A file header can name any key id, and signing key ids are public (in every signed manifest).
            assertThat(ring.recipientKeys().privateKey(ed.id())).isNull();
            assertThat(ring.recipientKeys().privateKey(ml.id())).isNull();
            // Signing still gets its key.
            assertThat(ring.privateKey(ed.id())).isNotNull();
        }
    }

    @Test
    void scheduledRotationRotatesOnlyOldOwnActiveKeys() throws IOException {
        try (KeyRing ring = KeyRing.open(ring(), PASS)) {
            KeyEntry e2e = ring.generate("me", KeyType.E2E);
            ring.generate("signer", KeyType.ML_DSA_65);
            assertThat(ring.rotateOlderThan(Duration.ofDays(30), Instant.now())).isEmpty();
            List<KeyEntry> rotated =
                    ring.rotateOlderThan(Duration.ofDays(30), Instant.now().plus(Duration.ofDays(31)));
            assertThat(rotated).extracting(KeyEntry::name).containsExactlyInAnyOrder("me", "signer");
            assertThat(ring.find(e2e.id()).orElseThrow().state()).isEqualTo(KeyState.PREVIOUS);
            assertThat(ring.list()).hasSize(4);
        }
    }

    @Test
    void exportImportAndPeerRotation(@TempDir Path other) throws IOException {
        String exported;
        KeyId aliceKey;
        try (KeyRing alice = KeyRing.open(other.resolve("alice.p12"), PASS)) {
            aliceKey = alice.generate("alice", KeyType.E2E).id();
            exported = alice.exportPublic(aliceKey);
        }
        assertThat(exported).startsWith("vstp-public-key 1 x25519-mlkem768 alice ");
        try (KeyRing bob = KeyRing.open(ring(), PASS)) {
            KeyEntry imported = bob.importPublic(exported, null);
            assertThat(imported.id()).isEqualTo(aliceKey);
            assertThat(imported.own()).isFalse();
            assertThat(bob.privateKey(aliceKey)).isNull();
            assertThat(bob.active("alice", false).id()).isEqualTo(aliceKey);
            assertThatThrownBy(() -> bob.importPublic(exported, null)).hasMessageContaining("already");
            assertThatThrownBy(() -> bob.rotate("alice", false)).hasMessageContaining("imported");
            String next = KeyRing.parseExport(exported).type() == KeyType.E2E ? newAliceKey(other) : null;
            KeyEntry second = bob.importPublic(next, "alice");
            assertThat(bob.active("alice", false).id()).isEqualTo(second.id());
            assertThat(bob.find(aliceKey).orElseThrow().state()).isEqualTo(KeyState.PREVIOUS);
        }
    }

    private static String newAliceKey(Path other) throws IOException {
        try (KeyRing alice = KeyRing.open(other.resolve("alice.p12"), PASS)) {
            return alice.exportPublic(alice.rotate("alice", false).id());
        }
    }

    @Test
    void anExportedKeyIsReadOnlyInItsCanonicalSpelling() throws IOException {
        String exported;
        try (KeyRing ring = KeyRing.open(ring(), PASS)) {
            exported =
                    ring.exportPublic(ring.generate("me", KeyType.ED25519).id()).strip();
        }
        assertThat(KeyRing.parseExport(exported).type()).isEqualTo(KeyType.ED25519);
        // 32 bytes: 43 characters and one '=', the last character carrying 4 bits and 2 unused ones.
        String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
        char last = exported.charAt(exported.length() - 2);
        String respelled =
                exported.substring(0, exported.length() - 2) + alphabet.charAt(alphabet.indexOf(last) ^ 1) + "=";
        String unpadded = exported.substring(0, exported.length() - 1);
        for (String line : List.of(respelled, unpadded)) {
            assertThatThrownBy(() -> KeyRing.parseExport(line))
                    .as(line)
                    .isInstanceOf(KeyRingException.class)
                    .hasMessageContaining("not canonical base64");
        }
    }

    @Test
    void aNameBelongsToOwnKeysOrToImportedOnesNeverBoth(@TempDir Path other) throws IOException {
        String exported;
        try (KeyRing stranger = KeyRing.open(other.resolve("s.p12"), PASS)) {
            exported =
                    stranger.exportPublic(stranger.generate("me", KeyType.E2E).id());
        }
        try (KeyRing ring = KeyRing.open(ring(), PASS)) {
            KeyEntry mine = ring.generate("me", KeyType.E2E);
            assertThatThrownBy(() -> ring.importPublic(exported, null))
                    .isInstanceOf(KeyRingException.class)
                    .hasMessageContaining("your own");
            assertThat(ring.active("me", false).id()).isEqualTo(mine.id());
            KeyEntry theirs = ring.importPublic(exported, "stranger");
            assertThatThrownBy(() -> ring.generate("stranger", KeyType.E2E)).hasMessageContaining("an imported");
            // Another kind under the same name is a different name space.
            ring.generate("stranger", KeyType.ED25519);
            assertThat(ring.active("stranger", false).id()).isEqualTo(theirs.id());
        }
    }

    @Test
    void malformedExportsAreRefused() {
        for (String bad : new String[] {
            "",
            "ssh-ed25519 AAAA",
            "vstp-public-key 1 ed25519 me",
            "vstp-public-key 1 rsa me AAAA",
            "vstp-public-key 1 ed25519 me AAAA",
            "vstp-public-key 1 ed25519 bad/name " + "A".repeat(44),
            "vstp-public-key 1 ed25519 me !!!"
        }) {
            assertThatThrownBy(() -> KeyRing.parseExport(bad)).as(bad).isInstanceOf(KeyRingException.class);
        }
    }

    @Test
    void concurrentWritersLoseNothing() throws Exception {
        KeyRing.open(ring(), PASS).close();
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            List<Future<?>> jobs = new ArrayList<>();
            for (int t = 0; t < 2; t++) {
                int n = t;
                jobs.add(pool.submit(() -> {
                    try (KeyRing ring = KeyRing.open(ring(), PASS)) {
                        for (int i = 0; i < 5; i++) {
                            ring.generate("k" + n + "-" + i, KeyType.ED25519);
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> f : jobs) {
                f.get(60, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
        try (KeyRing ring = KeyRing.open(ring(), PASS)) {
            assertThat(ring.list()).hasSize(10);
        }
    }

    /**
     * A key ring whose PKCS#12 file was changed by another tool (keytool) or by a newer vstp: the file opens, and
     * reading its keys names the entry and what is wrong with it.
     */
    @Test
    void foreignAndDamagedEntriesAreNamedWhenRead() throws Exception {
        try (KeyRing ring = KeyRing.open(ring(), PASS)) {
            ring.generate("me", KeyType.ED25519);
        }
        byte[] good = Files.readAllBytes(ring());

        java.security.KeyPair pair =
                java.security.KeyPairGenerator.getInstance("EC").generateKeyPair();
        org.bouncycastle.asn1.x500.X500Name subject = new org.bouncycastle.asn1.x500.X500Name("CN=keytool import");
        java.security.cert.X509Certificate certificate = new org.bouncycastle.cert.jcajce.JcaX509CertificateConverter()
                .getCertificate(new org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder(
                                subject,
                                java.math.BigInteger.ONE,
                                java.util.Date.from(Instant.now()),
                                java.util.Date.from(Instant.now().plus(Duration.ofDays(1))),
                                subject,
                                pair.getPublic())
                        .build(new org.bouncycastle.operator.jcajce.JcaContentSignerBuilder("SHA256withECDSA")
                                .build(pair.getPrivate())));
        assertThat(listAfterAdding(good, store -> store.setCertificateEntry("imported-ca", certificate)))
                .isEqualTo("entry imported-ca of " + ring() + " is not a VSTP key");

        assertThat(listAfterAdding(good, store -> addRecord(store, record(2, "ACTIVE", 32), PASS)))
                .isEqualTo("key record of an unknown version: written by a newer vstp?");
        assertThat(listAfterAdding(good, store -> addRecord(store, record(1, "ACTIVE", 1_000_000), PASS)))
                .startsWith("damaged key record: length 1000000 out of range");
        assertThat(listAfterAdding(good, store -> addRecord(store, record(1, "LOST", 32), PASS)))
                .startsWith("damaged key record: ")
                .contains("LOST");
        assertThat(listAfterAdding(
                        good, store -> addRecord(store, java.util.Arrays.copyOf(record(1, "ACTIVE", 32), 20), PASS)))
                .startsWith("damaged key record: ");
        assertThat(listAfterAdding(
                        good, store -> addRecord(store, record(1, "ACTIVE", 32), "another passphrase".toCharArray())))
                .startsWith("cannot read key intruder of " + ring() + ": ");
    }

    private interface StoreChange {
        void apply(java.security.KeyStore store) throws Exception;
    }

    /** Writes {@code good} changed by {@code change} (with the JDK's key store, as keytool would); list()'s error. */
    private String listAfterAdding(byte[] good, StoreChange change) throws Exception {
        java.security.KeyStore store = java.security.KeyStore.getInstance("PKCS12");
        store.load(new java.io.ByteArrayInputStream(good), PASS);
        change.apply(store);
        try (java.io.OutputStream out = Files.newOutputStream(ring())) {
            store.store(out, PASS);
        }
        try (KeyRing ring = KeyRing.open(ring(), PASS)) {
            return org.assertj.core.api.Assertions.catchThrowableOfType(ring::list, KeyRingException.class)
                    .getMessage();
        }
    }

    private static void addRecord(java.security.KeyStore store, byte[] record, char[] protection) throws Exception {
        store.setEntry(
                "intruder",
                new java.security.KeyStore.SecretKeyEntry(new javax.crypto.spec.SecretKeySpec(record, "AES")),
                new java.security.KeyStore.PasswordProtection(protection));
    }

    /** A key record as KeyRing writes it (version, type, name, state, created, own, public key, private key). */
    private static byte[] record(int version, String state, int publicKeyLength) throws IOException {
        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
        java.io.DataOutputStream out = new java.io.DataOutputStream(bytes);
        out.writeByte(version);
        out.writeUTF(KeyType.ED25519.id());
        out.writeUTF("intruder");
        out.writeUTF(state);
        out.writeLong(0);
        out.writeBoolean(false);
        out.writeInt(publicKeyLength);
        out.write(new byte[32]);
        out.writeInt(0);
        return bytes.toByteArray();
    }

    /** A key this ring never held: absent when asked for, named when it must exist. */
    @Test
    void anUnknownKeyIsAbsentOrNamed() throws IOException {
        KeyId stranger = KeyId.of(new byte[32]);
        try (KeyRing ring = KeyRing.open(ring(), PASS)) {
            ring.generate("me", KeyType.E2E);
            assertThat(ring.file()).isEqualTo(ring());
            assertThat(ring.find(stranger)).isEmpty();
            assertThat(ring.privateKey(stranger)).isNull();
            assertThat(ring.recipientKeys().privateKey(stranger)).isNull();
            assertThatThrownBy(() -> ring.retire(stranger))
                    .isInstanceOf(KeyRingException.class)
                    .hasMessage("no key " + stranger + " in " + ring());
            assertThatThrownBy(() -> ring.exportPublic(stranger))
                    .isInstanceOf(KeyRingException.class)
                    .hasMessage("no key " + stranger + " in " + ring());
            assertThat(ring.list()).hasSize(1);
        }
    }
}
