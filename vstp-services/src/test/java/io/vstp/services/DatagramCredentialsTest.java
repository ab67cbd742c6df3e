package io.vstp.services;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.vstp.transport.auth.Principal;
import io.vstp.transport.tls.CertifiedKey;
import io.vstp.transport.tls.TlsClientOptions;
import io.vstp.transport.tls.TlsServerOptions;
import io.vstp.transport.udp.NettyDatagramLink;
import io.vstp.transport.udp.UdpLimits;
import io.vstp.transport.udp.VstpUdpEndpoint;
import io.vstp.transport.udp.dtls.DtlsClientOptions;
import io.vstp.transport.udp.dtls.DtlsDatagramLink;
import io.vstp.transport.udp.dtls.DtlsServerOptions;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a DTLS association proved stays with that association (services.md §2b): a later handshake from the same
 * address and port is anonymous again, expired credentials count for nothing, and plaintext has no association.
 */
class DatagramCredentialsTest {
    @TempDir
    Path tmp;

    private static final Principal OWNER = new Principal("owner", Set.of("owner"), Map.of(), "access-token", null);

    @Test
    void aBindingHoldsForItsAssociationOnlyAndNotPastExpiry() throws Exception {
        TlsServerOptions tls =
                TlsServerOptions.builder().home(tmp.resolve("server")).build();
        VstpUdpEndpoint[] server = new VstpUdpEndpoint[1];
        DatagramCredentials proved = new DatagramCredentials(server);
        server[0] = VstpUdpEndpoint.builder()
                .host("127.0.0.1")
                .port(0)
                .handler((peer, frame) -> frame.release())
                .dtlsServer(DtlsServerOptions.builder().tls(tls).build())
                .start();
        try {
            InetSocketAddress serverAddress =
                    new InetSocketAddress("127.0.0.1", server[0].localAddress().getPort());
            DtlsClientOptions client = DtlsClientOptions.builder()
                    .tls(TlsClientOptions.builder()
                            .home(tmp.resolve("client"))
                            .trustSystemCertificates(false)
                            .pin(CertifiedKey.forServer(tls).fingerprint())
                            .build())
                    .build();

            VstpUdpEndpoint first = connect(client, new InetSocketAddress("127.0.0.1", 0), serverAddress);
            InetSocketAddress peer = first.localAddress();
            // The client's handshake ends a flight before the server's: wait for the server's side.
            await().atMost(Duration.ofSeconds(10))
                    .pollInterval(Duration.ofMillis(10))
                    .until(() -> server[0].dtlsSession(peer).isPresent());
            assertThat(proved.current(peer)).as("nothing proved yet").isNull();
            assertThat(proved.bind(peer, OWNER)).isTrue();
            assertThat(proved.current(peer)).isEqualTo(OWNER);
            io.vstp.transport.udp.dtls.DtlsSessionInfo firstAssociation =
                    server[0].dtlsSession(peer).orElseThrow();
            first.close();

            // Same address and port, a new handshake: a new association, which proved nothing.
            VstpUdpEndpoint second = connect(client, peer, serverAddress);
            try {
                waitForNewAssociation(server[0], peer, firstAssociation);
                assertThat(proved.current(peer))
                        .as("the binding was to the first association")
                        .isNull();
                assertThat(proved.bind(peer, OWNER, firstAssociation))
                        .as("credentials that came over the first association bind to no other")
                        .isFalse();
                assertThat(proved.current(peer)).isNull();

                Principal expired = new Principal(
                        "owner", Set.of("owner"), Map.of(), "jwt", Instant.now().minusSeconds(1));
                assertThat(proved.bind(peer, expired)).isTrue();
                assertThat(proved.current(peer))
                        .as("expired credentials prove nothing")
                        .isNull();
            } finally {
                second.close();
            }
            assertThat(proved.bind(new InetSocketAddress("127.0.0.1", 9), OWNER))
                    .as("no association, nothing to bind to")
                    .isFalse();
        } finally {
            server[0].close();
        }
    }

    private static VstpUdpEndpoint connect(DtlsClientOptions options, InetSocketAddress local, InetSocketAddress server)
            throws Exception {
        NettyDatagramLink socket = NettyDatagramLink.bind(local, null, UdpLimits.DEFAULT.maxDatagramSize());
        DtlsDatagramLink link = DtlsDatagramLink.client(socket, options);
        VstpUdpEndpoint endpoint = VstpUdpEndpoint.builder()
                .link(link)
                .handler((p, f) -> f.release())
                .start();
        link.connect(server).get(20, TimeUnit.SECONDS);
        return endpoint;
    }

    /** Until the server holds an association with {@code peer} other than {@code old} (bounded wait). */
    private static void waitForNewAssociation(
            VstpUdpEndpoint server, InetSocketAddress peer, io.vstp.transport.udp.dtls.DtlsSessionInfo old) {
        await("the second handshake completed on the server")
                .atMost(Duration.ofSeconds(10))
                .pollInterval(Duration.ofMillis(20))
                .until(() -> server.dtlsSession(peer).filter(s -> s != old).isPresent());
    }
}
