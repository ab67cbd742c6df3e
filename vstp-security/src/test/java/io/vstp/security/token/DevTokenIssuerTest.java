package io.vstp.security.token;

import static io.vstp.security.token.TestTokens.accepted;
import static io.vstp.security.token.TestTokens.refusal;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import io.vstp.transport.auth.Principal;
import java.io.IOException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DevTokenIssuerTest {
    @TempDir
    Path dir;

    @Test
    void keyFileIsCreatedOwnerOnlyAndReused() throws Exception {
        assumeTrue(FileSystems.getDefault().supportedFileAttributeViews().contains("posix"));
        Path keyFile = dir.resolve("keys/dev-key.json");
        DevTokenIssuer first = DevTokenIssuer.loadOrCreate(keyFile);
        assertThat(first.created()).isTrue();
        assertThat(first.keyId()).isEqualTo(DevTokenIssuer.KEY_ID);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(keyFile)))
                .isEqualTo("rw-------");
        JWK stored = JWK.parse(Files.readString(keyFile));
        assertThat(stored.isPrivate()).isTrue();

        DevTokenIssuer second = DevTokenIssuer.loadOrCreate(keyFile);
        assertThat(second.created()).isFalse();
        assertThat(second.publicJwks()).isEqualTo(first.publicJwks());
        assertThat(first.toString()).contains("DEVELOPMENT ONLY");
        assertThat(DevTokenIssuer.WARNING).startsWith("DEVELOPMENT ONLY");
    }

    @Test
    void tokensValidateAgainstTheWrittenJwks() throws Exception {
        DevTokenIssuer issuer = DevTokenIssuer.loadOrCreate(dir.resolve("dev-key.json"));
        Path jwksFile = dir.resolve("out/jwks.json");
        issuer.writeJwks(jwksFile);
        JWKSet written = JWKSet.parse(Files.readString(jwksFile));
        assertThat(written.getKeys()).hasSize(1);
        assertThat(written.getKeys().get(0).isPrivate()).as("public JWKS only").isFalse();
        assertThat(Files.readString(jwksFile)).doesNotContain("\"d\"");

        JwtOptions settings = JwtOptions.builder()
                .jwksFile(jwksFile)
                .algorithms("ES256")
                .issuer(DevTokenIssuer.DEFAULT_ISSUER)
                .audience(DevTokenIssuer.DEFAULT_AUDIENCE)
                .build();
        try (JwtAuthenticator auth = new JwtAuthenticator(settings)) {
            String token = issuer.issue("dev-user", List.of("admin", "reader"));
            assertThat(TestTokens.parse(token).getHeader().getAlgorithm()).isEqualTo(JWSAlgorithm.ES256);
            assertThat(TestTokens.parse(token).getHeader().getKeyID()).isEqualTo(DevTokenIssuer.KEY_ID);
            Principal p = accepted(auth, token);
            assertThat(p.subject()).isEqualTo("dev-user");
            assertThat(p.roles()).containsExactly("admin", "reader");
            assertThat(p.expiresAt())
                    .isBetween(
                            java.time.Instant.now().plus(Duration.ofMinutes(59)),
                            java.time.Instant.now().plus(Duration.ofMinutes(61)));

            String otherAudience =
                    issuer.issue("dev-user", List.of(), DevTokenIssuer.DEFAULT_ISSUER, "other", Duration.ofMinutes(5));
            assertThat(refusal(auth, otherAudience)).isEqualTo("wrong audience");
            String otherIssuer = issuer.issue(
                    "dev-user", List.of(), "someone", DevTokenIssuer.DEFAULT_AUDIENCE, Duration.ofMinutes(5));
            assertThat(refusal(auth, otherIssuer)).isEqualTo("untrusted issuer");
        }
        // a token from another development key is refused
        DevTokenIssuer stranger = DevTokenIssuer.loadOrCreate(dir.resolve("other-key.json"));
        try (JwtAuthenticator auth = new JwtAuthenticator(JwtOptions.builder()
                .jwksFile(jwksFile)
                .issuer(DevTokenIssuer.DEFAULT_ISSUER)
                .audience(DevTokenIssuer.DEFAULT_AUDIENCE)
                .build())) {
            assertThat(refusal(auth, stranger.issue("x", List.of()))).isEqualTo("bad signature");
        }
    }

    @Test
    void refusesAFileThatIsNotAPrivateEcKey() throws IOException {
        Path bad = dir.resolve("bad.json");
        Files.writeString(bad, TestTokens.rsa("r").toJSONString());
        assertThatThrownBy(() -> DevTokenIssuer.loadOrCreate(bad)).isInstanceOf(IOException.class);
        Files.writeString(bad, "not json");
        assertThatThrownBy(() -> DevTokenIssuer.loadOrCreate(bad)).isInstanceOf(IOException.class);
    }
}
