package io.vstp.transport.udp.dtls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.vstp.transport.tls.CertificateVerificationException;
import io.vstp.transport.tls.CertifiedKey;
import io.vstp.transport.tls.TlsClientOptions;
import io.vstp.transport.tls.TlsServerOptions;
import io.vstp.transport.udp.NettyDatagramLink;
import java.math.BigInteger;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Date;
import java.util.List;
import java.util.Random;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import javax.net.ssl.SSLHandshakeException;
import org.awaitility.Awaitility;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.tls.AlertDescription;
import org.bouncycastle.tls.DTLSClientProtocol;
import org.bouncycastle.tls.DatagramTransport;
import org.bouncycastle.tls.DefaultTlsClient;
import org.bouncycastle.tls.ProtocolVersion;
import org.bouncycastle.tls.TlsAuthentication;
import org.bouncycastle.tls.TlsFatalAlert;
import org.bouncycastle.tls.crypto.impl.bc.BcTlsCrypto;
import org.bouncycastle.util.io.pem.PemObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * DTLS over real UDP sockets on 127.0.0.1: a server link that echoes every datagram, and client links that
 * collect what comes back. Each test has its own VSTP homes (never the real {@code ~/.vstp}).
 */
class DtlsDatagramLinkTest {
    private static final InetSocketAddress LOOPBACK = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
    private static final int DATAGRAM_SIZE = 1200;
    private static final long TIMEOUT_SECONDS = 5;

    @TempDir
    Path serverHome;

    @TempDir
    Path clientHome;

    private final List<AutoCloseable> toClose = new ArrayList<>();

    @AfterEach
    void closeAll() throws Exception {
        for (int i = toClose.size() - 1; i >= 0; i--) {
            toClose.get(i).close();
        }
    }

    // ---- handshake and data ----

    @Test
    void handshakeThenDatagramsFlowBothWays() throws Exception {
        DtlsDatagramLink server = echoServer(serverOptions().build());
        Client client = client(clientOptions().build());

        DtlsSessionInfo info = client.link.connect(server.localAddress()).get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
        for (int i = 0; i < 3; i++) {
            client.send(server, "ping " + i);
        }
        for (int i = 0; i < 3; i++) {
            assertThat(client.next()).isEqualTo("ping " + i);
        }
        // The server can also speak first once the association exists.
        server.send(client.link.localAddress(), utf8("hello from the server"));
        assertThat(client.next()).isEqualTo("hello from the server");

        assertThat(info.peer()).isEqualTo(server.localAddress());
        assertThat(info.resumed()).isFalse();
        assertThat(info.peerCertificateFingerprint()).contains(serverFingerprint());
        assertThat(java.util.Optional.of(awaitSession(server, client.link.localAddress())))
                .hasValueSatisfying(serverView -> {
                    assertThat(serverView.cipherSuite()).isEqualTo(info.cipherSuite());
                    assertThat(serverView.peerCertificateFingerprint()).isEmpty();
                });
        assertThat(client.link.counters().handshakesSucceeded()).isEqualTo(1);
        assertThat(server.counters().handshakesSucceeded()).isEqualTo(1);
        assertThat(server.counters().dropped()).isZero();
    }

    @Test
    void negotiatesDtls12SinceBouncyCastleHasNoDtls13() throws Exception {
        DtlsDatagramLink server = echoServer(serverOptions().build());
        Client client = client(clientOptions().build());

        DtlsSessionInfo info = client.link.connect(server.localAddress()).get(TIMEOUT_SECONDS, TimeUnit.SECONDS);

        assertThat(info.protocolVersion()).isEqualTo("DTLS 1.2");
        assertThat(awaitSession(server, client.link.localAddress()).protocolVersion())
                .isEqualTo("DTLS 1.2");
        // The default order puts AES-128-GCM first, and the self-signed key is EC: an ECDSA suite.
        assertThat(info.cipherSuite()).isEqualTo(DtlsCipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256);
    }

    /** Fails when a BouncyCastle upgrade brings DTLS 1.3: then offer it, and update docs/guide/dtls.md. */
    @Test
    void bouncyCastleCannotOfferDtls13Yet() {
        DefaultTlsClient offersDtls13 = new DefaultTlsClient(new BcTlsCrypto(new SecureRandom())) {
            @Override
            protected ProtocolVersion[] getSupportedVersions() {
                return ProtocolVersion.DTLSv13.downTo(ProtocolVersion.DTLSv12);
            }

            @Override
            public TlsAuthentication getAuthentication() {
                throw new IllegalStateException("never gets this far");
            }
        };
        DatagramTransport nowhere = new DatagramTransport() {
            @Override
            public int getReceiveLimit() {
                return DATAGRAM_SIZE;
            }

            @Override
            public int receive(byte[] buf, int off, int len, int waitMillis) {
                return -1;
            }

            @Override
            public int getSendLimit() {
                return DATAGRAM_SIZE;
            }

            @Override
            public void send(byte[] buf, int off, int len) {}

            @Override
            public void close() {}
        };

        assertThatThrownBy(() -> new DTLSClientProtocol().connect(offersDtls13, nowhere))
                .isInstanceOfSatisfying(
                        TlsFatalAlert.class,
                        alert -> assertThat(alert.getAlertDescription()).isEqualTo(AlertDescription.internal_error));
    }

    @Test
    void negotiatesChaCha20Poly1305WhenThatIsWhatTheClientOffers() throws Exception {
        DtlsDatagramLink server = echoServer(serverOptions().build());
        Client client = client(clientOptions()
                .cipherSuites(List.of(DtlsCipherSuite.TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256))
                .build());

        DtlsSessionInfo info = client.link.connect(server.localAddress()).get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
        client.send(server, "over chacha");

        assertThat(info.cipherSuite()).isEqualTo(DtlsCipherSuite.TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256);
        assertThat(client.next()).isEqualTo("over chacha");
        // ChaCha20-Poly1305 adds 13 + 16 bytes per record, and the largest datagram that fits still goes through.
        assertThat(client.link.maxDatagramSize()).isEqualTo(DATAGRAM_SIZE - 29);
        String largest = "x".repeat(DATAGRAM_SIZE - 29);
        client.send(server, largest);
        assertThat(client.next()).isEqualTo(largest);
    }

    @Test
    void negotiatesAesGcmWhenThatIsWhatTheClientOffers() throws Exception {
        DtlsDatagramLink server = echoServer(serverOptions().build());
        Client client = client(clientOptions()
                .cipherSuites(List.of(DtlsCipherSuite.TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384))
                .build());

        DtlsSessionInfo info = client.link.connect(server.localAddress()).get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
        client.send(server, "over aes-256-gcm");

        assertThat(info.cipherSuite()).isEqualTo(DtlsCipherSuite.TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384);
        assertThat(client.next()).isEqualTo("over aes-256-gcm");
        assertThat(client.link.maxDatagramSize()).isEqualTo(DATAGRAM_SIZE - 37);
    }

    @Test
    void dropsAndCountsDatagramsTooLargeForOneRecord() throws Exception {
        DtlsDatagramLink server = echoServer(serverOptions().build());
        Client client = client(clientOptions().build());
        client.link.connect(server.localAddress()).get(TIMEOUT_SECONDS, TimeUnit.SECONDS);

        client.send(server, "y".repeat(client.link.maxDatagramSize() + 1));
        client.send(server, "fits");

        assertThat(client.next()).isEqualTo("fits");
        assertThat(client.link.counters().droppedOversized()).isEqualTo(1);
    }

    @Test
    void emptyDatagramsArriveEmpty() throws Exception {
        DtlsDatagramLink server = echoServer(serverOptions().build());
        Client client = client(clientOptions().build());
        client.link.connect(server.localAddress()).get(TIMEOUT_SECONDS, TimeUnit.SECONDS);

        client.send(server, "");

        assertThat(client.next()).isEmpty();
    }

    @Test
    void sendToAServerNotYetConnectedWaitsForTheHandshake() throws Exception {
        DtlsDatagramLink server = echoServer(serverOptions().build());
        Client client = client(clientOptions().build());

        client.send(server, "first");
        client.send(server, "second");

        assertThat(client.next()).isEqualTo("first");
        assertThat(client.next()).isEqualTo("second");
        assertThat(client.link.session(server.localAddress())).isPresent();
    }

    @Test
    void serverWithAnRsaCertificateNegotiatesAnEcdheRsaSuite() throws Exception {
        Path certificate = serverHome.resolve("rsa-cert.pem");
        Path key = serverHome.resolve("rsa-key.pem");
        writeRsaCertificate(certificate, key);
        DtlsDatagramLink server = echoServer(DtlsServerOptions.builder()
                .tls(TlsServerOptions.builder()
                        .home(serverHome)
                        .certificateChainFile(certificate)
                        .privateKeyFile(key)
                        .build())
                .build());
        Client client = client(clientOptions().build());

        DtlsSessionInfo info = client.link.connect(server.localAddress()).get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
        client.send(server, "over rsa");

        assertThat(info.cipherSuite()).isEqualTo(DtlsCipherSuite.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256);
        assertThat(client.next()).isEqualTo("over rsa");
    }

    @Test
    void handshakeWithASilentServerTimesOut() throws Exception {
        Client client =
                client(clientOptions().handshakeTimeout(Duration.ofMillis(400)).build());
        try (DatagramSocket silent = new DatagramSocket(LOOPBACK)) {
            client.send(silent.getLocalSocketAddress(), "lost");

            assertThatThrownBy(() -> client.link
                            .connect((InetSocketAddress) silent.getLocalSocketAddress())
                            .get(TIMEOUT_SECONDS, TimeUnit.SECONDS))
                    .cause()
                    .isInstanceOf(SSLHandshakeException.class)
                    .hasMessageContaining("handshake timeout");
        }
        await(() -> client.link.counters().associations() == 0);
        assertThat(client.link.counters().handshakesFailed()).isEqualTo(1);
        assertThat(client.link.counters().droppedNotConnected())
                .as("the datagram that waited")
                .isEqualTo(1);
    }

    // ---- cookie exchange ----

    @Test
    void clientHelloWithoutCookieGetsOnlyASmallHelloVerifyRequestAndNoAssociation() throws Exception {
        DtlsDatagramLink server = echoServer(serverOptions().build());
        try (DatagramSocket spoofed = new DatagramSocket(LOOPBACK)) {
            spoofed.setSoTimeout(2000);
            byte[] hello = clientHello(new byte[0]);
            spoofed.send(new DatagramPacket(hello, hello.length, server.localAddress()));

            byte[] answer = receive(spoofed);
            assertThat(answer[0]).as("content type handshake").isEqualTo((byte) 22);
            assertThat(answer[13]).as("handshake type hello_verify_request").isEqualTo((byte) 3);
            assertThat(answer.length).as("no amplification").isLessThanOrEqualTo(hello.length);
            assertThat(server.counters().helloVerifyRequests()).isEqualTo(1);
            assertThat(server.counters().associations()).isZero();
            spoofed.setSoTimeout(300);
            assertThatThrownBy(() -> receive(spoofed))
                    .as("nothing but the HelloVerifyRequest")
                    .isInstanceOf(SocketTimeoutException.class);

            // Returning the cookie from the same address is what lets the server start a handshake.
            byte[] cookie = Arrays.copyOfRange(answer, 13 + 12 + 3, answer.length);
            byte[] withCookie = clientHello(cookie);
            spoofed.send(new DatagramPacket(withCookie, withCookie.length, server.localAddress()));
            await(() -> server.counters().associations() + server.counters().handshakesFailed() > 0);
            assertThat(server.counters().helloVerifyRequests()).isEqualTo(1);
        }
    }

    @Test
    void garbageToTheServerIsDroppedAndCounted() throws Exception {
        DtlsDatagramLink server = echoServer(serverOptions().build());
        Client client = client(clientOptions().build());
        client.link.connect(server.localAddress()).get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
        long challengesOfTheHandshake = server.counters().helloVerifyRequests();
        Random random = new Random(42);

        try (DatagramSocket stranger = new DatagramSocket(LOOPBACK)) {
            for (int i = 0; i < 50; i++) {
                byte[] garbage = new byte[1 + random.nextInt(300)];
                random.nextBytes(garbage);
                garbage[0] = (byte) (20 + i % 6); // some look like DTLS record types
                stranger.send(new DatagramPacket(garbage, garbage.length, server.localAddress()));
            }
        }
        // From the client's own address, past the association's record layer: forged records.
        for (int i = 0; i < 10; i++) {
            byte[] forged = new byte[40 + i];
            random.nextBytes(forged);
            forged[0] = 23; // application_data
            forged[1] = (byte) 0xfe;
            forged[2] = (byte) 0xfd;
            client.inner.send(server.localAddress(), Unpooled.wrappedBuffer(forged));
        }
        client.send(server, "still here");

        assertThat(client.next()).isEqualTo("still here");
        await(() -> server.counters().droppedNoAssociation() == 50
                && server.counters().droppedBadRecords() == 10);
        assertThat(server.counters().associations()).isEqualTo(1);
        assertThat(server.counters().helloVerifyRequests()).isEqualTo(challengesOfTheHandshake);
    }

    @Test
    void datagramsFromAServerTheClientDidNotConnectToAreDropped() throws Exception {
        Client client = client(clientOptions().build());
        try (DatagramSocket stranger = new DatagramSocket(LOOPBACK)) {
            byte[] datagram = utf8Bytes("unsolicited");
            stranger.send(new DatagramPacket(datagram, datagram.length, client.link.localAddress()));
        }
        await(() -> client.link.counters().droppedNoAssociation() == 1);
        assertThat(client.received).isEmpty();
    }

    // ---- resumption and expiry ----

    @Test
    void reconnectingClientResumesItsSession() throws Exception {
        DtlsDatagramLink server = echoServer(serverOptions().build());
        Client client = client(clientOptions().build());
        DtlsSessionInfo first = client.link.connect(server.localAddress()).get(TIMEOUT_SECONDS, TimeUnit.SECONDS);

        client.link.disconnect(server.localAddress());
        await(() -> server.counters().associations() == 0);
        DtlsSessionInfo second = client.link.connect(server.localAddress()).get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
        client.send(server, "after resumption");

        assertThat(first.resumed()).isFalse();
        assertThat(second.resumed()).isTrue();
        assertThat(second.cipherSuite()).isEqualTo(first.cipherSuite());
        assertThat(second.peerCertificateFingerprint()).isEqualTo(first.peerCertificateFingerprint());
        assertThat(client.next()).isEqualTo("after resumption");
        assertThat(awaitSession(server, client.link.localAddress()).resumed()).isTrue();
        assertThat(server.counters().handshakesResumed()).isEqualTo(1);
        assertThat(client.link.counters().handshakesResumed()).isEqualTo(1);
    }

    @Test
    void idleAssociationsExpireAndTheNextSendReconnects() throws Exception {
        DtlsDatagramLink server =
                echoServer(serverOptions().idleTimeout(Duration.ofMillis(300)).build());
        Client client = client(clientOptions().build());
        client.send(server, "before");
        assertThat(client.next()).isEqualTo("before");

        // The server forgets the association and says close_notify, so the client forgets it too.
        await(() ->
                server.counters().associations() == 0 && client.link.counters().associations() == 0);
        client.send(server, "after");

        assertThat(client.next()).isEqualTo("after");
        assertThat(client.link.counters().handshakesResumed()).isEqualTo(1);
    }

    // ---- certificates ----

    @Test
    void pinMismatchIsRefusedNamingBothFingerprints() throws Exception {
        DtlsDatagramLink server = echoServer(serverOptions().build());
        String wrongPin = "sha256:" + "00".repeat(32);
        Client client = client(clientOptions()
                .tls(TlsClientOptions.builder().home(clientHome).pin(wrongPin).build())
                .build());

        assertThatThrownBy(() -> client.link.connect(server.localAddress()).get(TIMEOUT_SECONDS, TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class)
                .cause()
                .isInstanceOf(SSLHandshakeException.class)
                .hasMessageContaining("certificate pin mismatch")
                .hasMessageContaining(wrongPin)
                .hasMessageContaining(serverFingerprint())
                .satisfies(e -> assertThat(CertificateVerificationException.findIn(e))
                        .hasValueSatisfying(refusal -> assertThat(refusal.reason())
                                .isEqualTo(CertificateVerificationException.Reason.PIN_MISMATCH)));
        assertThat(client.link.counters().handshakesFailed()).isEqualTo(1);
        await(() ->
                server.counters().handshakesFailed() == 1 && server.counters().associations() == 0);
    }

    @Test
    void expiredServerCertificateIsRefused() throws Exception {
        // Generated certificates are backdated an hour, so one valid for a second expired long ago.
        DtlsDatagramLink server = echoServer(DtlsServerOptions.builder()
                .tls(TlsServerOptions.builder()
                        .home(serverHome)
                        .selfSignedValidity(Duration.ofSeconds(1))
                        .build())
                .build());
        Client client = client(clientOptions().build());

        assertThatThrownBy(() -> client.link.connect(server.localAddress()).get(TIMEOUT_SECONDS, TimeUnit.SECONDS))
                .cause()
                .isInstanceOf(SSLHandshakeException.class)
                .hasMessageContaining("expired")
                .satisfies(e -> assertThat(CertificateVerificationException.findIn(e))
                        .hasValueSatisfying(refusal -> assertThat(refusal.reason())
                                .isEqualTo(CertificateVerificationException.Reason.EXPIRED)));
        assertThat(Files.exists(clientHome.resolve("known_hosts")))
                .as("nothing trusted on first use")
                .isFalse();
    }

    @Test
    void knownHostsMismatchIsRefusedLikeOverTcp() throws Exception {
        DtlsDatagramLink server = echoServer(serverOptions().build());
        String other = "sha256:" + "ab".repeat(32);
        Files.writeString(
                clientHome.resolve("known_hosts"),
                "127.0.0.1:" + server.localAddress().getPort() + " " + other + "\n");
        Client client = client(clientOptions().build());

        assertThatThrownBy(() -> client.link.connect(server.localAddress()).get(TIMEOUT_SECONDS, TimeUnit.SECONDS))
                .cause()
                .isInstanceOf(SSLHandshakeException.class)
                .hasMessageContaining(other)
                .hasMessageContaining(serverFingerprint());
    }

    // ---- limits and misuse ----

    @Test
    void serverAtItsAssociationLimitIgnoresFurtherClientsUntilOneLeaves() throws Exception {
        DtlsDatagramLink server = echoServer(serverOptions().maxAssociations(1).build());
        Client first = client(clientOptions().build());
        Client second =
                client(clientOptions().handshakeTimeout(Duration.ofMillis(600)).build());
        first.link.connect(server.localAddress()).get(TIMEOUT_SECONDS, TimeUnit.SECONDS);

        assertThatThrownBy(() -> second.link.connect(server.localAddress()).get(TIMEOUT_SECONDS, TimeUnit.SECONDS))
                .cause()
                .isInstanceOf(SSLHandshakeException.class)
                .hasMessageContaining("handshake timeout");
        assertThat(server.counters().droppedAssociationLimit())
                .as("its ClientHellos")
                .isPositive();
        assertThat(server.counters().associations()).isEqualTo(1);

        first.link.disconnect(server.localAddress());
        await(() -> server.counters().associations() == 0);
        // A client with the usual handshake timeout: the short one above is for being ignored, and a full handshake
        // on a loaded machine can take longer than it.
        Client third = client(clientOptions().build());
        third.link.connect(server.localAddress()).get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
        third.send(server, "my turn");
        assertThat(third.next()).isEqualTo("my turn");
    }

    @Test
    void clientAtItsAssociationLimitRefusesANewServerWithTheReason() throws Exception {
        DtlsDatagramLink one = echoServer(serverOptions().build());
        DtlsDatagramLink two = echoServer(serverOptions().build());
        Client client = client(clientOptions().maxAssociations(1).build());
        client.link.connect(one.localAddress()).get(TIMEOUT_SECONDS, TimeUnit.SECONDS);

        assertThatThrownBy(() -> client.link.connect(two.localAddress()).get(TIMEOUT_SECONDS, TimeUnit.SECONDS))
                .cause()
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("already 1 DTLS associations (maxAssociations)");
        client.send(two, "dropped");
        client.send(one, "still served");
        assertThat(client.next()).isEqualTo("still served");
        assertThat(client.link.counters().droppedAssociationLimit()).isEqualTo(2);
    }

    @Test
    void misuseIsRefusedWithAClearError() throws Exception {
        DtlsDatagramLink server = echoServer(serverOptions().build());
        assertThatThrownBy(() -> server.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), 9)))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("clients connect to it");
        Client client = client(clientOptions().build());
        assertThatThrownBy(() -> client.link
                        .connect(InetSocketAddress.createUnresolved("nowhere.invalid", 9))
                        .get(TIMEOUT_SECONDS, TimeUnit.SECONDS))
                .cause()
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("unresolved server address");

        NettyDatagramLink socket = NettyDatagramLink.bind(LOOPBACK, null, 64);
        toClose.add(socket);
        io.vstp.transport.udp.DatagramLink tiny = new io.vstp.transport.udp.ForwardingDatagramLink(socket) {
            @Override
            public int maxDatagramSize() {
                return 24;
            }
        };
        assertThatThrownBy(() -> DtlsDatagramLink.client(tiny, clientOptions().build()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("the inner link's datagrams (24 bytes) cannot hold a DTLS record");

        client.link.close();
        assertThatThrownBy(() -> client.link.connect(server.localAddress()).get(TIMEOUT_SECONDS, TimeUnit.SECONDS))
                .cause()
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("the DTLS link is closed");
    }

    @Test
    void serverDropsAndCountsWhatItCannotSend() throws Exception {
        DtlsDatagramLink server = echoServer(serverOptions().build());
        try (DatagramSocket stranger = new DatagramSocket(LOOPBACK)) {
            InetSocketAddress nobody = (InetSocketAddress) stranger.getLocalSocketAddress();
            server.send(nobody, utf8("to nobody"));
            server.send(nobody, utf8("z".repeat(server.maxDatagramSize() + 1)));
            await(() -> server.counters().droppedNotConnected() == 1
                    && server.counters().droppedOversized() == 1);
            stranger.setSoTimeout(200);
            assertThatThrownBy(() -> receive(stranger)).isInstanceOf(SocketTimeoutException.class);
        }
    }

    /** A client that restarts (same address, new handshake) replaces its old association on the server. */
    @Test
    void aNewHandshakeFromTheSameAddressReplacesTheAssociation() throws Exception {
        DtlsDatagramLink server = echoServer(serverOptions().build());
        Client before = client(clientOptions().sessionResumption(false).build());
        before.link.connect(server.localAddress()).get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
        InetSocketAddress address = before.link.localAddress();
        before.inner.close(); // gone without a close_notify, as a process that was killed

        Client after = client(clientOptions().build(), address);
        after.link.connect(server.localAddress()).get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
        after.send(server, "back again");

        assertThat(after.next()).isEqualTo("back again");
        assertThat(server.counters().handshakesSucceeded()).isEqualTo(2);
        assertThat(server.counters().associations()).isEqualTo(1);
    }

    // ---- helpers ----

    private DtlsServerOptions.Builder serverOptions() {
        return DtlsServerOptions.builder()
                .tls(TlsServerOptions.builder().home(serverHome).build());
    }

    private DtlsClientOptions.Builder clientOptions() {
        return DtlsClientOptions.builder()
                .tls(TlsClientOptions.builder()
                        .home(clientHome)
                        .trustSystemCertificates(false)
                        .build());
    }

    private String serverFingerprint() {
        return CertifiedKey.forServer(
                        TlsServerOptions.builder().home(serverHome).build())
                .fingerprint();
    }

    /** A server that sends every datagram back to where it came from. */
    private DtlsDatagramLink echoServer(DtlsServerOptions options) throws InterruptedException {
        NettyDatagramLink inner = NettyDatagramLink.bind(LOOPBACK, null, DATAGRAM_SIZE);
        DtlsDatagramLink server;
        try {
            server = DtlsDatagramLink.server(inner, options);
        } catch (RuntimeException e) {
            inner.close();
            throw e;
        }
        toClose.add(server);
        server.receiver(server::send);
        return server;
    }

    private Client client(DtlsClientOptions options) throws InterruptedException {
        return client(options, LOOPBACK);
    }

    private Client client(DtlsClientOptions options, InetSocketAddress bindTo) throws InterruptedException {
        NettyDatagramLink inner = NettyDatagramLink.bind(bindTo, null, DATAGRAM_SIZE);
        DtlsDatagramLink link = DtlsDatagramLink.client(inner, options);
        toClose.add(link);
        Client client = new Client(link, inner);
        link.receiver((sender, datagram) -> {
            try {
                client.received.add(datagram.toString(StandardCharsets.UTF_8));
            } finally {
                datagram.release();
            }
        });
        return client;
    }

    /** A client link, the socket link under it, and what it received. */
    private record Client(DtlsDatagramLink link, NettyDatagramLink inner, BlockingQueue<String> received) {
        Client(DtlsDatagramLink link, NettyDatagramLink inner) {
            this(link, inner, new LinkedBlockingQueue<>());
        }

        void send(DtlsDatagramLink server, String text) {
            send(server.localAddress(), text);
        }

        void send(SocketAddress peer, String text) {
            link.send((InetSocketAddress) peer, utf8(text));
        }

        String next() throws InterruptedException {
            String datagram = received.poll(TIMEOUT_SECONDS, TimeUnit.SECONDS);
            assertThat(datagram)
                    .as("a datagram within " + TIMEOUT_SECONDS + " s")
                    .isNotNull();
            return datagram;
        }
    }

    /** A self-signed RSA-2048 certificate for 127.0.0.1, valid now, as PEM certificate and PKCS#8 key files. */
    private static void writeRsaCertificate(Path certificateFile, Path keyFile) throws Exception {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
        generator.initialize(2048);
        KeyPair keys = generator.generateKeyPair();
        X500Name name = new X500Name("CN=127.0.0.1");
        Instant now = Instant.now();
        X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(
                name,
                BigInteger.valueOf(now.toEpochMilli()),
                Date.from(now.minus(Duration.ofHours(1))),
                Date.from(now.plus(Duration.ofDays(1))),
                name,
                keys.getPublic());
        builder.addExtension(
                Extension.subjectAlternativeName,
                false,
                new GeneralNames(new GeneralName(GeneralName.iPAddress, "127.0.0.1")));
        X509Certificate certificate = new JcaX509CertificateConverter()
                .getCertificate(builder.build(new JcaContentSignerBuilder("SHA256withRSA").build(keys.getPrivate())));
        try (JcaPEMWriter writer = new JcaPEMWriter(Files.newBufferedWriter(certificateFile))) {
            writer.writeObject(certificate);
        }
        try (JcaPEMWriter writer = new JcaPEMWriter(Files.newBufferedWriter(keyFile))) {
            writer.writeObject(new PemObject("PRIVATE KEY", keys.getPrivate().getEncoded()));
        }
    }

    private static ByteBuf utf8(String text) {
        return Unpooled.wrappedBuffer(utf8Bytes(text));
    }

    private static byte[] utf8Bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] receive(DatagramSocket socket) throws Exception {
        byte[] buffer = new byte[2048];
        DatagramPacket packet = new DatagramPacket(buffer, buffer.length);
        socket.receive(packet);
        return Arrays.copyOf(buffer, packet.getLength());
    }

    /**
     * A minimal DTLS 1.2 ClientHello in one record (RFC 6347 §4.1, §4.2.2): fixed random, no session, the given
     * cookie, one suite, null compression, no extensions.
     */
    private static byte[] clientHello(byte[] cookie) {
        ByteBuffer body = ByteBuffer.allocate(2 + 32 + 1 + 1 + cookie.length + 2 + 2 + 1 + 1);
        body.put((byte) 0xfe).put((byte) 0xfd);
        byte[] random = new byte[32];
        Arrays.fill(random, (byte) 7);
        body.put(random);
        body.put((byte) 0); // session_id
        body.put((byte) cookie.length).put(cookie);
        body.putShort((short) 2).putShort((short) 0xC02B); // TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256
        body.put((byte) 1).put((byte) 0); // compression: null
        int length = body.capacity();
        ByteBuffer record = ByteBuffer.allocate(13 + 12 + length);
        record.put((byte) 22).put((byte) 0xfe).put((byte) 0xff); // handshake, DTLS 1.0 record version
        record.putShort((short) 0); // epoch
        record.putShort((short) 0).putInt(cookie.length == 0 ? 0 : 1); // sequence number (48 bits)
        record.putShort((short) (12 + length));
        record.put((byte) 1); // client_hello
        putUint24(record, length);
        record.putShort((short) (cookie.length == 0 ? 0 : 1)); // message_seq
        putUint24(record, 0); // fragment_offset
        putUint24(record, length); // fragment_length
        record.put(body.array());
        return record.array();
    }

    private static void putUint24(ByteBuffer buffer, int value) {
        buffer.put((byte) (value >>> 16)).put((byte) (value >>> 8)).put((byte) value);
    }

    private static void await(BooleanSupplier condition) {
        Awaitility.await()
                .atMost(Duration.ofSeconds(TIMEOUT_SECONDS))
                .pollInterval(Duration.ofMillis(10))
                .until(condition::getAsBoolean);
    }

    /** The server finishes its side of the handshake a moment after the client: wait for it, boundedly. */
    private static DtlsSessionInfo awaitSession(DtlsDatagramLink server, java.net.InetSocketAddress peer) {
        return Awaitility.await("a server session with " + peer)
                .atMost(Duration.ofSeconds(5))
                .pollInterval(Duration.ofMillis(5))
                .until(() -> server.session(peer), java.util.Optional::isPresent)
                .get();
    }
}
