package io.vstp.transport.tls;

import io.vstp.transport.internal.HomeDirectory;
import java.nio.file.Path;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * How a VSTP client decides whether to trust a server, and which certificate it shows for mutual TLS.
 * Immutable; build with {@link #builder()}.
 *
 * <p>A server certificate is accepted, in this order of checks:
 * <ol>
 *   <li>never if the leaf certificate is expired or not yet valid;
 *   <li>if {@link #pinnedFingerprints() pins} are configured: exactly when the leaf matches one of them (nothing
 *       else is consulted);
 *   <li>if it chains to a trusted CA (the system trust store unless {@link Builder#trustSystemCertificates
 *       switched off}, plus {@link #caFile()}): when it also names the dialled host (as for HTTPS);
 *   <li>otherwise by {@link #knownHostsFile() known_hosts}: accepted if the line for {@code host:port} matches,
 *       refused if it differs, and if there is no line, recorded and accepted when {@link #trustOnFirstUse()}
 *       (the default) or refused when not.
 * </ol>
 */
public final class TlsClientOptions {
    private final Path home;
    private final Path knownHostsFile;
    private final boolean trustOnFirstUse;
    private final boolean trustSystemCertificates;
    private final Path caFile;
    private final Set<String> pinnedFingerprints;
    private final Path certificateChainFile;
    private final Path privateKeyFile;
    private final TlsProvider provider;
    private final List<String> cipherSuites;
    private final List<String> groups;

    private TlsClientOptions(Builder builder) {
        this.home = builder.home != null ? builder.home.toAbsolutePath() : HomeDirectory.resolve();
        this.knownHostsFile =
                builder.knownHostsFile != null ? builder.knownHostsFile.toAbsolutePath() : home.resolve("known_hosts");
        this.trustOnFirstUse = builder.trustOnFirstUse;
        this.trustSystemCertificates = builder.trustSystemCertificates;
        this.caFile = builder.caFile;
        this.pinnedFingerprints = Collections.unmodifiableSet(new LinkedHashSet<>(builder.pinnedFingerprints));
        this.certificateChainFile = builder.certificateChainFile;
        this.privateKeyFile = builder.privateKeyFile;
        this.provider = builder.provider;
        this.cipherSuites = List.copyOf(builder.cipherSuites);
        this.groups = List.copyOf(builder.groups);
    }

    /** System trust store, and trust on first use with {@code <home>/known_hosts} under the default home. */
    public static TlsClientOptions defaults() {
        return builder().build();
    }

    public static Builder builder() {
        return new Builder();
    }

    public Builder toBuilder() {
        Builder builder = new Builder();
        builder.home = home;
        builder.knownHostsFile = knownHostsFile;
        builder.trustOnFirstUse = trustOnFirstUse;
        builder.trustSystemCertificates = trustSystemCertificates;
        builder.caFile = caFile;
        builder.pinnedFingerprints.addAll(pinnedFingerprints);
        builder.certificateChainFile = certificateChainFile;
        builder.privateKeyFile = privateKeyFile;
        builder.provider = provider;
        builder.cipherSuites = cipherSuites;
        builder.groups = groups;
        return builder;
    }

    public Path home() {
        return home;
    }

    /** {@code <home>/known_hosts} unless set. */
    public Path knownHostsFile() {
        return knownHostsFile;
    }

    /** Whether a server not yet in {@code known_hosts} (and not CA-trusted) is recorded and accepted. */
    public boolean trustOnFirstUse() {
        return trustOnFirstUse;
    }

    public boolean trustSystemCertificates() {
        return trustSystemCertificates;
    }

    /** Extra CAs (PEM) trusted besides the system trust store. */
    public Optional<Path> caFile() {
        return Optional.ofNullable(caFile);
    }

    /** Canonical {@code sha256:…} fingerprints; when not empty, the server's leaf certificate must be one. */
    public Set<String> pinnedFingerprints() {
        return pinnedFingerprints;
    }

    /** The client certificate chain for mutual TLS. */
    public Optional<Path> certificateChainFile() {
        return Optional.ofNullable(certificateChainFile);
    }

    public Optional<Path> privateKeyFile() {
        return Optional.ofNullable(privateKeyFile);
    }

    public Optional<TlsProvider> provider() {
        return Optional.ofNullable(provider);
    }

    /** The TLS 1.3 suites offered, in order of preference; empty (the default) offers the provider's own list. */
    public List<String> cipherSuites() {
        return cipherSuites;
    }

    /** The key-exchange groups offered with the OpenSSL provider, most preferred first. */
    public List<String> groups() {
        return groups;
    }

    @Override
    public String toString() {
        return "TlsClientOptions[home=" + home + ", knownHosts=" + knownHostsFile + ", tofu=" + trustOnFirstUse
                + ", systemTrust=" + trustSystemCertificates + (caFile != null ? ", ca=" + caFile : "")
                + (pinnedFingerprints.isEmpty() ? "" : ", pins=" + pinnedFingerprints)
                + (certificateChainFile != null ? ", certificate=" + certificateChainFile : "")
                + (provider != null ? ", provider=" + provider.displayName() : "")
                + (cipherSuites.isEmpty() ? "" : ", cipherSuites=" + cipherSuites) + "]";
    }

    public static final class Builder {
        private Path home;
        private Path knownHostsFile;
        private boolean trustOnFirstUse = true;
        private boolean trustSystemCertificates = true;
        private Path caFile;
        private final Set<String> pinnedFingerprints = new LinkedHashSet<>();
        private Path certificateChainFile;
        private Path privateKeyFile;
        private TlsProvider provider;
        private List<String> cipherSuites = List.of();
        private List<String> groups = TlsProtocols.DEFAULT_GROUPS;

        private Builder() {}

        /** The VSTP home directory, instead of {@code -Dvstp.home}, {@code $VSTP_HOME} or {@code ~/.vstp}. */
        public Builder home(Path home) {
            this.home = home;
            return this;
        }

        /** The {@code known_hosts} file, instead of {@code <home>/known_hosts}. */
        public Builder knownHostsFile(Path file) {
            this.knownHostsFile = file;
            return this;
        }

        /** Default true. False: servers not CA-trusted must already be in {@code known_hosts} or pinned. */
        public Builder trustOnFirstUse(boolean enabled) {
            this.trustOnFirstUse = enabled;
            return this;
        }

        /** Default true: the JDK's default trust store ({@code cacerts} or {@code -Djavax.net.ssl.trustStore}). */
        public Builder trustSystemCertificates(boolean enabled) {
            this.trustSystemCertificates = enabled;
            return this;
        }

        /** A PEM file of CA certificates trusted in addition to the system ones. */
        public Builder caFile(Path file) {
            this.caFile = file;
            return this;
        }

        /**
         * Requires the server's leaf certificate to have this fingerprint (or another pinned one). Accepts what
         * {@link CertificateFingerprints#parse(String)} accepts.
         *
         * @throws IllegalArgumentException if it is not a SHA-256 fingerprint
         */
        public Builder pin(String fingerprint) {
            this.pinnedFingerprints.add(CertificateFingerprints.parse(fingerprint));
            return this;
        }

        public Builder pins(Collection<String> fingerprints) {
            fingerprints.forEach(this::pin);
            return this;
        }

        /** PEM client certificate chain for mutual TLS; set together with {@link #privateKeyFile(Path)}. */
        public Builder certificateChainFile(Path file) {
            this.certificateChainFile = file;
            return this;
        }

        public Builder privateKeyFile(Path file) {
            this.privateKeyFile = file;
            return this;
        }

        /** Forces a TLS provider; null (the default) chooses as {@link TlsProvider} describes. */
        public Builder provider(TlsProvider provider) {
            this.provider = provider;
            return this;
        }

        /**
         * Offers only these TLS 1.3 suites (IANA names such as {@code TLS_CHACHA20_POLY1305_SHA256}), so the server
         * must pick one of them. Needs the JDK provider: BoringSSL does not let TLS 1.3 suites be configured, and
         * {@link ClientTls#create} refuses the combination rather than silently offering others. Meant for
         * measurements and for suites a deployment must avoid; the default list suits everything else. In FIPS mode
         * only {@link TlsProtocols#FIPS_CIPHER_SUITES} may be named, and the default is those.
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

        /** @throws TlsConfigException if only one of client certificate and key file is set */
        public TlsClientOptions build() {
            if ((certificateChainFile == null) != (privateKeyFile == null)) {
                throw new TlsConfigException("set both the client certificate chain file and its private key "
                        + "file, or neither; got certificate=" + certificateChainFile + ", key=" + privateKeyFile);
            }
            return new TlsClientOptions(this);
        }
    }
}
