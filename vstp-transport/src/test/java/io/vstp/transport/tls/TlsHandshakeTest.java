package io.vstp.transport.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.util.InsecureTrustManagerFactory;
import io.vstp.testkit.TestPki;
import io.vstp.testkit.TestPki.Issued;
import io.vstp.testkit.TestPki.PemPair;
import io.vstp.transport.tls.CertificateVerificationException.Reason;
import io.vstp.transport.tls.TlsLoopback.EchoServer;
import io.vstp.transport.tls.TlsLoopback.Outcome;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import javax.net.ssl.SSLHandshakeException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Handshakes over real TCP on 127.0.0.1, under every TLS provider that runs here (the JDK always, OpenSSL when
 * netty-tcnative loads). Server and client use the same provider in each case.
 */
class TlsHandshakeTest {
    private static final List<String> TLS13_CIPHER_SUITES =
            List.of("TLS_AES_128_GCM_SHA256", "TLS_AES_256_GCM_SHA384", "TLS_CHACHA20_POLY1305_SHA256");

    private static TlsLoopback loopback;

    @TempDir
    Path dir;

    @BeforeAll
    static void startEventLoops() {
        loopback = new TlsLoopback();
    }

    @AfterAll
    static void stopEventLoops() {
        loopback.close();
    }

    static Stream<TlsProvider> providers() {
        List<TlsProvider> available = new ArrayList<>();
        for (TlsProvider provider : TlsProvider.values()) {
            if (provider.isAvailable()) {
                available.add(provider);
            }
        }
        return available.stream();
    }

    private ServerTls selfSignedServer(TlsProvider provider, String home) {
        return ServerTls.create(TlsServerOptions.builder()
                .home(dir.resolve(home))
                .provider(provider)
                .build());
    }

    private TlsClientOptions.Builder client(TlsProvider provider) {
        return TlsClientOptions.builder().home(dir.resolve("client")).provider(provider);
    }

    private Path knownHosts() {
        return dir.resolve("client").resolve("known_hosts");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("providers")
    void negotiatesTls13WithAlpnVstp1(TlsProvider provider) throws Exception {
        ServerTls serverTls = selfSignedServer(provider, "server");
        ClientTls clientTls = ClientTls.create(client(provider).build());
        assertThat(serverTls.provider()).isEqualTo(provider.displayName());
        assertThat(clientTls.provider()).isEqualTo(provider.displayName());

        try (EchoServer server = loopback.server(serverTls)) {
            Outcome client = loopback.connect(server.port(), clientTls);
            Outcome serverSide = server.nextHandshake();

            assertThat(client.failure()).isNull();
            assertThat(client.protocol()).isEqualTo("TLSv1.3");
            assertThat(client.cipherSuite()).isIn(TLS13_CIPHER_SUITES);
            assertThat(client.applicationProtocol()).isEqualTo("vstp/1");
            assertThat(client.peerFingerprint()).isEqualTo(serverTls.certificateFingerprint());
            assertThat(serverSide.protocol()).isEqualTo("TLSv1.3");
            assertThat(serverSide.applicationProtocol()).isEqualTo("vstp/1");
        }
    }

    @ParameterizedTest(name = "server {0}")
    @MethodSource("providers")
    void clientRestrictedToChaCha20GetsChaCha20FromEitherServerProvider(TlsProvider serverProvider) throws Exception {
        // A JDK or BCJSSE server must allow ChaCha20 (Netty's default list for the SSLEngine API leaves it out);
        // BoringSSL always does.
        TlsServerOptions.Builder options =
                TlsServerOptions.builder().home(dir.resolve("server")).provider(serverProvider);
        if (serverProvider == TlsProvider.JDK || serverProvider == TlsProvider.BOUNCY_CASTLE) {
            options.cipherSuites(List.of("TLS_AES_128_GCM_SHA256", "TLS_CHACHA20_POLY1305_SHA256"));
        }
        ServerTls serverTls = ServerTls.create(options.build());
        ClientTls clientTls = ClientTls.create(client(TlsProvider.JDK)
                .cipherSuites(List.of("TLS_CHACHA20_POLY1305_SHA256"))
                .build());
        try (EchoServer server = loopback.server(serverTls)) {
            Outcome client = loopback.connect(server.port(), clientTls);
            server.nextHandshake();
            assertThat(client.failure()).isNull();
            assertThat(client.cipherSuite()).isEqualTo("TLS_CHACHA20_POLY1305_SHA256");
        }
    }

    @org.junit.jupiter.api.Test
    void cipherSuitesWithBoringSslAreRefusedNotIgnored() {
        org.junit.jupiter.api.Assumptions.assumeTrue(TlsProvider.OPENSSL.isAvailable());
        TlsClientOptions options = client(TlsProvider.OPENSSL)
                .cipherSuites(List.of("TLS_CHACHA20_POLY1305_SHA256"))
                .build();
        assertThatThrownBy(() -> ClientTls.create(options))
                .isInstanceOf(TlsConfigException.class)
                .hasMessageContaining("force the JDK provider");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("providers")
    void refusesClientThatOffersOnlyTls12(TlsProvider provider) throws Exception {
        ServerTls serverTls = selfSignedServer(provider, "server");
        SslContext tls12Only = SslContextBuilder.forClient()
                .sslProvider(provider.nettyProvider())
                .protocols("TLSv1.2")
                .trustManager(InsecureTrustManagerFactory.INSTANCE)
                .build();

        try (EchoServer server = loopback.server(serverTls)) {
            Outcome client = loopback.connect(server.port(), alloc -> tls12Only.newHandler(alloc, "127.0.0.1", 0));

            assertThat(client.succeeded()).isFalse();
            assertThat(client.failure()).isInstanceOf(SSLHandshakeException.class);
            assertThat(server.nextHandshake().succeeded()).isFalse();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("providers")
    void acceptsPeerThatOffersNoAlpn(TlsProvider provider) throws Exception {
        ServerTls serverTls = selfSignedServer(provider, "server");
        SslContext noAlpn = SslContextBuilder.forClient()
                .sslProvider(provider.nettyProvider())
                .protocols("TLSv1.3")
                .trustManager(InsecureTrustManagerFactory.INSTANCE)
                .build();

        try (EchoServer server = loopback.server(serverTls)) {
            Outcome client = loopback.connect(server.port(), alloc -> noAlpn.newHandler(alloc, "127.0.0.1", 0));

            assertThat(client.failure()).isNull();
            assertThat(client.protocol()).isEqualTo("TLSv1.3");
            assertThat(server.nextHandshake().applicationProtocol()).isNull();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("providers")
    void trustsOnFirstUseThenRefusesChangedCertificate(TlsProvider provider) throws Exception {
        ServerTls first = selfSignedServer(provider, "server-a");
        ServerTls second = selfSignedServer(provider, "server-b");
        AtomicReference<ServerTls> current = new AtomicReference<>(first);
        ClientTls clientTls = ClientTls.create(client(provider).build());

        try (EchoServer server = loopback.server(alloc -> current.get().newHandler(alloc))) {
            String endpoint = "127.0.0.1:" + server.port();

            assertThat(loopback.connect(server.port(), clientTls).failure()).isNull();
            String recorded = endpoint + " " + first.certificateFingerprint() + "\n";
            assertThat(Files.readString(knownHosts())).isEqualTo(recorded);
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(knownHosts())))
                    .isEqualTo("rw-------");

            assertThat(loopback.connect(server.port(), clientTls).failure()).isNull();
            assertThat(Files.readString(knownHosts())).isEqualTo(recorded);

            current.set(second);
            Outcome refused = loopback.connect(server.port(), clientTls);

            // SSLHandshakeException from the JDK and OpenSSL; BCJSSE throws its parent SSLException.
            assertThat(refused.failure())
                    .isInstanceOf(
                            provider == TlsProvider.BOUNCY_CASTLE
                                    ? javax.net.ssl.SSLException.class
                                    : SSLHandshakeException.class);
            CertificateVerificationException why =
                    CertificateVerificationException.findIn(refused.failure()).orElseThrow();
            assertThat(why.reason()).isEqualTo(Reason.KNOWN_HOSTS_MISMATCH);
            assertThat(why.getMessage())
                    .contains(
                            "certificate pin mismatch for " + endpoint + ": known_hosts has "
                                    + first.certificateFingerprint() + ", server presented "
                                    + second.certificateFingerprint(),
                            "line 1 of " + knownHosts());
            assertThat(Files.readString(knownHosts())).isEqualTo(recorded);

            // The server learns it was refused for its certificate, not that it had an internal error.
            assertThat(server.nextHandshake().succeeded()).isTrue();
            assertThat(server.nextHandshake().succeeded()).isTrue();
            assertThat(server.nextHandshake().failure().getMessage())
                    .containsAnyOf("certificate_unknown", "BAD_CERTIFICATE", "CERTIFICATE_UNKNOWN")
                    .doesNotContainIgnoringCase("internal_error");
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("providers")
    void refusesServerNotMatchingConfiguredPin(TlsProvider provider) throws Exception {
        ServerTls serverTls = selfSignedServer(provider, "server");
        String otherPin = "sha256:" + "ab".repeat(32);
        ClientTls clientTls = ClientTls.create(client(provider).pin(otherPin).build());

        try (EchoServer server = loopback.server(serverTls)) {
            Outcome refused = loopback.connect(server.port(), clientTls);

            CertificateVerificationException why =
                    CertificateVerificationException.findIn(refused.failure()).orElseThrow();
            assertThat(why.reason()).isEqualTo(Reason.PIN_MISMATCH);
            assertThat(why.getMessage()).contains(otherPin, serverTls.certificateFingerprint());
            assertThat(knownHosts()).doesNotExist();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("providers")
    void acceptsServerMatchingConfiguredPinWithoutKnownHosts(TlsProvider provider) throws Exception {
        ServerTls serverTls = selfSignedServer(provider, "server");
        ClientTls clientTls = ClientTls.create(client(provider)
                .trustOnFirstUse(false)
                .pin(serverTls.certificateFingerprint().toUpperCase())
                .build());

        try (EchoServer server = loopback.server(serverTls)) {
            assertThat(loopback.connect(server.port(), clientTls).failure()).isNull();
            assertThat(knownHosts()).doesNotExist();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("providers")
    void refusesUnknownServerWhenTrustOnFirstUseIsOff(TlsProvider provider) throws Exception {
        ServerTls serverTls = selfSignedServer(provider, "server");
        ClientTls clientTls =
                ClientTls.create(client(provider).trustOnFirstUse(false).build());

        try (EchoServer server = loopback.server(serverTls)) {
            Outcome refused = loopback.connect(server.port(), clientTls);

            CertificateVerificationException why =
                    CertificateVerificationException.findIn(refused.failure()).orElseThrow();
            assertThat(why.reason()).isEqualTo(Reason.UNTRUSTED);
            assertThat(why.getMessage()).contains(serverTls.certificateFingerprint(), "trust on first use is off");
            assertThat(knownHosts()).doesNotExist();
        }
    }

    /** A server presenting {@code certificate} (written under {@code name}) over {@code provider}. */
    private ServerTls serving(TlsProvider provider, Issued certificate, String name) throws Exception {
        PemPair files = certificate.written(dir, name);
        return ServerTls.create(TlsServerOptions.builder()
                .home(dir.resolve("server"))
                .certificateChainFile(files.certificate())
                .privateKeyFile(files.key())
                .provider(provider)
                .build());
    }

    /** Why {@code clientTls} refused {@code server}'s certificate. */
    private static CertificateVerificationException refusal(EchoServer server, ClientTls clientTls) throws Exception {
        Outcome refused = loopback.connect(server.port(), clientTls);
        return CertificateVerificationException.findIn(refused.failure()).orElseThrow();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("providers")
    void refusesExpiredCertificateEvenOnFirstUse(TlsProvider provider) throws Exception {
        Issued expired = TestPki.selfSigned(
                Instant.now().minus(Duration.ofDays(10)), Instant.now().minus(Duration.ofDays(1)));
        ClientTls clientTls = ClientTls.create(client(provider).build());

        try (EchoServer server = loopback.server(serving(provider, expired, "expired"))) {
            CertificateVerificationException why = refusal(server, clientTls);
            assertThat(why.reason()).isEqualTo(Reason.EXPIRED);
            assertThat(why.getMessage()).contains("expired", expired.fingerprint());
            assertThat(knownHosts()).doesNotExist();

            // A pin recorded while it was valid does not keep an expired certificate alive either.
            Files.createDirectories(knownHosts().getParent());
            Files.writeString(knownHosts(), "127.0.0.1:" + server.port() + " " + expired.fingerprint() + "\n");
            Outcome stillRefused = loopback.connect(server.port(), clientTls);
            assertThat(CertificateVerificationException.findIn(stillRefused.failure())
                            .orElseThrow()
                            .reason())
                    .isEqualTo(Reason.EXPIRED);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("providers")
    void refusesCertificateNotYetValidAndSaysToCheckTheClocks(TlsProvider provider) throws Exception {
        Issued early = TestPki.selfSigned(
                Instant.now().plus(Duration.ofDays(1)), Instant.now().plus(Duration.ofDays(30)));
        ClientTls clientTls = ClientTls.create(client(provider).build());

        try (EchoServer server = loopback.server(serving(provider, early, "early"))) {
            CertificateVerificationException why = refusal(server, clientTls);
            assertThat(why.reason()).isEqualTo(Reason.NOT_YET_VALID);
            assertThat(why.endpoint()).isEqualTo("127.0.0.1:" + server.port());
            assertThat(why.presentedFingerprint()).isEqualTo(early.fingerprint());
            assertThat(why.getMessage())
                    .contains(
                            "is not valid before "
                                    + early.certificate().getNotBefore().toInstant(),
                            early.fingerprint(),
                            "is one of the clocks wrong?");
            // Not trusted on first use either: nothing is recorded for a certificate that was refused.
            assertThat(knownHosts()).doesNotExist();
            assertThat(server.nextHandshake().failure().getMessage()).doesNotContainIgnoringCase("internal_error");
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("providers")
    void knownHostsThatCannotBeReadRefusesTheServerNamingTheFile(TlsProvider provider) throws Exception {
        ServerTls serverTls = selfSignedServer(provider, "server");
        Files.createDirectories(knownHosts()); // a directory where the file should be
        ClientTls clientTls = ClientTls.create(client(provider).build());

        try (EchoServer server = loopback.server(serverTls)) {
            Outcome refused = loopback.connect(server.port(), clientTls);

            CertificateVerificationException why =
                    CertificateVerificationException.findIn(refused.failure()).orElseThrow();
            assertThat(why.reason()).isEqualTo(Reason.KNOWN_HOSTS_UNAVAILABLE);
            assertThat(why.getMessage())
                    .startsWith("server certificate for 127.0.0.1:" + server.port()
                            + " does not chain to a trusted CA and " + knownHosts() + " cannot be used: ");
            assertThat(why.getCause()).isInstanceOf(java.io.IOException.class);
            assertThat(knownHosts()).isEmptyDirectory();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("providers")
    void acceptsServerIssuedByConfiguredCaWithoutKnownHosts(TlsProvider provider) throws Exception {
        Issued ca = TestPki.ca("test CA");
        PemPair serverFiles = TestPki.server(ca, "127.0.0.1", "localhost").written(dir, "server");
        Path caFile = dir.resolve("ca.pem");
        Files.writeString(caFile, PemFiles.certificatePem(ca.certificate()));
        ServerTls serverTls = ServerTls.create(TlsServerOptions.builder()
                .home(dir.resolve("server"))
                .certificateChainFile(serverFiles.certificate())
                .privateKeyFile(serverFiles.key())
                .provider(provider)
                .build());

        try (EchoServer server = loopback.server(serverTls)) {
            ClientTls withoutTofu = ClientTls.create(
                    client(provider).caFile(caFile).trustOnFirstUse(false).build());
            assertThat(loopback.connect(server.port(), withoutTofu).failure()).isNull();

            ClientTls withTofu =
                    ClientTls.create(client(provider).caFile(caFile).build());
            assertThat(loopback.connect(server.port(), withTofu).failure()).isNull();
            assertThat(knownHosts()).doesNotExist();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("providers")
    void refusesCaIssuedCertificateForAnotherHost(TlsProvider provider) throws Exception {
        Issued ca = TestPki.ca("test CA");
        PemPair serverFiles = TestPki.server(ca, "vstp.example.com").written(dir, "server");
        Path caFile = dir.resolve("ca.pem");
        Files.writeString(caFile, PemFiles.certificatePem(ca.certificate()));
        ServerTls serverTls = ServerTls.create(TlsServerOptions.builder()
                .home(dir.resolve("server"))
                .certificateChainFile(serverFiles.certificate())
                .privateKeyFile(serverFiles.key())
                .provider(provider)
                .build());
        ClientTls clientTls = ClientTls.create(client(provider).caFile(caFile).build());

        try (EchoServer server = loopback.server(serverTls)) {
            Outcome refused = loopback.connect(server.port(), clientTls);

            CertificateVerificationException why =
                    CertificateVerificationException.findIn(refused.failure()).orElseThrow();
            assertThat(why.reason()).isEqualTo(Reason.HOSTNAME_MISMATCH);
            assertThat(why.getMessage()).contains("'127.0.0.1'", "DNS:vstp.example.com");
            assertThat(knownHosts()).doesNotExist();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("providers")
    void mutualTlsRequiresClientCertificateFromClientCa(TlsProvider provider) throws Exception {
        Issued clientCa = TestPki.ca("client CA");
        Path clientCaFile = dir.resolve("client-ca.pem");
        Files.writeString(clientCaFile, PemFiles.certificatePem(clientCa.certificate()));
        Issued alice = TestPki.client(clientCa, "alice");
        PemPair aliceFiles = alice.written(dir, "alice");
        PemPair strangerFiles =
                TestPki.client(TestPki.ca("other CA"), "mallory").written(dir, "mallory");
        ServerTls serverTls = ServerTls.create(TlsServerOptions.builder()
                .home(dir.resolve("server"))
                .clientCaFile(clientCaFile)
                .provider(provider)
                .build());
        assertThat(serverTls.requiresClientCertificate()).isTrue();

        try (EchoServer server = loopback.server(serverTls)) {
            ClientTls anonymous = ClientTls.create(client(provider).build());
            // TLS 1.3 clients finish their handshake before the server judges their certificate: the refusal
            // arrives as an alert on the first read.
            assertThat(loopback.connect(server.port(), anonymous).succeeded()).isFalse();
            assertThat(server.nextHandshake().succeeded()).isFalse();

            ClientTls stranger = ClientTls.create(client(provider)
                    .certificateChainFile(strangerFiles.certificate())
                    .privateKeyFile(strangerFiles.key())
                    .build());
            assertThat(loopback.connect(server.port(), stranger).succeeded()).isFalse();
            assertThat(server.nextHandshake().succeeded()).isFalse();

            ClientTls authenticated = ClientTls.create(client(provider)
                    .certificateChainFile(aliceFiles.certificate())
                    .privateKeyFile(aliceFiles.key())
                    .build());
            assertThat(authenticated.clientCertificateFingerprint()).contains(alice.fingerprint());
            assertThat(loopback.connect(server.port(), authenticated).failure()).isNull();
            Outcome serverSide = server.nextHandshake();
            assertThat(serverSide.failure()).isNull();
            assertThat(serverSide.peerFingerprint()).isEqualTo(alice.fingerprint());
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("providers")
    void newConnectionsGetReplacedCertificateFiles(TlsProvider provider) throws Exception {
        Issued ca = TestPki.ca("test CA");
        Path caFile = dir.resolve("ca.pem");
        Files.writeString(caFile, PemFiles.certificatePem(ca.certificate()));
        Issued first = TestPki.server(ca, "127.0.0.1");
        PemPair files = first.written(dir, "server");
        ServerTls serverTls = ServerTls.create(TlsServerOptions.builder()
                .home(dir.resolve("server"))
                .certificateChainFile(files.certificate())
                .privateKeyFile(files.key())
                .reloadCheckInterval(Duration.ZERO)
                .provider(provider)
                .build());
        ClientTls clientTls = ClientTls.create(
                client(provider).caFile(caFile).trustOnFirstUse(false).build());

        try (EchoServer server = loopback.server(serverTls)) {
            assertThat(loopback.connect(server.port(), clientTls).peerFingerprint())
                    .isEqualTo(first.fingerprint());

            Issued second = TestPki.server(ca, "127.0.0.1");
            second.writeTo(files.certificate(), files.key());
            assertThat(loopback.connect(server.port(), clientTls).peerFingerprint())
                    .isEqualTo(second.fingerprint());
            assertThat(serverTls.certificateFingerprint()).isEqualTo(second.fingerprint());

            // A broken replacement keeps the running certificate and says why.
            Files.writeString(files.certificate(), "-----BEGIN CERTIFICATE-----\nnot base64\n");
            assertThat(loopback.connect(server.port(), clientTls).peerFingerprint())
                    .isEqualTo(second.fingerprint());
            assertThat(serverTls.lastReloadFailure())
                    .get()
                    .asString()
                    .contains(files.certificate().toString());

            Issued third = TestPki.server(ca, "127.0.0.1");
            third.writeTo(files.certificate(), files.key());
            assertThat(loopback.connect(server.port(), clientTls).peerFingerprint())
                    .isEqualTo(third.fingerprint());
            assertThat(serverTls.lastReloadFailure()).isEmpty();
        }
    }
}
