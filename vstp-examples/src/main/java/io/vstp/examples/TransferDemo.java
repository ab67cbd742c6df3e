package io.vstp.examples;

import io.netty.buffer.Unpooled;
import io.vstp.core.frame.Frame;
import io.vstp.core.frame.FrameType;
import io.vstp.transport.ClientStream;
import io.vstp.transport.EventLoops;
import io.vstp.transport.RequestHandler;
import io.vstp.transport.VstpClient;
import io.vstp.transport.VstpConnection;
import io.vstp.transport.VstpServer;
import io.vstp.transport.tls.TlsClientOptions;
import io.vstp.transport.tls.TlsServerOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * The main job on an embedded default: a VSTP server with TLS 1.3 and a self-signed certificate, and a client
 * that uploads a file in chunks on one wire-v2 stream (ordered, flow-controlled, each chunk acknowledged) and checks
 * the server's SHA-256 of what arrived. No configuration: both ends keep their TLS files in a fresh temporary VSTP
 * home.
 *
 * <p>Run: {@code java -jar vstp-examples/target/vstp-examples.jar [MiB]} (default 64), or with argument {@code codec}
 * for the wire codec walkthrough, {@code auth} for authentication and authorisation ({@link AuthDemo}), {@code e2e}
 * for end-to-end encryption and signatures ({@link EndToEndDemo}), or {@code files} for the files service as a
 * library ({@link FilesDemo}).
 */
public final class TransferDemo {
    private static final int CHUNK = 1024 * 1024;

    public static void main(String[] args) throws Exception {
        if (args.length > 0 && args[0].equals("codec")) {
            CodecDemo.main(new String[0]);
            return;
        }
        if (args.length > 0 && args[0].equals("e2e")) {
            EndToEndDemo.main(new String[0]);
            return;
        }
        if (args.length > 0 && args[0].equals("files")) {
            FilesDemo.main(java.util.Arrays.copyOfRange(args, 1, args.length));
            return;
        }
        if (args.length > 0 && args[0].equals("auth")) {
            AuthDemo.main(new String[0]);
            return;
        }
        int mib = args.length > 0 ? Integer.parseInt(args[0]) : 64;
        Path home = Files.createTempDirectory("vstp-demo-");
        System.out.println("VSTP transfer demo: " + mib + " MiB over TLS 1.3 on 127.0.0.1 (" + EventLoops.mechanism()
                + "), TLS files in " + home);

        // Server: an upload is one stream of DATA messages (file, offset), each answered; the message that ends the
        // stream ("commit") is answered with the SHA-256 of everything received. Messages of one stream reach the
        // handler one at a time and in order; messages of different streams would not.
        ConcurrentHashMap<String, MessageDigest> digests = new ConcurrentHashMap<>();
        RequestHandler receiver = RequestHandler.of((request, session) -> {
            String file = request.headers().value("file");
            MessageDigest md = digests.computeIfAbsent(session.id() + file, k -> sha256());
            if ("commit".equals(request.headers().value("op"))) {
                String hex = HexFormat.of().formatHex(md.digest());
                return Frame.builder(FrameType.DATA).header("sha256", hex).build();
            }
            md.update(request.payload().nioBuffer());
            return Frame.builder(FrameType.DATA).header("ok", "1").build();
        });

        try (VstpServer server = VstpServer.builder()
                        .port(0)
                        .handler(receiver)
                        .tls(TlsServerOptions.builder()
                                .home(home.resolve("server"))
                                .build())
                        .start();
                VstpClient client = VstpClient.builder()
                        .tls(TlsClientOptions.builder()
                                .home(home.resolve("client"))
                                .build())
                        .build();
                VstpConnection conn = client.connect("127.0.0.1", server.port()).get(10, TimeUnit.SECONDS)) {
            System.out.printf(
                    "server  listening on 127.0.0.1:%d, certificate %s (%s provider)%n",
                    server.port(), server.certificateFingerprint(), server.tlsProvider());
            System.out.printf(
                    "client  %s %s, ALPN %s, session %s, pinned on first use%n",
                    conn.tlsProtocol(), conn.tlsCipherSuite(), conn.applicationProtocol(), conn.sessionId());
            System.out.println("wire    " + conn.wireSummary());

            byte[] chunk = new byte[CHUNK];
            Random random = new Random(42);
            MessageDigest local = sha256();
            long start = System.nanoTime();
            ClientStream upload = conn.openStream().get(10, TimeUnit.SECONDS);
            upload.onMessage((answer, consumed) -> { // the per-chunk answers: the commit's answer is what counts
                answer.release();
                consumed.run();
            });
            List<CompletableFuture<Void>> sent = new ArrayList<>();
            for (int i = 0; i < mib; i++) {
                random.nextBytes(chunk);
                local.update(chunk);
                sent.add(upload.send(Frame.builder(FrameType.DATA)
                        .header("file", "demo.bin")
                        .header("offset", Long.toString((long) i * CHUNK))
                        .payload(Unpooled.copiedBuffer(chunk))
                        .build()));
                if (sent.size() >= 16) { // each send completes once the server's credit let it out
                    sent.remove(0).get(30, TimeUnit.SECONDS);
                }
            }
            Frame commit = upload.finish(
                            Frame.builder(FrameType.DATA)
                                    .header("file", "demo.bin")
                                    .header("op", "commit")
                                    .build(),
                            Duration.ofSeconds(30))
                    .get(30, TimeUnit.SECONDS);
            String remote = commit.headers().value("sha256");
            commit.release();
            double seconds = (System.nanoTime() - start) / 1e9;
            String expected = HexFormat.of().formatHex(local.digest());
            System.out.printf("upload  %d MiB in %.2f s (%.0f MiB/s)%n", mib, seconds, mib / seconds);
            System.out.println("sha256  sent     " + expected);
            System.out.println("sha256  received " + remote);
            Duration rtt = conn.ping().get(5, TimeUnit.SECONDS);
            System.out.printf("ping    %d µs%n", rtt.toNanos() / 1000);
            if (!expected.equals(remote)) {
                System.err.println("codec demo: FAILED, the server received different bytes");
                System.exit(1);
            }
            System.out.println("OK: every byte arrived intact over TLS 1.3");
        }
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
