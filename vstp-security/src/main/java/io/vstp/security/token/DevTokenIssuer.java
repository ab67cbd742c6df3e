package io.vstp.security.token;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermissions;
import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Date;
import java.util.Objects;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * <b>DEVELOPMENT ONLY.</b> Issues ES256 JWTs for trying a server out and for tests, with a key kept in a local file;
 * production tokens come from a real identity provider. A server trusts these tokens only when configured with the
 * public JWKS this class writes ({@link #writeJwks}) and its issuer and audience.
 *
 * <p>The key is an EC P-256 private JWK (kid {@value #KEY_ID}) in a JSON file created, when missing, with mode 0600
 * on POSIX file systems. Tokens carry {@code iss}, {@code aud}, {@code sub}, {@code roles} (a JSON array), {@code iat},
 * {@code nbf}, {@code exp} and a random {@code jti}.
 */
public final class DevTokenIssuer {
    /** The {@code kid} of the development key. */
    public static final String KEY_ID = "vstp-dev-es256";

    public static final String DEFAULT_ISSUER = "vstp-dev";
    public static final String DEFAULT_AUDIENCE = "vstp";
    public static final Duration DEFAULT_TTL = Duration.ofHours(1);
    /** The claim that carries the roles. */
    public static final String ROLES_CLAIM = "roles";
    /** What a tool that uses this class should print beside its output. */
    public static final String WARNING =
            "DEVELOPMENT ONLY: token signed with a local development key; " + "do not use in production";

    private static final Logger LOG = LoggerFactory.getLogger(DevTokenIssuer.class.getPackageName());

    private final Path keyFile;
    private final ECKey key;
    private final boolean created;
    private final Clock clock;

    private DevTokenIssuer(Path keyFile, ECKey key, boolean created, Clock clock) {
        this.keyFile = keyFile;
        this.key = key;
        this.created = created;
        this.clock = clock;
    }

    /**
     * Loads the private key from {@code keyFile}, or makes one and writes it there (mode 0600 on POSIX; parent
     * directories are created).
     *
     * @throws IOException when the file cannot be read or written, or does not hold an EC P-256 private JWK
     */
    public static DevTokenIssuer loadOrCreate(Path keyFile) throws IOException {
        return loadOrCreate(keyFile, Clock.systemUTC());
    }

    /** As {@link #loadOrCreate(Path)}, with the clock that dates tokens. */
    public static DevTokenIssuer loadOrCreate(Path keyFile, Clock clock) throws IOException {
        Objects.requireNonNull(clock, "clock");
        if (Files.exists(keyFile)) {
            return new DevTokenIssuer(keyFile, read(keyFile), false, clock);
        }
        ECKey key;
        try {
            key = new ECKeyGenerator(Curve.P_256)
                    .keyID(KEY_ID)
                    .keyUse(KeyUse.SIGNATURE)
                    .algorithm(JWSAlgorithm.ES256)
                    .generate();
        } catch (JOSEException e) {
            throw new IOException("cannot generate an EC P-256 key", e);
        }
        Path parent = keyFile.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        try {
            if (parent != null
                    && Files.getFileAttributeView(parent, java.nio.file.attribute.PosixFileAttributeView.class)
                            != null) {
                FileAttribute<?> ownerOnly =
                        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------"));
                Files.createFile(keyFile, ownerOnly);
            } else {
                Files.createFile(keyFile);
            }
        } catch (FileAlreadyExistsException e) {
            return new DevTokenIssuer(keyFile, read(keyFile), false, clock);
        }
        Files.writeString(
                keyFile, key.toJSONString() + "\n", StandardCharsets.UTF_8, StandardOpenOption.TRUNCATE_EXISTING);
        LOG.warn("DEVELOPMENT ONLY: created a development signing key in {}", keyFile);
        return new DevTokenIssuer(keyFile, key, true, clock);
    }

    private static ECKey read(Path keyFile) throws IOException {
        try {
            JWK jwk = JWK.parse(Files.readString(keyFile, StandardCharsets.UTF_8));
            if (!(jwk instanceof ECKey ec) || !ec.isPrivate() || !Curve.P_256.equals(ec.getCurve())) {
                throw new IOException(keyFile + " does not hold an EC P-256 private JWK");
            }
            return ec;
        } catch (ParseException e) {
            throw new IOException(keyFile + " does not hold a JWK: " + e.getMessage(), e);
        }
    }

    /** The file that holds the private key. */
    public Path keyFile() {
        return keyFile;
    }

    /** True when {@link #loadOrCreate} made the key now rather than loading it. */
    public boolean created() {
        return created;
    }

    /** The {@code kid} of the key (the file's, normally {@value #KEY_ID}). */
    public String keyId() {
        return key.getKeyID();
    }

    /** The public JWKS (one key) as JSON, for a server's {@code jwksFile}. */
    public String publicJwks() {
        return new JWKSet(key.toPublicJWK()).toString(true);
    }

    /** Writes {@link #publicJwks()} to {@code jwksFile} (replacing it; parent directories are created). */
    public void writeJwks(Path jwksFile) throws IOException {
        Path parent = jwksFile.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        Files.writeString(jwksFile, publicJwks() + "\n", StandardCharsets.UTF_8);
    }

    /** A token for {@code subject} with {@code roles}, the default issuer, audience and lifetime. */
    public String issue(String subject, Collection<String> roles) {
        return issue(subject, roles, DEFAULT_ISSUER, DEFAULT_AUDIENCE, DEFAULT_TTL);
    }

    /**
     * A signed token (JWS compact form).
     *
     * @param subject  the {@code sub}
     * @param roles    the {@code roles} array (may be empty)
     * @param issuer   the {@code iss}
     * @param audience the {@code aud}
     * @param ttl      the time from now to {@code exp} (positive)
     */
    public String issue(String subject, Collection<String> roles, String issuer, String audience, Duration ttl) {
        Objects.requireNonNull(subject, "subject");
        Objects.requireNonNull(issuer, "issuer");
        Objects.requireNonNull(audience, "audience");
        if (ttl.isNegative() || ttl.isZero()) {
            throw new IllegalArgumentException("ttl must be positive");
        }
        Instant now = clock.instant();
        JWTClaimsSet claims = new JWTClaimsSet.Builder()
                .issuer(issuer)
                .audience(audience)
                .subject(subject)
                .claim(ROLES_CLAIM, new ArrayList<>(roles))
                .issueTime(Date.from(now))
                .notBeforeTime(Date.from(now))
                .expirationTime(Date.from(now.plus(ttl)))
                .jwtID(UUID.randomUUID().toString())
                .build();
        SignedJWT jwt = new SignedJWT(
                new JWSHeader.Builder(JWSAlgorithm.ES256)
                        .keyID(key.getKeyID())
                        .type(JOSEObjectType.JWT)
                        .build(),
                claims);
        try {
            jwt.sign(new ECDSASigner(key));
        } catch (JOSEException e) {
            throw new IllegalStateException("cannot sign with the development key", e);
        }
        return jwt.serialize();
    }

    @Override
    public String toString() {
        return "DevTokenIssuer[DEVELOPMENT ONLY, key " + key.getKeyID() + " in " + keyFile + "]";
    }
}
