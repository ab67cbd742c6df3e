package io.vstp.bench.suite;

import io.vstp.core.frame.Frame;
import io.vstp.transport.tls.CertificateFingerprints;
import io.vstp.transport.tls.PemFiles;
import io.vstp.transport.tls.TlsClientOptions;
import io.vstp.transport.tls.TlsServerOptions;
import io.vstp.transport.udp.DatagramLink;
import io.vstp.transport.udp.LossyDatagramLink;
import io.vstp.transport.udp.NettyDatagramLink;
import io.vstp.transport.udp.UdpLimits;
import io.vstp.transport.udp.VstpUdpEndpoint;
import io.vstp.transport.udp.dtls.DtlsClientOptions;
import io.vstp.transport.udp.dtls.DtlsDatagramLink;
import io.vstp.transport.udp.dtls.DtlsServerOptions;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

/**
 * VSTP over UDP, plaintext or DTLS 1.2: a server {@link VstpUdpEndpoint} that counts (and acknowledges) what
 * arrives, and one client endpoint per "connection". {@link #send} is VSTP's unreliable datagram (at most 4096
 * unsent per endpoint, so the sender cannot outrun the socket); {@link #request} is a reliable send completing on
 * its acknowledgement; {@link #transfer} a reliable message of {@code size} bytes, fragmented. With
 * {@code loss > 0} both endpoints drop that share of the datagrams they send ({@link LossyDatagramLink}, seeded).
 */
final class VstpUdpPeer implements Peer {
    private static final int MAX_UNSENT = 4096;

    private final boolean dtls;
    private final LongAdder received = new LongAdder();
    private final List<VstpUdpEndpoint> clients = new ArrayList<>();
    private final List<Semaphore> unsent = new ArrayList<>();
    private final List<LossyDatagramLink> lossy = new ArrayList<>();
    private VstpUdpEndpoint server;
    private InetSocketAddress serverAddress;
    private Frame template;
    private Path home;
    private String security = "plaintext";

    VstpUdpPeer(boolean dtls) {
        this.dtls = dtls;
    }

    @Override
    public void start(PeerSetup setup) throws Exception {
        template = setup.vstpFrame();
        UdpLimits limits = UdpLimits.DEFAULT;
        VstpUdpEndpoint.Handler count = (peer, frame) -> {
            received.increment();
            frame.release();
        };
        DatagramLink serverLink = socket(setup, limits, 1);
        String fingerprint = null;
        if (dtls) {
            home = Files.createTempDirectory("vstp-suite-udp-");
            TlsServerOptions tls =
                    TlsServerOptions.builder().home(home.resolve("server")).build();
            serverLink = DtlsDatagramLink.server(
                    serverLink, DtlsServerOptions.builder().tls(tls).build());
            fingerprint = CertificateFingerprints.sha256(
                    PemFiles.readCertificates(tls.selfSignedCertificateFile()).get(0));
        }
        server = VstpUdpEndpoint.builder()
                .link(serverLink)
                .limits(limits)
                .handler(count)
                .start();
        serverAddress = server.localAddress();
        for (int i = 0; i < setup.connections(); i++) {
            DatagramLink link = socket(setup, limits, 2 + i);
            if (dtls) {
                DtlsDatagramLink client = DtlsDatagramLink.client(
                        link,
                        DtlsClientOptions.builder()
                                .tls(TlsClientOptions.builder()
                                        .home(home.resolve("client"))
                                        .trustSystemCertificates(false)
                                        .pin(fingerprint)
                                        .build())
                                .build());
                VstpUdpEndpoint endpoint =
                        VstpUdpEndpoint.builder().link(client).limits(limits).start();
                var session = client.connect(serverAddress).get(10, TimeUnit.SECONDS);
                security =
                        session.protocolVersion() + " " + session.cipherSuite().name();
                clients.add(endpoint);
            } else {
                clients.add(VstpUdpEndpoint.builder().link(link).limits(limits).start());
            }
            unsent.add(new Semaphore(MAX_UNSENT));
        }
    }

    private DatagramLink socket(PeerSetup setup, UdpLimits limits, long seed) throws InterruptedException {
        NettyDatagramLink link =
                NettyDatagramLink.bind(new InetSocketAddress("127.0.0.1", 0), null, limits.maxDatagramSize());
        if (setup.loss() <= 0) {
            return link;
        }
        LossyDatagramLink l = new LossyDatagramLink(link, seed, setup.loss(), 0, 0, 1);
        lossy.add(l);
        return l;
    }

    @Override
    public void send(int connection) throws Exception {
        Semaphore gate = unsent.get(connection);
        if (!gate.tryAcquire(30, TimeUnit.SECONDS)) {
            throw new IllegalStateException("no datagram left the endpoint for 30 s");
        }
        clients.get(connection)
                .send(serverAddress, template.retainedDuplicate())
                .whenComplete((v, e) -> gate.release());
    }

    @Override
    public long received() {
        return received.sum();
    }

    @Override
    public CompletableFuture<?> request(int connection) {
        return clients.get(connection).sendReliable(serverAddress, template.retainedDuplicate());
    }

    @Override
    public CompletableFuture<?> transfer() {
        return clients.get(0).sendReliable(serverAddress, template.retainedDuplicate());
    }

    @Override
    public String detail() {
        long dropped = lossy.stream().mapToLong(LossyDatagramLink::dropped).sum();
        long retransmitted =
                clients.stream().mapToLong(c -> c.stats().retransmitted()).sum();
        long timeouts = clients.stream().mapToLong(c -> c.stats().timeouts()).sum();
        return "VSTP over UDP, " + security + (lossy.isEmpty() ? "" : ", " + dropped + " datagrams dropped")
                + ", client retransmitted " + retransmitted + " (" + timeouts + " timeouts), server "
                + (server == null ? "not started" : server.stats());
    }

    @Override
    public void close() throws Exception {
        clients.forEach(VstpUdpEndpoint::close);
        if (server != null) {
            server.close();
        }
        PeerSetup.deleteTree(home);
    }
}
