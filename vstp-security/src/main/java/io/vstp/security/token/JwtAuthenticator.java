package io.vstp.security.token;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSVerifier;
import com.nimbusds.jose.KeySourceException;
import com.nimbusds.jose.crypto.factories.DefaultJWSVerifierFactory;
import com.nimbusds.jose.jca.JCAContext;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKMatcher;
import com.nimbusds.jose.jwk.JWKSelector;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.KeyType;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.jwk.OctetKeyPair;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.source.ImmutableJWKSet;
import com.nimbusds.jose.jwk.source.JWKSource;
import com.nimbusds.jose.jwk.source.JWKSourceBuilder;
import com.nimbusds.jose.jwk.source.RateLimitReachedException;
import com.nimbusds.jose.proc.BadJOSEException;
import com.nimbusds.jose.proc.BadJWSException;
import com.nimbusds.jose.proc.DefaultJOSEObjectTypeVerifier;
import com.nimbusds.jose.proc.JWSKeySelector;
import com.nimbusds.jose.proc.JWSVerificationKeySelector;
import com.nimbusds.jose.proc.JWSVerifierFactory;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jose.util.DefaultResourceRetriever;
import com.nimbusds.jwt.JWT;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.JWTParser;
import com.nimbusds.jwt.PlainJWT;
import com.nimbusds.jwt.SignedJWT;
import com.nimbusds.jwt.proc.BadJWTException;
import com.nimbusds.jwt.proc.DefaultJWTClaimsVerifier;
import com.nimbusds.jwt.proc.DefaultJWTProcessor;
import io.vstp.security.spi.Authenticator;
import io.vstp.transport.auth.AuthenticationException;
import io.vstp.transport.auth.Credentials;
import io.vstp.transport.auth.Principal;
import java.io.Closeable;
import java.io.IOException;
import java.net.MalformedURLException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.security.GeneralSecurityException;
import java.security.Key;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.EdECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.X509EncodedKeySpec;
import java.text.ParseException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.Collections;
import java.util.Date;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Proves who a peer is from a signed JWT bearer token (RFC 7519, JWS compact form) checked against the identity
 * provider's public keys: a JWKS endpoint, a JWKS file or a PEM key ({@link JwtOptions}).
 *
 * <ul>
 *   <li>Credentials without a bearer token, or whose token is not of the JWS compact form (three base64url parts),
 *       are not this authenticator's: the stage completes empty, so an {@link IntrospectionAuthenticator} may take
 *       opaque tokens.</li>
 *   <li>A JWT that fails is refused with an {@link AuthenticationException} naming the class of problem ("token
 *       expired", "untrusted issuer", "unknown signing key", "bad signature", "algorithm not allowed", "malformed
 *       token", ...), never the token nor the configuration.</li>
 *   <li>Only the configured asymmetric algorithms are accepted; {@code alg: none} and HMAC tokens are refused before
 *       any key is looked at, and keys are matched by type, so a public key never serves as an HMAC secret.</li>
 * </ul>
 *
 * <p>A refusal completes the stage exceptionally with the {@link AuthenticationException} itself (not wrapped).
 *
 * <h2>Threads</h2>
 * With a JWKS endpoint, checking a token may fetch keys (blocking HTTP), so it runs on an executor: the one given, or
 * a small daemon pool this authenticator owns and shuts down in {@link #close()}. With local keys it runs on the
 * caller's thread (no I/O).
 */
public final class JwtAuthenticator implements Authenticator, AutoCloseable {
    /** The {@link Principal#method()} of principals this authenticator proves. */
    public static final String METHOD = "jwt";

    private static final Logger LOG = LoggerFactory.getLogger(JwtAuthenticator.class.getPackageName());
    private static final int OWN_THREADS = 2;

    private final JwtOptions settings;
    private final JWKSource<SecurityContext> keys;
    private final DefaultJWTProcessor<SecurityContext> processor;
    private final Set<JWSAlgorithm> algorithms;
    private final Executor executor;
    private final ExecutorService ownExecutor;

    /**
     * An authenticator that runs JWKS fetches on a daemon pool of its own (closed by {@link #close()}).
     *
     * @throws IOException when a local key file cannot be read or parsed
     */
    public JwtAuthenticator(JwtOptions settings) throws IOException {
        this(settings, null);
    }

    /**
     * An authenticator that checks tokens needing a JWKS endpoint on {@code executor} (not shut down by
     * {@link #close()}); null for a pool of its own.
     *
     * @throws IOException when a local key file cannot be read or parsed
     */
    public JwtAuthenticator(JwtOptions settings, Executor executor) throws IOException {
        this.settings = settings;
        this.algorithms = settings.jwsAlgorithms();
        if (settings.jwksUri() != null) {
            this.keys = remoteKeys(settings);
            this.ownExecutor = executor == null ? Executors.newFixedThreadPool(OWN_THREADS, daemonThreads()) : null;
            this.executor = executor == null ? ownExecutor : executor;
        } else {
            this.keys = new ImmutableJWKSet<>(settings.jwksFile() != null ? readJwks(settings) : readPem(settings));
            this.ownExecutor = null;
            this.executor = null;
        }
        this.processor = new DefaultJWTProcessor<>();
        processor.setJWSTypeVerifier(new DefaultJOSEObjectTypeVerifier<>(
                JOSEObjectType.JWT, new JOSEObjectType("at+jwt"), new JOSEObjectType("application/at+jwt"), null));
        processor.setJWSKeySelector(
                new KeySelector(algorithms, keys, settings.publicKeyPem() != null && settings.publicKeyId() == null));
        processor.setJWSVerifierFactory(new VerifierFactory());
        processor.setJWTClaimsSetVerifier(new ClaimsVerifier(settings));
    }

    public JwtOptions settings() {
        return settings;
    }

    @Override
    public CompletionStage<Optional<Principal>> authenticate(Credentials credentials) {
        String token = credentials.bearerToken();
        if (token == null || !looksLikeJws(token)) {
            return CompletableFuture.completedFuture(Optional.empty());
        }
        if (executor == null) {
            try {
                return CompletableFuture.completedFuture(Optional.of(verify(token)));
            } catch (AuthenticationException e) {
                return CompletableFuture.failedFuture(e);
            } catch (RuntimeException e) {
                return CompletableFuture.failedFuture(refused("token verification failed", e));
            }
        }
        CompletableFuture<Optional<Principal>> result = new CompletableFuture<>();
        try {
            executor.execute(() -> {
                try {
                    result.complete(Optional.of(verify(token)));
                } catch (AuthenticationException e) {
                    result.completeExceptionally(e);
                } catch (RuntimeException | Error e) {
                    result.completeExceptionally(refused("token verification failed", e));
                }
            });
        } catch (RejectedExecutionException e) {
            result.completeExceptionally(new AuthenticationException("token verification unavailable"));
        }
        return result;
    }

    /**
     * True when every part of the compact JWS is base64url exactly as its bytes encode (RFC 7515 §2: no padding, and
     * the unused bits of the last character zero). The parser would accept the 16 spellings of a signature's last
     * character: one token would then have many strings, and anything keyed on the string (a revocation list, the
     * audit log) could be sidestepped. Found by JwtAuthenticatorFuzzTest.
     */
    static boolean canonicalBase64Url(String token) {
        java.util.Base64.Decoder decoder = java.util.Base64.getUrlDecoder();
        java.util.Base64.Encoder encoder = java.util.Base64.getUrlEncoder().withoutPadding();
        for (String part : token.split("\\.", -1)) {
            try {
                if (!encoder.encodeToString(decoder.decode(part)).equals(part)) {
                    return false;
                }
            } catch (IllegalArgumentException e) {
                return false;
            }
        }
        return true;
    }

    /**
     * Checks a JWT on the calling thread (which may block on a JWKS fetch) and returns its principal.
     *
     * @throws AuthenticationException when the token is refused
     */
    public Principal verify(String token) {
        TokenSize.check(token, settings.maxTokenBytes());
        if (!canonicalBase64Url(token)) {
            throw new AuthenticationException("malformed token");
        }
        JWT jwt;
        try {
            jwt = JWTParser.parse(token);
        } catch (ParseException | RuntimeException e) {
            throw refused("malformed token", e);
        }
        if (jwt instanceof PlainJWT || !(jwt instanceof SignedJWT signed)) {
            throw new AuthenticationException("algorithm not allowed");
        }
        if (!algorithms.contains(signed.getHeader().getAlgorithm())) {
            throw new AuthenticationException("algorithm not allowed");
        }
        JWTClaimsSet claims;
        try {
            claims = processor.process(signed, null);
        } catch (ClaimRejected e) {
            throw refused(e.getMessage(), e);
        } catch (UnknownKey | RateLimitReachedException e) {
            throw refused("unknown signing key", e);
        } catch (KeySourceException e) {
            throw refused("signing keys unavailable", e);
        } catch (BadJWSException e) {
            throw refused("bad signature", e);
        } catch (BadJOSEException | JOSEException | RuntimeException e) {
            throw refused("malformed token", e);
        }
        Map<String, Object> json = plainJson(claims.toJSONObject());
        Date exp = claims.getExpirationTime();
        // The session lives as long as the token is accepted: exp plus the skew, the same cut-off as the check above.
        return new Principal(
                claims.getSubject(),
                settings.roles().roles(json),
                json,
                METHOD,
                exp == null ? null : exp.toInstant().plus(settings.clockSkew()));
    }

    private static AuthenticationException refused(String message, Throwable cause) {
        LOG.atDebug()
                .setMessage(() -> "JWT refused (" + message + "): " + cause)
                .log();
        return new AuthenticationException(message);
    }

    /** Shuts the owned executor down and stops background JWKS refreshes. */
    @Override
    public void close() {
        if (keys instanceof Closeable closeable) {
            try {
                closeable.close();
            } catch (IOException e) {
                LOG.debug("closing the JWKS source", e);
            }
        }
        if (ownExecutor != null) {
            ownExecutor.shutdownNow();
        }
    }

    /**
     * The JWS compact form's shape: three parts of base64url characters separated by two dots, the first two
     * non-empty (the last is empty in an {@code alg: none} token, which is then refused as ours rather than passed on).
     */
    static boolean looksLikeJws(String token) {
        int dots = 0;
        int partLength = 0;
        for (int i = 0; i < token.length(); i++) {
            char c = token.charAt(i);
            if (c == '.') {
                if (partLength == 0 || ++dots > 2) {
                    return false;
                }
                partLength = 0;
            } else if ((c >= 'A' && c <= 'Z')
                    || (c >= 'a' && c <= 'z')
                    || (c >= '0' && c <= '9')
                    || c == '-'
                    || c == '_') {
                partLength++;
            } else {
                return false;
            }
        }
        return dots == 2;
    }

    /** JSON values as JDK types only: String, Number, Boolean, List, Map (and null). */
    static Map<String, Object> plainJson(Map<String, ?> map) {
        Map<String, Object> copy = new LinkedHashMap<>();
        map.forEach((k, v) -> copy.put(k, plainValue(v)));
        return Collections.unmodifiableMap(copy);
    }

    private static Object plainValue(Object v) {
        if (v == null || v instanceof String || v instanceof Boolean || v instanceof Number) {
            return v;
        }
        if (v instanceof Date d) {
            return d.getTime() / 1000;
        }
        if (v instanceof Instant i) {
            return i.getEpochSecond();
        }
        if (v instanceof Map<?, ?> m) {
            Map<String, Object> copy = new LinkedHashMap<>();
            m.forEach((k, x) -> copy.put(String.valueOf(k), plainValue(x)));
            return Collections.unmodifiableMap(copy);
        }
        if (v instanceof Collection<?> c) {
            List<Object> copy = new ArrayList<>(c.size());
            c.forEach(x -> copy.add(plainValue(x)));
            return Collections.unmodifiableList(copy);
        }
        if (v instanceof Object[] a) {
            return plainValue(List.of(a));
        }
        return v.toString();
    }

    private static JWKSource<SecurityContext> remoteKeys(JwtOptions s) {
        int connect = (int) s.httpConnectTimeout().toMillis();
        int read = (int) s.httpReadTimeout().toMillis();
        try {
            return JWKSourceBuilder.<SecurityContext>create(
                            s.jwksUri().toURL(), new DefaultResourceRetriever(connect, read, s.jwksMaxBytes()))
                    .cache(s.jwksCacheTtl().toMillis(), (long) connect + read)
                    .refreshAheadCache(s.jwksRefreshAhead().toMillis(), false)
                    .rateLimited(s.jwksRateLimit().toMillis())
                    .retrying(false)
                    .build();
        } catch (MalformedURLException e) {
            throw new IllegalArgumentException("bad jwksUri", e);
        }
    }

    private static JWKSet readJwks(JwtOptions s) throws IOException {
        try {
            JWKSet set = JWKSet.parse(Files.readString(s.jwksFile()));
            for (JWK jwk : set.getKeys()) {
                if (jwk.isPrivate()) {
                    LOG.warn("JWKS file {} holds private keys; only their public parts are used", s.jwksFile());
                    break;
                }
            }
            return set.toPublicJWKSet();
        } catch (ParseException e) {
            throw new IOException("JWKS file " + s.jwksFile() + " is not a valid JWK set: " + e.getMessage(), e);
        }
    }

    private static JWKSet readPem(JwtOptions s) throws IOException {
        String pem = Files.readString(s.publicKeyPem(), StandardCharsets.US_ASCII);
        int begin = pem.indexOf("-----BEGIN PUBLIC KEY-----");
        int end = pem.indexOf("-----END PUBLIC KEY-----");
        if (begin < 0 || end < begin) {
            throw new IOException(s.publicKeyPem() + " holds no PEM 'PUBLIC KEY'");
        }
        byte[] der;
        try {
            der = Base64.getMimeDecoder().decode(pem.substring(begin + 26, end));
        } catch (IllegalArgumentException e) {
            throw new IOException(s.publicKeyPem() + ": bad base64 in PEM", e);
        }
        PublicKey key = null;
        for (String type : List.of("RSA", "EC", "Ed25519")) {
            try {
                key = KeyFactory.getInstance(type).generatePublic(new X509EncodedKeySpec(der));
                break;
            } catch (GeneralSecurityException e) {
                // try the next type
            }
        }
        JWK jwk;
        if (key instanceof RSAPublicKey rsa) {
            jwk = new RSAKey.Builder(rsa)
                    .keyUse(KeyUse.SIGNATURE)
                    .keyID(s.publicKeyId())
                    .build();
        } else if (key instanceof ECPublicKey ec) {
            Curve curve = Curve.forECParameterSpec(ec.getParams());
            if (curve == null) {
                throw new IOException(s.publicKeyPem() + ": unsupported EC curve");
            }
            jwk = new ECKey.Builder(curve, ec)
                    .keyUse(KeyUse.SIGNATURE)
                    .keyID(s.publicKeyId())
                    .build();
        } else if (key instanceof EdECPublicKey ed) {
            jwk = Ed25519Jdk.jwk(ed)
                    .keyUse(KeyUse.SIGNATURE)
                    .keyID(s.publicKeyId())
                    .build();
        } else {
            throw new IOException(s.publicKeyPem() + ": not an RSA, EC or Ed25519 public key");
        }
        return new JWKSet(jwk);
    }

    private static ThreadFactory daemonThreads() {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, "vstp-jwt-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }

    /** No configured key matches the token's header. */
    static final class UnknownKey extends KeySourceException {
        private static final long serialVersionUID = 1L;

        UnknownKey() {
            super("no matching key");
        }
    }

    /** A claims check failed; the message is fit for the peer. */
    static final class ClaimRejected extends BadJWTException {
        private static final long serialVersionUID = 1L;

        ClaimRejected(String message) {
            super(message);
        }
    }

    /**
     * Picks the keys that may have signed a token: of the algorithm's key type (and curve), meant for signatures,
     * with the token's {@code kid} unless {@code anyKid}. RSA and EC go through nimbus's
     * {@link JWSVerificationKeySelector}; Ed25519 keys are converted here (nimbus cannot).
     */
    private static final class KeySelector implements JWSKeySelector<SecurityContext> {
        private final Set<JWSAlgorithm> algorithms;
        private final JWKSource<SecurityContext> source;
        private final boolean anyKid;
        private final JWSVerificationKeySelector<SecurityContext> nimbus;

        KeySelector(Set<JWSAlgorithm> algorithms, JWKSource<SecurityContext> source, boolean anyKid) {
            this.algorithms = algorithms;
            this.source = source;
            this.anyKid = anyKid;
            Set<JWSAlgorithm> nonEd = new HashSet<>(algorithms);
            nonEd.remove(JWSAlgorithm.EdDSA);
            this.nimbus = nonEd.isEmpty() ? null : new JWSVerificationKeySelector<>(nonEd, source);
        }

        @Override
        public List<? extends Key> selectJWSKeys(JWSHeader header, SecurityContext context) throws KeySourceException {
            JWSAlgorithm alg = header.getAlgorithm();
            if (!algorithms.contains(alg)) {
                return List.of();
            }
            List<Key> found = new ArrayList<>();
            if (!JWSAlgorithm.EdDSA.equals(alg) && !anyKid) {
                found.addAll(nimbus.selectJWSKeys(header, context));
            } else {
                JWKMatcher.Builder matcher = new JWKMatcher.Builder()
                        .keyType(KeyType.forAlgorithm(alg))
                        .keyUses(KeyUse.SIGNATURE, null)
                        .algorithms(alg, null);
                if (JWSAlgorithm.EdDSA.equals(alg)) {
                    matcher.curves(Curve.Ed25519);
                } else if (JWSAlgorithm.Family.EC.contains(alg)) {
                    matcher.curves(Curve.forJWSAlgorithm(alg));
                }
                if (!anyKid) {
                    matcher.keyID(header.getKeyID());
                }
                for (JWK jwk : source.get(new JWKSelector(matcher.build()), context)) {
                    try {
                        if (jwk instanceof OctetKeyPair okp) {
                            found.add(Ed25519Jdk.publicKey(okp));
                        } else if (jwk instanceof RSAKey rsa) {
                            found.add(rsa.toPublicKey());
                        } else if (jwk instanceof ECKey ec) {
                            found.add(ec.toPublicKey());
                        }
                    } catch (GeneralSecurityException | JOSEException e) {
                        LOG.atDebug()
                                .setMessage(() -> "unusable key " + jwk.getKeyID() + ": " + e)
                                .log();
                    }
                }
            }
            if (found.isEmpty()) {
                throw new UnknownKey();
            }
            return found;
        }
    }

    /** nimbus's verifiers, plus Ed25519 from the JDK. */
    private static final class VerifierFactory implements JWSVerifierFactory {
        private final DefaultJWSVerifierFactory nimbus = new DefaultJWSVerifierFactory();

        @Override
        public JWSVerifier createJWSVerifier(JWSHeader header, Key key) throws JOSEException {
            if (JWSAlgorithm.EdDSA.equals(header.getAlgorithm())) {
                if (!(key instanceof EdECPublicKey)) {
                    throw new JOSEException("EdDSA needs an Ed25519 key");
                }
                return new Ed25519Jdk.Verifier((PublicKey) key);
            }
            return nimbus.createJWSVerifier(header, key);
        }

        @Override
        public Set<JWSAlgorithm> supportedJWSAlgorithms() {
            Set<JWSAlgorithm> all = new HashSet<>(nimbus.supportedJWSAlgorithms());
            all.add(JWSAlgorithm.EdDSA);
            return all;
        }

        @Override
        public JCAContext getJCAContext() {
            return nimbus.getJCAContext();
        }
    }

    /**
     * Checks exp (required), nbf, iss, aud, sub and the extra required claims with peer-fit messages, then lets
     * nimbus's {@link DefaultJWTClaimsVerifier} check the same again as a backstop.
     */
    private static final class ClaimsVerifier extends DefaultJWTClaimsVerifier<SecurityContext> {
        private final JwtOptions settings;

        ClaimsVerifier(JwtOptions s) {
            super(
                    Set.of(s.audience()),
                    new JWTClaimsSet.Builder().issuer(s.issuer()).build(),
                    required(s),
                    null);
            this.settings = s;
            setMaxClockSkew((int) Math.min(Integer.MAX_VALUE, s.clockSkew().toSeconds()));
        }

        private static Set<String> required(JwtOptions s) {
            Set<String> required = new HashSet<>(s.requiredClaims());
            required.addAll(List.of("iss", "aud", "sub", "exp"));
            return required;
        }

        @Override
        protected Date currentTime() {
            return Date.from(settings.clock().instant());
        }

        @Override
        public void verify(JWTClaimsSet claims, SecurityContext context) throws BadJWTException {
            Instant now = settings.clock().instant();
            Date exp = claims.getExpirationTime();
            if (exp == null) {
                throw new ClaimRejected("token has no expiry");
            }
            if (!exp.toInstant().plus(settings.clockSkew()).isAfter(now)) {
                throw new ClaimRejected("token expired");
            }
            Date nbf = claims.getNotBeforeTime();
            if (nbf != null && nbf.toInstant().minus(settings.clockSkew()).isAfter(now)) {
                throw new ClaimRejected("token not yet valid");
            }
            if (!settings.issuer().equals(claims.getIssuer())) {
                throw new ClaimRejected("untrusted issuer");
            }
            if (claims.getAudience() == null || !claims.getAudience().contains(settings.audience())) {
                throw new ClaimRejected("wrong audience");
            }
            if (claims.getSubject() == null || claims.getSubject().isBlank()) {
                throw new ClaimRejected("token has no subject");
            }
            for (String name : settings.requiredClaims()) {
                if (claims.getClaim(name) == null) {
                    throw new ClaimRejected("token lacks a required claim");
                }
            }
            try {
                super.verify(claims, context);
            } catch (BadJWTException e) {
                LOG.atDebug()
                        .setMessage(() -> "JWT claims refused: " + e.getMessage())
                        .log();
                throw new ClaimRejected("token claims rejected");
            }
        }
    }
}
