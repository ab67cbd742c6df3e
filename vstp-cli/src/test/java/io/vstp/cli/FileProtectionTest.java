package io.vstp.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vstp.crypto.e2e.Recipient;
import io.vstp.crypto.kem.HybridKem;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The outbox of encrypted uploads and the QKD key IDs a file may name. */
class FileProtectionTest {
    @TempDir
    Path tmp;

    @Test
    void aPutWithQkdNeverReusesACiphertextMadeWithoutIt() throws Exception {
        Path file = Files.writeString(tmp.resolve("plan.txt"), "the plan");
        HybridKem.KeyPair bob = HybridKem.generate(new SecureRandom());
        List<FileProtection.ResolvedRecipient> to =
                List.of(new FileProtection.ResolvedRecipient("bob", new Recipient(bob.publicKey())));
        try (FileProtection protection = new FileProtection(new KeyRingOptions())) {
            // An interrupted put without QKD leaves its ciphertext in the outbox for resuming ...
            Path withoutQkd = protection.encrypt(file, to, "", r -> r, Progress.silent());
            // ... and a put of the same file to the same recipient with --qkd-kme must mix in a QKD key, not
            // resume the upload of that ciphertext.
            Path withQkd = protection.encrypt(
                    file,
                    to,
                    "qkd https://kme.example SAE_BOB",
                    r -> new Recipient(r.publicKey(), "qkd:key-1", new byte[32]),
                    Progress.silent());
            try {
                assertThat(withQkd).isNotEqualTo(withoutQkd);
                assertThat(new String(Files.readAllBytes(withQkd), StandardCharsets.ISO_8859_1))
                        .contains("qkd:key-1");
                assertThat(new String(Files.readAllBytes(withoutQkd), StandardCharsets.ISO_8859_1))
                        .doesNotContain("qkd:");
                // The same put again still resumes: same ciphertext, no new QKD key asked for.
                assertThat(protection.encrypt(
                                file,
                                to,
                                "qkd https://kme.example SAE_BOB",
                                r -> {
                                    throw new AssertionError("a resumed upload needs no new QKD key");
                                },
                                Progress.silent()))
                        .isEqualTo(withQkd);
            } finally {
                Files.deleteIfExists(withoutQkd);
                Files.deleteIfExists(withQkd);
            }
        }
    }

    @Test
    void aQkdKeyIdNoKmeCanHaveIsAForgedFileNotAUsageError() {
        QkdOptions qkd = new QkdOptions();
        qkd.kme = URI.create("https://127.0.0.1:1");
        qkd.peer = "SAE_A";
        qkd.cert = tmp.resolve("missing-cert.pem");
        qkd.key = tmp.resolve("missing-key.pem");
        qkd.ca = tmp.resolve("missing-ca.pem");
        for (String id : List.of("qkd:a/../b", "qkd:", "qkd:" + "x".repeat(129), "qkd:a?b=c")) {
            assertThatThrownBy(() -> qkd.fetch(id))
                    .isInstanceOfSatisfying(
                            CliException.class, e -> assertThat(e.exitCode()).isEqualTo(ExitCodes.TRUST))
                    .hasMessageContaining("damaged or forged");
        }
        // Without --qkd-kme the refusal is the same: the file is at fault, not the command line.
        assertThatThrownBy(() -> new QkdOptions().fetch("qkd:a/b"))
                .isInstanceOfSatisfying(
                        CliException.class, e -> assertThat(e.exitCode()).isEqualTo(ExitCodes.TRUST));
    }
}
