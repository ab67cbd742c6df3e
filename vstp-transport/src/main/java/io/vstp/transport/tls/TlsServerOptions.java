package io.vstp.transport.tls;

import io.vstp.transport.internal.HomeDirectory;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * How a VSTP server sets up TLS. Immutable; build with {@link #builder()}.
 *
 * <p>Two ways to get a certificate:
 * <ul>
 *   <li><b>Self-signed</b> (the default, {@link #defaults()}): generated on first start under
 *       {@code <home>/tls/} and reused afterwards. Clients trust it on first use or by its fingerprint.
 *   <li><b>Configured</b>: {@link Builder#certificateChainFile(Path)} and {@link Builder#privateKeyFile(Path)},
 *       PEM, leaf first. Replacing the files takes effect for new connections without a restart
 *       (checked at most every {@link #reloadCheckInterval()}).
 * </ul>
 * Either way, {@link Builder#clientCaFile(Path)} turns on mutual TLS: every client must present a certificate
 * issued by one of the CAs in that PEM file.
 *
 * <p>Session tickets (TLS 1.3 resumption) are sealed with keys the server rotates every
 * {@link #sessionTicketKeyRotation()}; see {@link Builder#sessionTicketKeyRotation(Duration)}.
 */
public final class TlsServerOptions {
    /** 825 days: the longest validity Apple platforms accept for a TLS server certificate. */
    public static final Duration DEFAULT_SELF_SIGNED_VALIDITY = Duration.ofDays(825);
    /** Once a second is cheap (a few {@code stat} calls) and fast enough for certificate rotation. */
    public static final Duration DEFAULT_RELOAD_CHECK_INTERVAL = Duration.ofSeconds(1);
    /**
     * An hour: a stolen ticket key opens only the tickets sealed in that hour, while clients that reconnect
     * within the hour still resume instead of making a full handshake.
     */
    public static final Duration DEFAULT_SESSION_TICKET_KEY_ROTATION = Duration.ofHours(1);
    /** Shorter periods would make tickets nearly useless and wake the event loop for nothing. */
    public static final Duration MIN_SESSION_TICKET_KEY_ROTATION = Duration.ofSeconds(1);

    private final Path home;
    private final Path certificateChainFile;
    private final Path privateKeyFile;
    private final Path clientCaFile;
    private final TlsProvider provider;
    private final List<String> cipherSuites;
    private final List<String> groups;
    private final Duration selfSignedValidity;
    private final Set<String> selfSignedNames;
    private final Duration reloadCheckInterval;
    private final Duration sessionTicketKeyRotation;

    private TlsServerOptions(Builder builder) {
        this.home = builder.home != null ? builder.home.toAbsolutePath() : HomeDirectory.resolve();
        this.certificateChainFile = builder.certificateChainFile;
        this.privateKeyFile = builder.privateKeyFile;
        this.clientCaFile = builder.clientCaFile;
        this.provider = builder.provider;
        this.cipherSuites = List.copyOf(builder.cipherSuites);
        this.groups = List.copyOf(builder.groups);
        this.selfSignedValidity = builder.selfSignedValidity;
        this.selfSignedNames = Collections.unmodifiableSet(new LinkedHashSet<>(builder.selfSignedNames));
        this.reloadCheckInterval = builder.reloadCheckInterval;
        this.sessionTicketKeyRotation = builder.sessionTicketKeyRotation;
    }

    /** A self-signed certificate under the default home ({@code -Dvstp.home}, {@code $VSTP_HOME}, {@code ~/.vstp}). */
    public static TlsServerOptions defaults() {
        return builder().build();
    }

    public static Builder builder() {
        return new Builder();
    }

    public Builder toBuilder() {
        Builder builder = new Builder();
        builder.home = home;
        builder.certificateChainFile = certificateChainFile;
        builder.privateKeyFile = privateKeyFile;
        builder.clientCaFile = clientCaFile;
        builder.provider = provider;
        builder.cipherSuites = cipherSuites;
        builder.groups = groups;
        builder.selfSignedValidity = selfSignedValidity;
        builder.selfSignedNames.addAll(selfSignedNames);
        builder.reloadCheckInterval = reloadCheckInterval;
        builder.sessionTicketKeyRotation = sessionTicketKeyRotation;
        return builder;
    }

    /** The VSTP home directory; the self-signed certificate lives in {@code <home>/tls/}. */
    public Path home() {
        return home;
    }

    /** Whether the server makes and keeps its own certificate (no certificate files configured). */
    public boolean isSelfSigned() {
        return certificateChainFile == null;
    }

    public Optional<Path> certificateChainFile() {
        return Optional.ofNullable(certificateChainFile);
    }

    public Optional<Path> privateKeyFile() {
        return Optional.ofNullable(privateKeyFile);
    }

    /** The CAs that issue client certificates; when present, clients without one are refused. */
    public Optional<Path> clientCaFile() {
        return Optional.ofNullable(clientCaFile);
    }

    /** The provider set here; empty means {@link TlsProvider chosen at startup}. */
    public Optional<TlsProvider> provider() {
        return Optional.ofNullable(provider);
    }

    /** The TLS 1.3 suites accepted; empty (the default) accepts the provider's own list. */
    public List<String> cipherSuites() {
        return cipherSuites;
    }

    /** The key-exchange groups offered with the OpenSSL provider, most preferred first. */
    public List<String> groups() {
        return groups;
    }

    public Duration selfSignedValidity() {
        return selfSignedValidity;
    }

    /** Names added to a generated certificate besides localhost, 127.0.0.1, ::1 and the machine's host name. */
    public Set<String> selfSignedNames() {
        return selfSignedNames;
    }

    public Duration reloadCheckInterval() {
        return reloadCheckInterval;
    }

    /**
     * How often the server replaces its session-ticket key ({@link Builder#sessionTicketKeyRotation(Duration)});
     * zero leaves the keys to the TLS library.
     */
    public Duration sessionTicketKeyRotation() {
        return sessionTicketKeyRotation;
    }

    /** {@code <home>/tls/server-cert.pem}. */
    public Path selfSignedCertificateFile() {
        return home.resolve("tls").resolve(SelfSignedCertificates.CERTIFICATE_FILE);
    }

    /** {@code <home>/tls/server-key.pem}. */
    public Path selfSignedKeyFile() {
        return home.resolve("tls").resolve(SelfSignedCertificates.KEY_FILE);
    }

    @Override
    public String toString() {
        return "TlsServerOptions[home=" + home
                + (isSelfSigned()
                        ? ", self-signed"
                        : ", certificate=" + certificateChainFile + ", key=" + privateKeyFile)
                + (clientCaFile != null ? ", clientCa=" + clientCaFile : "")
                + (provider != null ? ", provider=" + provider.displayName() : "")
                + (cipherSuites.isEmpty() ? "" : ", cipherSuites=" + cipherSuites)
                + ", sessionTicketKeyRotation=" + sessionTicketKeyRotation + "]";
    }

    public static final class Builder {
        private Path home;
        private Path certificateChainFile;
        private Path privateKeyFile;
        private Path clientCaFile;
        private TlsProvider provider;
        private List<String> cipherSuites = List.of();
        private List<String> groups = TlsProtocols.DEFAULT_GROUPS;
        private Duration selfSignedValidity = DEFAULT_SELF_SIGNED_VALIDITY;
        private final Set<String> selfSignedNames = new LinkedHashSet<>();
        private Duration reloadCheckInterval = DEFAULT_RELOAD_CHECK_INTERVAL;
        private Duration sessionTicketKeyRotation = DEFAULT_SESSION_TICKET_KEY_ROTATION;

        private Builder() {}

        /** The VSTP home directory, instead of {@code -Dvstp.home}, {@code $VSTP_HOME} or {@code ~/.vstp}. */
        public Builder home(Path home) {
            this.home = home;
            return this;
        }

        /** PEM certificate chain, leaf first; set together with {@link #privateKeyFile(Path)}. */
        public Builder certificateChainFile(Path file) {
            this.certificateChainFile = file;
            return this;
        }

        /** PEM private key (PKCS#8, PKCS#1 or SEC1, unencrypted) of the chain's leaf. */
        public Builder privateKeyFile(Path file) {
            this.privateKeyFile = file;
            return this;
        }

        /** PEM file of the CAs whose client certificates are accepted; requires every client to present one. */
        public Builder clientCaFile(Path file) {
            this.clientCaFile = file;
            return this;
        }

        /**
         * Accepts only these TLS 1.3 suites (IANA names). Needs the JDK provider, as for
         * {@link TlsClientOptions.Builder#cipherSuites}: {@link ServerTls#create} refuses it with BoringSSL. In FIPS
         * mode only {@link TlsProtocols#FIPS_CIPHER_SUITES} may be named.
         */
        public Builder cipherSuites(List<String> suites) {
            this.cipherSuites = List.copyOf(suites);
            return this;
        }

        /**
         * Key-exchange groups (default {@link TlsProtocols#DEFAULT_GROUPS}: the post-quantum hybrid first, then
         * classical ones). BoringSSL names, case-sensitive: {@code X25519MLKEM768}, {@code X25519}, {@code P-256}.
         * Used with the OpenSSL provider; the JDK provider keeps its own list. In FIPS mode the groups are
         * {@link TlsProtocols#FIPS_GROUPS}, and naming another is refused.
         */
        public Builder groups(List<String> groups) {
            if (groups.isEmpty()) {
                throw new IllegalArgumentException("at least one key-exchange group");
            }
            this.groups = List.copyOf(groups);
            return this;
        }

        /** Forces a TLS provider; null (the default) chooses as {@link TlsProvider} describes. */
        public Builder provider(TlsProvider provider) {
            this.provider = provider;
            return this;
        }

        public Builder selfSignedValidity(Duration validity) {
            this.selfSignedValidity = Objects.requireNonNull(validity, "validity");
            return this;
        }

        /** Adds a DNS name or IP address to a generated certificate (e.g. the name clients dial). */
        public Builder selfSignedName(String name) {
            this.selfSignedNames.add(Objects.requireNonNull(name, "name"));
            return this;
        }

        /** How often, at most, {@link ServerTls#newHandler} looks at configured files for changes; zero: always. */
        public Builder reloadCheckInterval(Duration interval) {
            this.reloadCheckInterval = Objects.requireNonNull(interval, "interval");
            return this;
        }

        /**
         * How often the server replaces the key that seals TLS session tickets (default
         * {@link #DEFAULT_SESSION_TICKET_KEY_ROTATION}, at least {@link #MIN_SESSION_TICKET_KEY_ROTATION}). With
         * the OpenSSL provider, at each rotation a new random key seals the tickets issued from then on, the
         * previous key still opens the tickets it sealed for one more period, and the key before that is
         * dropped: a ticket resumes for one to two periods after it was issued, then the client makes a full
         * handshake. A leaked key opens only the tickets sealed during its own period.
         *
         * <p>{@link Duration#ZERO} leaves ticket keys to BoringSSL, which makes its own and replaces them every
         * two days. The JDK provider always manages its own keys (replaced every
         * {@code jdk.tls.server.statelessKeyTimeout}, one hour by default) and ignores this setting;
         * {@link ServerTls#sessionTicketKeyRotation()} says which applies.
         */
        public Builder sessionTicketKeyRotation(Duration period) {
            this.sessionTicketKeyRotation = Objects.requireNonNull(period, "period");
            return this;
        }

        /** @throws TlsConfigException if only one of certificate and key file is set, or a duration is out of range */
        public TlsServerOptions build() {
            if ((certificateChainFile == null) != (privateKeyFile == null)) {
                throw new TlsConfigException("set both the certificate chain file and the private key file, or "
                        + "neither (for a self-signed certificate); got certificate=" + certificateChainFile
                        + ", key=" + privateKeyFile);
            }
            if (selfSignedValidity.isNegative() || selfSignedValidity.isZero()) {
                throw new TlsConfigException("self-signed validity must be positive, got " + selfSignedValidity);
            }
            if (reloadCheckInterval.isNegative()) {
                throw new TlsConfigException("reload check interval must not be negative, got " + reloadCheckInterval);
            }
            if (!sessionTicketKeyRotation.isZero()
                    && sessionTicketKeyRotation.compareTo(MIN_SESSION_TICKET_KEY_ROTATION) < 0) {
                throw new TlsConfigException("session ticket key rotation must be zero (the TLS library's own keys) "
                        + "or at least " + MIN_SESSION_TICKET_KEY_ROTATION.toSeconds() + " s, got "
                        + sessionTicketKeyRotation);
            }
            return new TlsServerOptions(this);
        }
    }
}
