package io.vstp.security.token;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jose.util.Base64URL;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import io.vstp.testkit.SeededRandom;
import io.vstp.transport.auth.AuthenticationException;
import io.vstp.transport.auth.Principal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.Arrays;
import java.util.Base64;
import java.util.Date;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * Hostile tokens against the JWT authenticator: arbitrary bytes, JWS-shaped tokens whose header and payload are fuzzed
 * JSON around a real signature, and the valid token cut anywhere and continued with fuzzed text. Whatever arrives,
 * the answer is "not mine" or an {@link AuthenticationException}, never another exception.
 *
 * <p>The property: a token is accepted only if its three parts decode to the bytes that were signed and are spelled
 * canonically; together, only if it is the signed token's very text. The key, the claims and the signature come from
 * a seeded random and fixed times, so an input means the same token on every run: a finding under
 * {@code JwtAuthenticatorFuzzTestInputs} replays exactly, and a run on one commit explores the same way each time.
 *
 * <p>{@code es256-signature-respelled} is the finding of issue 27 for this token: bytes {@code 78 fd f1 02} read as
 * case 2 (the last byte), the token cut after 241 characters (one byte, {@code f1}: 242 fits in one), then the rest as
 * text: {@code "x"}, the incomplete {@code fd} dropped (without it the text would be empty). The token ends in
 * {@code x} instead of {@code w}: the same signature bytes, another spelling.
 */
class JwtAuthenticatorFuzzTest {
    private static final Instant ISSUED = Instant.parse("2026-12-07T00:00:00Z");
    private static final Instant EXPIRES = Instant.parse("2126-12-07T00:00:00Z");

    private static JwtAuthenticator auth;
    private static String valid;

    @BeforeAll
    static void start() throws Exception {
        SecureRandom random = SeededRandom.of("JwtAuthenticatorFuzzTest");
        ECKey key = new ECKeyGenerator(Curve.P_256)
                .keyID("fuzz")
                .keyUse(KeyUse.SIGNATURE)
                .secureRandom(random)
                .generate();
        Path jwks = Files.createTempFile("fuzz-jwks", ".json");
        Files.writeString(jwks, new JWKSet(List.of(key)).toPublicJWKSet().toString());
        auth = new JwtAuthenticator(JwtOptions.builder()
                .jwksFile(jwks)
                .issuer(TestTokens.ISSUER)
                .audience(TestTokens.AUDIENCE)
                .build());
        Files.delete(jwks);
        valid = sign(key, random);
    }

    private static String sign(ECKey key, SecureRandom random) throws JOSEException {
        JWTClaimsSet claims = new JWTClaimsSet.Builder()
                .issuer(TestTokens.ISSUER)
                .audience(TestTokens.AUDIENCE)
                .subject("alice")
                .issueTime(Date.from(ISSUED))
                .expirationTime(Date.from(EXPIRES))
                .build();
        SignedJWT jwt = new SignedJWT(
                new JWSHeader.Builder(JWSAlgorithm.ES256).keyID(key.getKeyID()).build(), claims);
        ECDSASigner signer = new ECDSASigner(key);
        signer.getJCAContext().setSecureRandom(random); // ECDSA's per-signature nonce, seeded too
        jwt.sign(signer);
        return jwt.serialize();
    }

    @AfterAll
    static void stop() {
        auth.close();
    }

    @FuzzTest(maxDuration = "60s", maxExecutions = 30000)
    void hostileTokens(FuzzedDataProvider data) {
        String token;
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
            assertThat(decoded(token))
                    .as("accepted a token nobody signed: %s", token)
                    .isEqualTo(decoded(valid));
            assertThat(token)
                    .as("accepted a second spelling of the signed token")
                    .isEqualTo(valid);
        }
    }

    /** The bytes of each part in hex, read as leniently as a decoder may ("not base64url" for a part that is not). */
    private static List<String> decoded(String token) {
        return Arrays.stream(token.split("\\.", -1))
                .map(part -> {
                    try {
                        return HexFormat.of().formatHex(Base64.getUrlDecoder().decode(part));
                    } catch (IllegalArgumentException e) {
                        return "not base64url";
                    }
                })
                .toList();
    }
}
