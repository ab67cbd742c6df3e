package io.vstp.cli;

import io.vstp.transport.RequestHandler;
import io.vstp.transport.VstpServer;
import io.vstp.transport.tls.CertificateFingerprints;
import io.vstp.transport.tls.TlsClientOptions;
import io.vstp.transport.tls.TlsServerOptions;
import io.vstp.transport.udp.VstpUdpEndpoint;
import io.vstp.transport.udp.dtls.DtlsServerOptions;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.Comparator;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.stream.Stream;

/**
 * The server of {@code vstp bench --local}: on 127.0.0.1, a free port, one I/O thread, echoing (TCP/TLS, and raw
 * Netty for the baseline, see {@link BenchNetty}) or acknowledging (UDP/DTLS). For TLS and DTLS it gets a self-signed
 * certificate in a temporary VSTP home, and the
 * client pins that certificate from another temporary home, so the user's {@code ~/.vstp} is never read or written.
 * {@link #close()} stops the server and deletes the temporary homes.
 */
final class BenchLocalServer implements AutoCloseable {
    private static final String LOOPBACK = "127.0.0.1";

    private final Path home;
    private VstpServer tcp;
    private VstpUdpEndpoint udp;
    private BenchNetty.Server netty;
    private String fingerprint;

    private BenchLocalServer(Path home) {
        this.home = home;
    }

    static BenchLocalServer start(BenchCommand.Transport kind) throws InterruptedException {
        // The transport announces a generated certificate at INFO ("clients trust it on first use, or pin ..."):
        // advice for 'vstp serve', noise here, where the client pins it by itself. Quiet while starting only.
        Logger transportLog = Logger.getLogger("io.vstp.transport");
        Level previous = transportLog.getLevel();
        if (transportLog.isLoggable(Level.INFO)) {
            transportLog.setLevel(Level.WARNING);
        }
        try {
            return startQuietly(kind);
        } finally {
            transportLog.setLevel(previous);
        }
    }

    private static BenchLocalServer startQuietly(BenchCommand.Transport kind) throws InterruptedException {
        Path home;
        try {
            home = Files.createTempDirectory("vstp-bench-");
        } catch (IOException e) {
            throw new CliException(ExitCodes.IO, "cannot create a temporary directory: " + e.getMessage(), e);
        }
        BenchLocalServer s = new BenchLocalServer(home);
        boolean started = false;
        try {
            TlsServerOptions tls =
                    TlsServerOptions.builder().home(home.resolve("server")).build();
            switch (kind) {
                case TCP ->
                    s.tcp = VstpServer.builder()
                            .host(LOOPBACK)
                            .port(0)
                            .plain()
                            .handler(RequestHandler.echo())
                            .threads(1)
                            .start();
                case TLS -> {
                    s.tcp = VstpServer.builder()
                            .host(LOOPBACK)
                            .port(0)
                            .tls(tls)
                            .handler(RequestHandler.echo())
                            .threads(1)
                            .start();
                    s.fingerprint = s.tcp.certificateFingerprint();
                }
                case UDP ->
                    s.udp = VstpUdpEndpoint.builder()
                            .host(LOOPBACK)
                            .port(0)
                            .plain()
                            .start();
                case DTLS -> {
                    s.udp = VstpUdpEndpoint.builder()
                            .host(LOOPBACK)
                            .port(0)
                            .dtlsServer(DtlsServerOptions.builder().tls(tls).build())
                            .start();
                    s.fingerprint = fingerprintOf(tls.selfSignedCertificateFile());
                }
                case NETTY -> s.netty = BenchNetty.Server.start(LOOPBACK);
                default -> throw new IllegalStateException(kind.toString());
            }
            started = true;
            return s;
        } finally {
            if (!started) {
                s.close();
            }
        }
    }

    private static String fingerprintOf(Path pem) {
        try (InputStream in = Files.newInputStream(pem)) {
            return CertificateFingerprints.sha256(
                    (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in));
        } catch (IOException | GeneralSecurityException e) {
            throw new CliException(ExitCodes.IO, "cannot read the local server's certificate " + pem + ": " + e, e);
        }
    }

    Target target() {
        int port = tcp != null
                ? tcp.port()
                : netty != null ? netty.port() : udp.localAddress().getPort();
        return new Target(LOOPBACK, port, "");
    }

    /** What the client trusts: exactly this server's certificate, with a temporary home of its own. */
    TlsClientOptions clientTls() {
        return TlsClientOptions.builder()
                .home(home.resolve("client"))
                .trustSystemCertificates(false)
                .pin(fingerprint)
                .build();
    }

    @Override
    public void close() {
        try {
            if (tcp != null) {
                tcp.close();
            }
            if (udp != null) {
                udp.close();
            }
            if (netty != null) {
                netty.close();
            }
        } finally {
            deleteRecursively(home);
        }
    }

    private static void deleteRecursively(Path dir) {
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException e) {
                    // best effort: a temporary directory
                }
            });
        } catch (IOException e) {
            // best effort
        }
    }
}
