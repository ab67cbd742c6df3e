package io.vstp.crypto.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vstp.crypto.KeyId;
import io.vstp.crypto.e2e.EncryptedFileException.Reason;
import io.vstp.crypto.internal.ChaCha20Poly1305;
import io.vstp.crypto.kem.HybridKem;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EncryptedFileTest {
    private static final int CHUNK_LOG2 = 10;
    private static final int CHUNK = 1 << CHUNK_LOG2;
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final HybridKem.KeyPair ALICE = HybridKem.generate(RANDOM);
    private static final HybridKem.KeyPair BOB = HybridKem.generate(RANDOM);

    static byte[] encrypt(byte[] plaintext, List<Recipient> to) throws IOException {
        return encrypt(plaintext, to, RANDOM);
    }

    static byte[] encrypt(byte[] plaintext, List<Recipient> to, SecureRandom random) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (EncryptingOutputStream e = new EncryptingOutputStream(out, to, CHUNK_LOG2, random)) {
            // Odd-sized writes so chunk boundaries never line up with write boundaries.
            for (int i = 0; i < plaintext.length; i += 777) {
                e.write(plaintext, i, Math.min(777, plaintext.length - i));
            }
        }
        return out.toByteArray();
    }

    static byte[] decrypt(byte[] ciphertext, RecipientKeys keys) throws IOException {
        try (DecryptingInputStream in = new DecryptingInputStream(new ByteArrayInputStream(ciphertext), keys)) {
            return in.readAllBytes();
        }
    }

    static RecipientKeys holding(HybridKem.KeyPair... pairs) {
        return id -> {
            for (HybridKem.KeyPair p : pairs) {
                if (KeyId.of(p.publicKey()).equals(id)) {
                    return p.privateKey().clone();
                }
            }
            return null;
        };
    }

    static byte[] bytes(int n) {
        byte[] b = new byte[n];
        new Random(n).nextBytes(b);
        return b;
    }

    static int headerLength(int recipients) {
        return EncryptedFileFormat.FIXED_HEADER + recipients * EncryptedFileFormat.STANZA_FIXED;
    }

    @Test
    void roundTripsAtChunkBoundariesAndEmpty() throws IOException {
        for (int n : new int[] {0, 1, CHUNK - 1, CHUNK, CHUNK + 1, 3 * CHUNK, 3 * CHUNK + 5}) {
            byte[] plain = bytes(n);
            byte[] enc = encrypt(plain, List.of(new Recipient(ALICE.publicKey())));
            assertThat(enc).hasSize((int) EncryptedFileFormat.encryptedSize(n, headerLength(1), CHUNK_LOG2));
            assertThat(decrypt(enc, holding(ALICE))).as("size %d", n).isEqualTo(plain);
        }
    }

    @Test
    void everyRecipientCanReadAndNobodyElse() throws IOException {
        byte[] plain = bytes(5000);
        byte[] enc = encrypt(plain, List.of(new Recipient(ALICE.publicKey()), new Recipient(BOB.publicKey())));
        assertThat(decrypt(enc, holding(ALICE))).isEqualTo(plain);
        assertThat(decrypt(enc, holding(BOB))).isEqualTo(plain);
        HybridKem.KeyPair mallory = HybridKem.generate(RANDOM);
        assertThatThrownBy(() -> decrypt(enc, holding(mallory)))
                .isInstanceOfSatisfying(EncryptedFileException.class, e -> {
                    assertThat(e.reason()).isEqualTo(Reason.NO_MATCHING_KEY);
                    assertThat(e.getMessage())
                            .contains(KeyId.of(ALICE.publicKey()).toString());
                });
    }

    @Test
    void ciphertextIsNotThePlaintextAndDiffersEachTime() throws IOException {
        byte[] plain = new byte[4 * CHUNK]; // zeros: any leak of plaintext would show
        byte[] a = encrypt(plain, List.of(new Recipient(ALICE.publicKey())));
        byte[] b = encrypt(plain, List.of(new Recipient(ALICE.publicKey())));
        assertThat(Arrays.equals(a, b)).isFalse();
        byte[] body = Arrays.copyOfRange(a, headerLength(1), a.length);
        assertThat(countZeros(body)).isLessThan(body.length / 100);
    }

    private static int countZeros(byte[] b) {
        int n = 0;
        for (byte x : b) {
            n += x == 0 ? 1 : 0;
        }
        return n;
    }

    @Test
    void aFlippedBitAnywhereIsRefusedAndNoPlaintextIsReturnedForThatChunk() throws IOException {
        byte[] plain = bytes(2 * CHUNK + 100);
        byte[] enc = encrypt(plain, List.of(new Recipient(ALICE.publicKey())));
        // Every byte of the header and a spread of body positions, including the tags.
        for (int i = 0; i < enc.length; i += i < headerLength(1) ? 7 : 61) {
            byte[] bad = enc.clone();
            bad[i] ^= 0x01;
            int at = i;
            assertThatThrownBy(() -> decrypt(bad, holding(ALICE)))
                    .as("bit flipped at %d", at)
                    .isInstanceOf(EncryptedFileException.class);
        }
    }

    @Test
    void truncationIsRefusedWhereverItCuts() throws IOException {
        byte[] plain = bytes(3 * CHUNK);
        byte[] enc = encrypt(plain, List.of(new Recipient(ALICE.publicKey())));
        int sealedChunk = CHUNK + ChaCha20Poly1305.TAG_LENGTH;
        int body = headerLength(1);
        for (int cut : new int[] {
            body, body + 1, body + sealedChunk, body + 2 * sealedChunk, body + 2 * sealedChunk + 20, enc.length - 1
        }) {
            byte[] bad = Arrays.copyOf(enc, cut);
            assertThatThrownBy(() -> decrypt(bad, holding(ALICE)))
                    .as("cut at %d", cut)
                    .isInstanceOfSatisfying(
                            EncryptedFileException.class,
                            e -> assertThat(e.reason()).isIn(Reason.TRUNCATED, Reason.TAMPERED));
        }
        // Cut exactly after a full non-final chunk: looks like a clean end, but that chunk was not sealed as last.
        byte[] clean = Arrays.copyOf(enc, body + sealedChunk);
        assertThatThrownBy(() -> decrypt(clean, holding(ALICE)))
                .isInstanceOfSatisfying(
                        EncryptedFileException.class,
                        e -> assertThat(e.reason()).isEqualTo(Reason.TRUNCATED));
    }

    @Test
    void dataAfterTheFinalChunkIsRefused() throws IOException {
        byte[] enc = encrypt(bytes(CHUNK), List.of(new Recipient(ALICE.publicKey())));
        byte[] extended = Arrays.copyOf(enc, enc.length + 1);
        // The final chunk now appears not to be last, so it fails authentication.
        assertThatThrownBy(() -> decrypt(extended, holding(ALICE))).isInstanceOf(EncryptedFileException.class);
    }

    @Test
    void reorderedOrDroppedChunksAreRefused() throws IOException {
        byte[] enc = encrypt(bytes(3 * CHUNK + 10), List.of(new Recipient(ALICE.publicKey())));
        int s = CHUNK + ChaCha20Poly1305.TAG_LENGTH;
        int h = headerLength(1);
        byte[] swapped = enc.clone();
        System.arraycopy(enc, h, swapped, h + s, s);
        System.arraycopy(enc, h + s, swapped, h, s);
        assertThatThrownBy(() -> decrypt(swapped, holding(ALICE)))
                .isInstanceOfSatisfying(
                        EncryptedFileException.class,
                        e -> assertThat(e.reason()).isEqualTo(Reason.TAMPERED));
        byte[] dropped = new byte[enc.length - s];
        System.arraycopy(enc, 0, dropped, 0, h);
        System.arraycopy(enc, h + s, dropped, h, enc.length - h - s);
        assertThatThrownBy(() -> decrypt(dropped, holding(ALICE))).isInstanceOf(EncryptedFileException.class);
    }

    @Test
    void chunksSplicedFromAnotherFileToTheSameKeyAreRefused() throws IOException {
        byte[] one = encrypt(bytes(2 * CHUNK + 1), List.of(new Recipient(ALICE.publicKey())));
        byte[] two = encrypt(bytes(2 * CHUNK + 2), List.of(new Recipient(ALICE.publicKey())));
        int s = CHUNK + ChaCha20Poly1305.TAG_LENGTH;
        int h = headerLength(1);
        byte[] spliced = one.clone();
        System.arraycopy(two, h + s, spliced, h + s, s); // chunk 1 of file two, same index, into file one
        assertThatThrownBy(() -> decrypt(spliced, holding(ALICE)))
                .isInstanceOfSatisfying(
                        EncryptedFileException.class,
                        e -> assertThat(e.reason()).isEqualTo(Reason.TAMPERED));
        // And file two's header on file one's body.
        byte[] headerSwap = one.clone();
        System.arraycopy(two, 0, headerSwap, 0, h);
        assertThatThrownBy(() -> decrypt(headerSwap, holding(ALICE))).isInstanceOf(EncryptedFileException.class);
    }

    @Test
    void aStanzaMovedToAnotherKeyIdIsRefused() throws IOException {
        byte[] enc = encrypt(bytes(10), List.of(new Recipient(ALICE.publicKey()), new Recipient(BOB.publicKey())));
        // Relabel Alice's stanza with Bob's id and drop Bob's: Bob's key must not open Alice's stanza.
        byte[] bobId = KeyId.of(BOB.publicKey()).bytes();
        byte[] bad = enc.clone();
        System.arraycopy(bobId, 0, bad, EncryptedFileFormat.FIXED_HEADER, bobId.length);
        assertThatThrownBy(() -> decrypt(bad, holding(BOB)))
                .isInstanceOfSatisfying(
                        EncryptedFileException.class,
                        e -> assertThat(e.reason()).isEqualTo(Reason.TAMPERED));
    }

    @Test
    void hostileHeadersAreRefusedBeforeAnyAllocationTheyAskFor() {
        Map<String, byte[]> cases = Map.of(
                "empty", new byte[0],
                "plain text", "hello world, not encrypted".getBytes(),
                "unknown suite", header(9, CHUNK_LOG2, 1),
                "chunk too big", header(1, 40, 1),
                "chunk too small", header(1, 2, 1),
                "no recipients", header(1, CHUNK_LOG2, 0),
                "too many recipients", header(1, CHUNK_LOG2, 200),
                "header cut short", header(1, CHUNK_LOG2, 1),
                "extra id with a space", stanzaWithExtraId((byte) ' '));
        Map<String, Reason> expected = Map.of(
                "empty",
                Reason.NOT_ENCRYPTED,
                "plain text",
                Reason.NOT_ENCRYPTED,
                "header cut short",
                Reason.TRUNCATED);
        cases.forEach((name, data) -> assertThatThrownBy(() -> decrypt(data, holding(ALICE)))
                .as(name)
                .isInstanceOfSatisfying(
                        EncryptedFileException.class,
                        e -> assertThat(e.reason()).isEqualTo(expected.getOrDefault(name, Reason.MALFORMED))));
    }

    private static byte[] stanzaWithExtraId(byte c) {
        byte[] h = Arrays.copyOf(
                header(1, CHUNK_LOG2, 1),
                EncryptedFileFormat.FIXED_HEADER + KeyId.LENGTH + HybridKem.ENCAPSULATION_LENGTH + 2);
        h[h.length - 2] = 1;
        h[h.length - 1] = c;
        return h;
    }

    private static byte[] header(int suite, int chunkLog2, int recipients) {
        byte[] h = Arrays.copyOf(EncryptedFileFormat.MAGIC, EncryptedFileFormat.FIXED_HEADER);
        h[8] = (byte) suite;
        h[9] = (byte) chunkLog2;
        h[10] = (byte) recipients;
        return h;
    }

    @Test
    void extraSecretIsRequiredAndMustMatch() throws IOException {
        byte[] qkd = bytes(32);
        byte[] plain = bytes(300);
        byte[] enc = encrypt(plain, List.of(new Recipient(ALICE.publicKey(), "qkd:7f3c", qkd)));
        RecipientKeys withQkd = new RecipientKeys() {
            @Override
            public byte[] privateKey(KeyId id) {
                return ALICE.privateKey().clone();
            }

            @Override
            public byte[] extraSecret(String extraId) {
                assertThat(extraId).isEqualTo("qkd:7f3c");
                return qkd.clone();
            }
        };
        assertThat(decrypt(enc, withQkd)).isEqualTo(plain);
        assertThatThrownBy(() -> decrypt(enc, holding(ALICE)))
                .isInstanceOfSatisfying(
                        EncryptedFileException.class,
                        e -> assertThat(e.getMessage()).contains("qkd:7f3c"));
        RecipientKeys wrongQkd = new RecipientKeys() {
            @Override
            public byte[] privateKey(KeyId id) {
                return ALICE.privateKey().clone();
            }

            @Override
            public byte[] extraSecret(String extraId) {
                return bytes(31);
            }
        };
        assertThatThrownBy(() -> decrypt(enc, wrongQkd))
                .isInstanceOfSatisfying(
                        EncryptedFileException.class,
                        e -> assertThat(e.reason()).isEqualTo(Reason.TAMPERED));
    }

    @Test
    void filesAppearOnlyWhenFullyVerified(@TempDir Path dir) throws IOException {
        Path plain = Files.write(dir.resolve("report.pdf"), bytes(3 * CHUNK));
        Path enc = dir.resolve("report.pdf.vse");
        long size = EncryptedFiles.encrypt(plain, enc, List.of(new Recipient(ALICE.publicKey())), RANDOM);
        assertThat(Files.size(enc)).isEqualTo(size);
        assertThat(EncryptedFiles.isEncrypted(enc)).isTrue();
        assertThat(EncryptedFiles.isEncrypted(plain)).isFalse();
        Path out = dir.resolve("out.pdf");
        EncryptedFiles.Decrypted d = EncryptedFiles.decrypt(enc, out, holding(ALICE));
        assertThat(out).hasSameBinaryContentAs(plain);
        assertThat(d.usedKey()).isEqualTo(KeyId.of(ALICE.publicKey()));
        assertThat(d.bytes()).isEqualTo(3 * CHUNK);

        // Progress reports count plaintext bytes, rise and end at the size.
        java.util.List<Long> seen = new java.util.ArrayList<>();
        EncryptedFiles.encrypt(plain, enc, List.of(new Recipient(ALICE.publicKey())), RANDOM, seen::add);
        assertThat(seen).isSorted().last().isEqualTo(3L * CHUNK);
        seen.clear();
        EncryptedFiles.decrypt(enc, out, holding(ALICE), seen::add);
        assertThat(seen).isSorted().last().isEqualTo(3L * CHUNK);

        byte[] tampered = Files.readAllBytes(enc);
        tampered[tampered.length - 1] ^= 1;
        Files.write(enc, tampered);
        Path out2 = dir.resolve("out2.pdf");
        assertThatThrownBy(() -> EncryptedFiles.decrypt(enc, out2, holding(ALICE)))
                .isInstanceOf(EncryptedFileException.class);
        assertThat(out2).doesNotExist();
        try (var listing = Files.list(dir)) {
            assertThat(listing.map(p -> p.getFileName().toString())).noneMatch(n -> n.endsWith(".tmp"));
        }
    }

    @Test
    void theWriterRefusesImpossibleRecipientsAndChunkSizesAndWritesAfterClose() throws IOException {
        Recipient alice = new Recipient(ALICE.publicKey());
        ByteArrayOutputStream sink = new ByteArrayOutputStream();
        assertThatThrownBy(() -> new EncryptingOutputStream(sink, List.of(), RANDOM))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("1..16 recipients, not 0");
        assertThatThrownBy(() -> new EncryptingOutputStream(sink, java.util.Collections.nCopies(17, alice), RANDOM))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("1..16 recipients, not 17");
        assertThatThrownBy(() -> new EncryptingOutputStream(sink, List.of(alice), 9, RANDOM))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("chunk size 2^9 out of range");
        assertThatThrownBy(() -> new EncryptingOutputStream(sink, List.of(alice), 23, RANDOM))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("chunk size 2^23 out of range");
        assertThat(sink.size()).as("nothing written for a refused stream").isZero();

        EncryptingOutputStream e = new EncryptingOutputStream(sink, List.of(alice), RANDOM);
        assertThat(e.headerLength()).isEqualTo(headerLength(1)).isEqualTo(sink.size());
        for (byte b : "byte by byte".getBytes(java.nio.charset.StandardCharsets.US_ASCII)) {
            e.write(b);
        }
        e.flush();
        e.close();
        e.close(); // a second close writes nothing more
        assertThatThrownBy(() -> e.write(1)).isInstanceOf(IOException.class).hasMessage("stream closed");
        assertThat(new String(decrypt(sink.toByteArray(), holding(ALICE)), java.nio.charset.StandardCharsets.US_ASCII))
                .isEqualTo("byte by byte");
    }
}
