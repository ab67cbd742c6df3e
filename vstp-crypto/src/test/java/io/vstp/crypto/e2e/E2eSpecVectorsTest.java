package io.vstp.crypto.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vstp.crypto.KeyId;
import io.vstp.crypto.kem.HybridKem;
import io.vstp.crypto.sign.SignatureAlgorithm;
import io.vstp.crypto.sign.SignedManifest;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

/** docs/spec/vectors/e2e-v1.json is what its generator produces, and this implementation agrees with every case. */
class E2eSpecVectorsTest {
    private static final HexFormat HEX = HexFormat.of();
    private static final Path FILE =
            Path.of(System.getProperty("vstp.spec.dir", "../docs/spec"), "vectors", "e2e-v1.json");

    @Test
    void fileIsWhatTheGeneratorProduces() throws Exception {
        assertThat(Files.readString(FILE))
                .as("regenerate with E2eSpecVectors.main " + FILE)
                .isEqualTo(E2eSpecVectors.generate());
    }

    @Test
    void everyCaseHolds() throws IOException {
        JsonNode root = new ObjectMapper().readTree(FILE.toFile());
        JsonNode keys = root.get("keys");
        keys.fields().forEachRemaining(k -> {
            byte[] priv = HEX.parseHex(k.getValue().get("private_key").asText());
            byte[] pub = HEX.parseHex(k.getValue().get("public_key").asText());
            assertThat(HybridKem.publicKeyOf(priv)).isEqualTo(pub);
            assertThat(KeyId.of(pub).toString())
                    .isEqualTo(k.getValue().get("key_id").asText());
        });
        for (JsonNode c : root.get("kem")) {
            byte[] priv = hex(keys.get(c.get("recipient").asText()), "private_key");
            assertThat(HybridKem.decapsulate(priv, hex(c, "encapsulation"), hex(c, "extra")))
                    .isEqualTo(hex(c, "shared_secret"));
        }
        int files = 0;
        for (JsonNode c : root.get("files")) {
            files++;
            byte[] priv = hex(keys.get(c.get("reader").asText()), "private_key");
            byte[] pub = hex(keys.get(c.get("reader").asText()), "public_key");
            RecipientKeys reader = new RecipientKeys() {
                @Override
                public byte[] privateKey(KeyId id) {
                    return id.equals(KeyId.of(pub)) ? priv.clone() : null;
                }

                @Override
                public byte[] extraSecret(String extraId) {
                    assertThat(extraId).isEqualTo(c.get("extra_id").asText());
                    return hex(c, "extra_secret");
                }
            };
            ByteArrayInputStream in = new ByteArrayInputStream(hex(c, "ciphertext"));
            if (c.has("plaintext")) {
                try (DecryptingInputStream d = new DecryptingInputStream(in, reader)) {
                    assertThat(d.readAllBytes()).as(c.get("name").asText()).isEqualTo(hex(c, "plaintext"));
                }
            } else {
                assertThatThrownBy(() -> {
                            try (DecryptingInputStream d = new DecryptingInputStream(in, reader)) {
                                d.readAllBytes();
                            }
                        })
                        .as(c.get("name").asText())
                        .isInstanceOfSatisfying(
                                EncryptedFileException.class,
                                e -> assertThat(e.reason().name())
                                        .isEqualTo(c.get("error").asText()));
            }
        }
        assertThat(files).isGreaterThanOrEqualTo(9);
        for (JsonNode c : root.get("manifests")) {
            SignatureAlgorithm a = SignatureAlgorithm.fromId(c.get("algorithm").asText());
            byte[] pub = hex(c, "public_key");
            assertThat(a.publicKeyOf(hex(c, "private_key"))).isEqualTo(pub);
            SignedManifest s =
                    SignedManifest.parse(c.get("signed_manifest").asText().getBytes(StandardCharsets.UTF_8));
            assertThat(s.verify(pub)).as(a.id()).isTrue();
        }
    }

    private static byte[] hex(JsonNode node, String field) {
        return HEX.parseHex(node.get(field).asText());
    }
}
