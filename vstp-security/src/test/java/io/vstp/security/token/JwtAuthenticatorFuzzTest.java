package io.vstp.security.token;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.util.Base64URL;
import io.vstp.transport.auth.AuthenticationException;
import io.vstp.transport.auth.Principal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * Hostile tokens against the JWT authenticator: arbitrary bytes, and JWS-shaped tokens whose header and payload
 * are fuzzed JSON around a real signature. Whatever arrives, the answer is "not mine" or an
 * {@link AuthenticationException}, never another exception; and nothing is accepted unless its signature is the
 * one a real key made over exactly those bytes.
 */
class JwtAuthenticatorFuzzTest {
    private static ECKey key;
    private static JwtAuthenticator auth;
    private static String valid;

    @BeforeAll
    static void start() throws Exception {
        key = TestTokens.ec("fuzz");
        Path jwks = Files.createTempFile("fuzz-jwks", ".json");
        Files.writeString(jwks, new JWKSet(List.of(key)).toPublicJWKSet().toString());
        auth = new JwtAuthenticator(JwtOptions.builder()
                .jwksFile(jwks)
                .issuer(TestTokens.ISSUER)
                .audience(TestTokens.AUDIENCE)
                .build());
        valid = TestTokens.sign(key, JWSAlgorithm.ES256, TestTokens.claims().build());
        Files.delete(jwks);
    }

    @AfterAll
    static void stop() {
        auth.close();
    }

    @FuzzTest(maxDuration = "30s")
    void hostileTokens(FuzzedDataProvider data) {
        String token;
        boolean untouched = false;
        switch (data.consumeInt(0, 2)) {
            case 0 -> token = data.consumeRemainingAsString();
            case 1 -> {
                String[] parts = valid.split("\\.");
                String header = data.consumeBoolean()
                        ? parts[0]
                        : Base64URL.encode(data.consumeString(200).getBytes(StandardCharsets.UTF_8))
                                .toString();
                String payload = data.consumeBoolean()
                        ? parts[1]
                        : Base64URL.encode(data.consumeString(400).getBytes(StandardCharsets.UTF_8))
                                .toString();
                untouched = header.equals(parts[0]) && payload.equals(parts[1]);
                token = header + "." + payload + "." + parts[2];
            }
            default -> token = valid.substring(0, data.consumeInt(0, valid.length())) + data.consumeRemainingAsString();
        }
        Optional<Principal> result;
        try {
            result = auth.authenticate(TestTokens.bearer(token))
                    .toCompletableFuture()
                    .join();
        } catch (CompletionException e) {
            assertThat(e.getCause()).isInstanceOf(AuthenticationException.class);
            return;
        }
        if (result.isPresent()) {
            assertThat(untouched || token.equals(valid))
                    .as("accepted a token nobody signed: %s", token)
                    .isTrue();
        }
    }
}
