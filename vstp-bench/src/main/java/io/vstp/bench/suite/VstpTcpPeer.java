package io.vstp.bench.suite;

import io.vstp.core.frame.Frame;
import io.vstp.transport.ProtocolOptions;
import io.vstp.transport.RequestHandler;
import io.vstp.transport.TransportLimits;
import io.vstp.transport.VstpClient;
import io.vstp.transport.VstpConnection;
import io.vstp.transport.VstpServer;
import io.vstp.transport.tls.TlsClientOptions;
import io.vstp.transport.tls.TlsProvider;
import io.vstp.transport.tls.TlsServerOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

/**
 * VSTP over TCP, plaintext or TLS 1.3: a {@link VstpServer} and a {@link VstpClient}, one I/O thread each, as
 * {@code vstp bench --local} runs them. Frames carry the suite's three headers; requests add the transport's
 * {@code req-id}. One-way frames go out with {@link VstpConnection#send}, waiting on {@link
 * VstpConnection#whenWritable()} when the connection's outbound buffer passes its high water mark.
 *
 * <p>Plaintext variants: {@code v2} (the default: wire v2 negotiated, with payload compression),
 * {@code v2-nocomp} (v2 without compression) and {@code v1} (both ends speak only wire v1). TLS variants (all on wire
 * v2): {@code openssl} (the default provider; BoringSSL picks AES-128-GCM on AES-NI hardware),
 * {@code jdk-aes128} and {@code jdk-chacha20} (JDK provider on both sides, one suite allowed), and
 * {@code openssl-chacha20} (BoringSSL server, JDK client offering ChaCha20-Poly1305 only: BoringSSL cannot be
 * restricted itself).
 */
final class VstpTcpPeer implements Peer {
    private static final String AES128 = "TLS_AES_128_GCM_SHA256";
    private static final String CHACHA20 = "TLS_CHACHA20_POLY1305_SHA256";

    private final boolean tls;
    private final LongAdder received = new LongAdder();
    private final List<VstpConnection> connections = new ArrayList<>();
    private VstpServer server;
    private VstpClient client;
    private Frame template;
    private Path home;
    private String variant;

    VstpTcpPeer(boolean tls) {
        this.tls = tls;
    }

    @Override
    public void start(PeerSetup setup) throws Exception {
        template = setup.vstpFrame();
        TransportLimits limits = TransportLimits.DEFAULT; // 8 MiB frames: room for the suite's largest
        RequestHandler handler = setup.mode() == PeerSetup.Mode.ECHO
                ? RequestHandler.echo()
                : (request, session) -> {
                    received.increment();
                    return CompletableFuture.completedFuture(null);
                };
        VstpServer.Builder sb = VstpServer.builder()
                .host("127.0.0.1")
                .port(0)
                .threads(1)
                .limits(limits)
                .handler(handler);
        VstpClient.Builder cb = VstpClient.builder().threads(1).limits(limits).requestTimeout(Duration.ofSeconds(30));
        if (tls) {
            home = Files.createTempDirectory("vstp-suite-");
            variant = setup.variant().isEmpty() ? "openssl" : setup.variant();
            TlsServerOptions.Builder so = TlsServerOptions.builder().home(home.resolve("server"));
            TlsClientOptions.Builder co =
                    TlsClientOptions.builder().home(home.resolve("client")).trustSystemCertificates(false);
            switch (variant) {
                case "openssl" -> {}
                case "jdk-aes128" -> {
                    so.provider(TlsProvider.JDK).cipherSuites(List.of(AES128));
                    co.provider(TlsProvider.JDK).cipherSuites(List.of(AES128));
                }
                case "jdk-chacha20" -> {
                    so.provider(TlsProvider.JDK).cipherSuites(List.of(CHACHA20));
                    co.provider(TlsProvider.JDK).cipherSuites(List.of(CHACHA20));
                }
                case "openssl-chacha20" -> {
                    so.provider(TlsProvider.OPENSSL);
                    co.provider(TlsProvider.JDK).cipherSuites(List.of(CHACHA20));
                }
                default ->
                    throw new IllegalArgumentException("unknown TLS variant " + variant
                            + " (openssl, jdk-aes128, jdk-chacha20, openssl-chacha20)");
            }
            server = sb.tls(so.build()).start();
            client = cb.tls(co.pin(server.certificateFingerprint()).build()).build();
        } else {
            variant = setup.variant().isEmpty() ? "v2" : setup.variant();
            ProtocolOptions protocol = switch (variant) {
                case "v2" -> ProtocolOptions.DEFAULT;
                case "v2-nocomp" -> ProtocolOptions.DEFAULT.withCompression(List.of());
                case "v1" -> ProtocolOptions.V1_ONLY;
                default ->
                    throw new IllegalArgumentException("unknown plaintext variant " + variant + " (v1, v2, v2-nocomp)");
            };
            server = sb.plain().protocol(protocol).start();
            client = cb.plain().protocol(protocol).build();
        }
        for (int i = 0; i < setup.connections(); i++) {
            connections.add(client.connect("127.0.0.1", server.port()).get(10, TimeUnit.SECONDS));
        }
    }

    @Override
    public void send(int connection) throws Exception {
        VstpConnection c = connections.get(connection);
        if (!c.isWritable()) {
            c.whenWritable().get(30, TimeUnit.SECONDS);
        }
        c.send(template.retainedDuplicate());
    }

    @Override
    public long received() {
        return received.sum();
    }

    @Override
    public CompletableFuture<?> request(int connection) {
        return connections.get(connection).request(template.retainedDuplicate()).thenAccept(Frame::release);
    }

    @Override
    public String detail() {
        VstpConnection c = connections.get(0);
        if (!tls) {
            return "VSTP over TCP, plaintext, " + c.wireSummary();
        }
        return "VSTP over " + c.tlsProtocol() + " " + c.tlsCipherSuite() + " (server " + server.tlsProvider()
                + ", variant " + variant + "), " + c.wireSummary();
    }

    @Override
    public long serverBytesReceived() {
        return server.stats().bytesReceived();
    }

    @Override
    public void close() throws Exception {
        for (VstpConnection c : connections) {
            c.close();
        }
        if (client != null) {
            client.close();
        }
        if (server != null) {
            server.close();
        }
        PeerSetup.deleteTree(home);
    }

    static Map<String, String> variants() {
        return Map.of(
                "openssl",
                "default provider",
                "jdk-aes128",
                AES128,
                "jdk-chacha20",
                CHACHA20,
                "openssl-chacha20",
                CHACHA20);
    }
}
