package io.vstp.security.token;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSObject;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.jwk.OctetKeyPair;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jose.util.Base64URL;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import io.vstp.security.spi.Authenticator;
import io.vstp.transport.auth.AuthenticationException;
import io.vstp.transport.auth.Credentials;
import io.vstp.transport.auth.Principal;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.interfaces.EdECPublicKey;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** Keys, tokens and calls for the token tests. Never prints a token. */
final class TestTokens {
    static final String ISSUER = "https://idp.test";
    static final String AUDIENCE = "vstp";

    private TestTokens() {}

    static RSAKey rsa(String kid) {
        try {
            return new RSAKeyGenerator(2048).keyID(kid).keyUse(KeyUse.SIGNATURE).generate();
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
    }

    static ECKey ec(String kid) {
        try {
            return new ECKeyGenerator(Curve.P_256)
                    .keyID(kid)
                    .keyUse(KeyUse.SIGNATURE)
                    .generate();
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
    }

    /** An Ed25519 key pair from the JDK, and its public JWK. */
    record Ed(KeyPair pair, OctetKeyPair publicJwk) {
        static Ed generate(String kid) {
            try {
                KeyPair pair = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
                return new Ed(
                        pair,
                        Ed25519Jdk.jwk((EdECPublicKey) pair.getPublic())
                                .keyID(kid)
                                .keyUse(KeyUse.SIGNATURE)
                                .build());
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }
    }

    static JWTClaimsSet.Builder claims() {
        Instant now = Instant.now();
        return new JWTClaimsSet.Builder()
                .issuer(ISSUER)
                .audience(AUDIENCE)
                .subject("alice")
                .issueTime(Date.from(now))
                .expirationTime(Date.from(now.plus(Duration.ofMinutes(5))));
    }

    static String sign(JWK key, JWSAlgorithm alg, JWTClaimsSet claims) {
        return sign(key, alg, key.getKeyID(), claims);
    }

    static String sign(JWK key, JWSAlgorithm alg, String kid, JWTClaimsSet claims) {
        try {
            SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(alg).keyID(kid).build(), claims);
            if (key instanceof RSAKey rsa) {
                jwt.sign(new RSASSASigner(rsa));
            } else if (key instanceof ECKey ec) {
                jwt.sign(new ECDSASigner(ec));
            } else {
                throw new IllegalArgumentException(key.getKeyType().toString());
            }
            return jwt.serialize();
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
    }

    static String signEd(Ed key, JWTClaimsSet claims) {
        return signRaw(
                new JWSHeader.Builder(JWSAlgorithm.EdDSA)
                        .keyID(key.publicJwk().getKeyID())
                        .build(),
                claims,
                key.pair().getPrivate());
    }

    private static String signRaw(JWSHeader header, JWTClaimsSet claims, PrivateKey key) {
        try {
            String input = header.toBase64URL() + "." + Base64URL.encode(claims.toString());
            Signature s = Signature.getInstance("Ed25519");
            s.initSign(key);
            s.update(input.getBytes(StandardCharsets.US_ASCII));
            return input + "." + Base64URL.encode(s.sign());
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** The same token with its payload replaced by {@code claims} (the signature no longer matches). */
    static String tamper(String token, JWTClaimsSet claims) {
        String[] parts = token.split("\\.");
        return parts[0] + "." + Base64URL.encode(claims.toString()) + "." + parts[2];
    }

    static Credentials bearer(String token) {
        return new Credentials(token, List.of(), new InetSocketAddress("127.0.0.1", 4242), "test-session");
    }

    static Optional<Principal> result(Authenticator auth, String token) {
        try {
            return auth.authenticate(bearer(token)).toCompletableFuture().get(10, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            return fail("refused: " + e.getCause());
        } catch (InterruptedException | TimeoutException e) {
            return fail("no answer: " + e);
        }
    }

    static Principal accepted(Authenticator auth, String token) {
        Optional<Principal> principal = result(auth, token);
        assertThat(principal).as("principal").isPresent();
        return principal.orElseThrow();
    }

    /** The message of the refusal (fails the test when the token is accepted or not recognised). */
    static String refusal(Authenticator auth, String token) {
        try {
            Optional<Principal> p =
                    auth.authenticate(bearer(token)).toCompletableFuture().get(10, TimeUnit.SECONDS);
            return fail("expected a refusal, got " + p);
        } catch (ExecutionException e) {
            assertThat(e.getCause()).isInstanceOf(AuthenticationException.class);
            String message = ((AuthenticationException) e.getCause()).detail();
            if (token.length() >= 8) {
                String start = token.substring(0, Math.min(20, token.length()));
                assertThat(message.contains(start))
                        .as("refusal echoes the token")
                        .isFalse();
            }
            return message;
        } catch (InterruptedException | TimeoutException e) {
            return fail("no answer: " + e);
        }
    }

    static JWSObject parse(String token) {
        try {
            return JWSObject.parse(token);
        } catch (java.text.ParseException e) {
            throw new IllegalStateException(e);
        }
    }
}
