package io.vstp.crypto.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.vstp.crypto.kem.HybridKem;
import io.vstp.crypto.sign.SignedManifest;
import io.vstp.testkit.SeededRandom;
import java.io.IOException;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.List;

/**
 * Hostile input to the two parsers of vstp-crypto: encrypted files (arbitrary bytes, and a real file with fuzzed
 * edits) and signed manifests. A reader answers with plaintext only for the untouched file, and otherwise with an
 * {@link EncryptedFileException}; a manifest parser with a manifest or an IllegalArgumentException. Nothing else.
 */
class EncryptedFileFuzzTest {
    // Seeded, so an input means the same edit of the same file on every run: a finding replays exactly.
    private static final SecureRandom RANDOM = SeededRandom.of("EncryptedFileFuzzTest");
    private static final HybridKem.KeyPair KEY = HybridKem.generate(RANDOM);
    private static final byte[] PLAIN = new byte[3000];
    private static final byte[] VALID;

    static {
        try {
            VALID = EncryptedFileTest.encrypt(PLAIN, List.of(new Recipient(KEY.publicKey())), RANDOM);
        } catch (IOException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    @FuzzTest(maxDuration = "60s", maxExecutions = 50000)
    void hostileFilesAndManifests(FuzzedDataProvider data) {
        switch (data.consumeInt(0, 2)) {
            case 0 -> read(data.consumeRemainingAsBytes());
            case 1 -> {
                byte[] file = VALID.clone();
                int edits = data.consumeInt(0, 4);
                for (int i = 0; i < edits; i++) {
                    file[data.consumeInt(0, file.length - 1)] = data.consumeByte();
                }
                file = Arrays.copyOf(file, data.consumeInt(0, file.length + 8));
                byte[] result = read(file);
                if (result != null) {
                    assertThat(file)
                            .as("decrypted something other than the sealed file")
                            .isEqualTo(VALID);
                    assertThat(result).isEqualTo(PLAIN);
                }
            }
            default -> {
                try {
                    SignedManifest.parse(data.consumeRemainingAsBytes());
                } catch (IllegalArgumentException expected) {
                    // refused: fine
                }
            }
        }
    }

    private static byte[] read(byte[] file) {
        try {
            return EncryptedFileTest.decrypt(file, EncryptedFileTest.holding(KEY));
        } catch (EncryptedFileException expected) {
            return null;
        } catch (IOException e) {
            return fail("an I/O error other than EncryptedFileException from a byte array: " + e);
        }
    }
}
