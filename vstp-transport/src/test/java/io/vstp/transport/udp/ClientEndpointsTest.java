package io.vstp.transport.udp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vstp.core.frame.Frame;
import io.vstp.core.frame.FrameType;
import io.vstp.transport.tls.CertificateVerificationException;
import io.vstp.transport.tls.TlsClientOptions;
import io.vstp.transport.tls.TlsServerOptions;
import io.vstp.transport.udp.dtls.DtlsClientOptions;
import io.vstp.transport.udp.dtls.DtlsServerOptions;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A client endpoint is ready when {@link ClientEndpoints#connect} returns: over DTLS the handshake is done, and an
 * untrusted certificate or a silent server fails there, with its own exception, not as a later send timing out.
 */
class ClientEndpointsTest {
    @TempDir
    Path tmp;

    private VstpUdpEndpoint dtlsServer(BlockingQueue<Frame> got) throws InterruptedException {
        return VstpUdpEndpoint.builder()
                .host("127.0.0.1")
                .handler((peer, f) -> got.add(f))
                .dtlsServer(DtlsServerOptions.builder()
                        .tls(TlsServerOptions.builder()
                                .home(tmp.resolve("server"))
                                .build())
                        .build())
                .start();
    }

    private DtlsClientOptions pinning(String fingerprint) {
        return DtlsClientOptions.builder()
                .tls(TlsClientOptions.builder()
                        .home(tmp.resolve("client"))
                        .pin(fingerprint)
                        .build())
                .build();
    }

    @Test
    void overDtlsTheHandshakeIsDoneBeforeTheEndpointIsReturned() throws Exception {
        BlockingQueue<Frame> got = new LinkedBlockingQueue<>();
        try (VstpUdpEndpoint server = dtlsServer(got)) {
            DtlsClientOptions firstUse = DtlsClientOptions.builder()
                    .tls(TlsClientOptions.builder()
                            .home(tmp.resolve("client"))
                            .trustSystemCertificates(false)
                            .build())
                    .build();
            try (VstpUdpEndpoint client = ClientEndpoints.connect(
                    server.localAddress(), firstUse, Duration.ofSeconds(15), (peer, f) -> f.release())) {
                assertThat(client.dtls()).isTrue();
                assertThat(client.dtlsSession(server.localAddress()))
                        .as("handshake done before return")
                        .isPresent();
                assertThat(client.localAddress().getAddress().isLoopbackAddress())
                        .isTrue();
                client.sendReliable(
                                server.localAddress(),
                                Frame.builder(FrameType.DATA).payload("hi").build())
                        .get(15, TimeUnit.SECONDS);
                Frame f = got.poll(5, TimeUnit.SECONDS);
                assertThat(f.payloadAsString()).isEqualTo("hi");
                f.release();
            }
        }
    }

    @Test
    void anotherPinFailsTheHandshakeWithTheReason() throws Exception {
        try (VstpUdpEndpoint server = dtlsServer(new LinkedBlockingQueue<>())) {
            String wrong = "sha256:" + "00".repeat(32);
            assertThatThrownBy(() -> ClientEndpoints.connect(
                            server.localAddress(), pinning(wrong), Duration.ofSeconds(15), (peer, f) -> f.release()))
                    .isInstanceOf(ExecutionException.class)
                    .satisfies(e -> assertThat(CertificateVerificationException.findIn(e))
                            .isPresent());
        }
    }

    @Test
    void aSilentServerTimesOutAndAnUnresolvedOneIsRefused() throws Exception {
        try (DatagramSocket silent = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            InetSocketAddress address = new InetSocketAddress("127.0.0.1", silent.getLocalPort());
            assertThatThrownBy(() -> ClientEndpoints.connect(
                            address,
                            pinning("sha256:" + "00".repeat(32)),
                            Duration.ofMillis(500),
                            (peer, f) -> f.release()))
                    .isInstanceOf(TimeoutException.class);
        }
        assertThatThrownBy(() -> ClientEndpoints.connect(
                        InetSocketAddress.createUnresolved("no.such.host", 1),
                        null,
                        Duration.ofSeconds(1),
                        (peer, f) -> f.release()))
                .isInstanceOf(UnknownHostException.class);
    }

    @Test
    void plaintextIsAPlainEndpoint() throws Exception {
        try (VstpUdpEndpoint client = ClientEndpoints.connect(
                new InetSocketAddress("127.0.0.1", 9), null, Duration.ofSeconds(1), (peer, f) -> f.release())) {
            assertThat(client.dtls()).isFalse();
            assertThat(client.dtlsSession(new InetSocketAddress("127.0.0.1", 9)))
                    .isEmpty();
        }
    }
}
