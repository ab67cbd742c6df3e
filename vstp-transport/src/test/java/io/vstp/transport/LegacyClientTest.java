package io.vstp.transport;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.vstp.core.codec.v1.FrameReader;
import io.vstp.core.codec.v1.FrameWriter;
import io.vstp.core.frame.Frame;
import io.vstp.core.frame.FrameType;
import io.vstp.transport.testing.Frames;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The client's side of peers without sessions (session.md §6): it finds one by its unanswered HELLO and connects
 * again without HELLO, and it matches answers that carry no {@code req-id} to requests in order, as the crate's
 * servers answer. The peer here is a raw socket that behaves as the crate's server does.
 */
class LegacyClientTest {

    /** A server that never sends WELCOME; it answers DATA with DATA without any header, in order. */
    private static final class SessionlessServer implements AutoCloseable {
        final ServerSocket socket = new ServerSocket(0, 16, InetAddress.getLoopbackAddress());
        /** Per connection, the types of the frames it received. */
        final List<List<String>> connections = new CopyOnWriteArrayList<>();

        private final boolean answerHello;

        SessionlessServer(boolean answerHello) throws Exception {
            this.answerHello = answerHello;
            Thread t = new Thread(this::accept, "sessionless-server");
            t.setDaemon(true);
            t.start();
        }

        private void accept() {
            try {
                while (!socket.isClosed()) {
                    Socket s = socket.accept();
                    List<String> seen = new CopyOnWriteArrayList<>();
                    connections.add(seen);
                    Thread t = new Thread(() -> serve(s, seen), "sessionless-connection");
                    t.setDaemon(true);
                    t.start();
                }
            } catch (Exception e) {
                // closed
            }
        }

        private void serve(Socket s, List<String> seen) {
            FrameReader reader = new FrameReader();
            FrameWriter writer = new FrameWriter(1 << 20);
            ByteBuf acc = Unpooled.buffer();
            try (s) {
                InputStream in = s.getInputStream();
                OutputStream out = s.getOutputStream();
                byte[] chunk = new byte[8192];
                for (int n; (n = in.read(chunk)) > 0; ) {
                    acc.writeBytes(chunk, 0, n);
                    for (Frame f; (f = reader.read(acc)) != null; ) {
                        seen.add(f.type().name());
                        Frame reply = f.type().equals(FrameType.DATA)
                                ? Frame.builder(FrameType.DATA)
                                        .payload("re:" + f.payloadAsString())
                                        .build()
                                : f.type().equals(FrameType.HELLO) && answerHello
                                        // The crate's easy server answers any frame it cannot parse as JSON.
                                        ? Frame.builder(FrameType.DATA)
                                                .payload("Invalid data: EOF")
                                                .build()
                                        : null;
                        f.release();
                        if (reply != null) {
                            ByteBuf b = Unpooled.buffer();
                            writer.write(reply, b);
                            reply.release();
                            byte[] bytes = new byte[b.readableBytes()];
                            b.readBytes(bytes);
                            b.release();
                            out.write(bytes);
                            out.flush();
                        }
                    }
                }
            } catch (Exception e) {
                // the client went away
            } finally {
                acc.release();
            }
        }

        int port() {
            return socket.getLocalPort();
        }

        @Override
        public void close() throws Exception {
            socket.close();
        }
    }

    @Test
    void anUnansweredHelloMeansAPeerWithoutSessions() throws Exception {
        try (SessionlessServer server = new SessionlessServer(false);
                VstpClient client = VstpClient.builder()
                        .plain()
                        .threads(1)
                        .detectLegacyPeer(Duration.ofMillis(300))
                        .build()) {
            VstpConnection c = client.connect("127.0.0.1", server.port()).get(5, TimeUnit.SECONDS);
            assertThat(c.legacyPeer()).isTrue();
            assertThat(c.wireVersion()).isEqualTo(1);
            assertThat(c.wireSummary()).contains("legacy peer");
            List<java.util.concurrent.CompletableFuture<Frame>> replies = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                replies.add(c.request(Frames.data("m" + i)));
            }
            for (int i = 0; i < 20; i++) {
                Frame r = replies.get(i).get(5, TimeUnit.SECONDS);
                assertThat(r.payloadAsString())
                        .as("answers without req-id are taken in order")
                        .isEqualTo("re:m" + i);
                r.release();
            }
            c.close();
            assertThat(server.connections).hasSize(2);
            assertThat(server.connections.get(0)).as("the probe").containsExactly("HELLO");
            assertThat(server.connections.get(1))
                    .as("no HELLO the second time")
                    .startsWith("DATA")
                    .doesNotContain("HELLO");
        }
    }

    @Test
    void aHelloAnsweredWithDataAlsoMeansAPeerWithoutSessionsAtOnce() throws Exception {
        try (SessionlessServer server = new SessionlessServer(true);
                VstpClient client = VstpClient.builder()
                        .plain()
                        .threads(1)
                        .detectLegacyPeer(Duration.ofSeconds(20))
                        .build()) {
            long start = System.nanoTime();
            VstpConnection c = client.connect("127.0.0.1", server.port()).get(5, TimeUnit.SECONDS);
            assertThat(Duration.ofNanos(System.nanoTime() - start))
                    .as("no wait for the timer")
                    .isLessThan(Duration.ofSeconds(10));
            assertThat(c.legacyPeer()).isTrue();
            Frame r = c.request(Frames.data("x")).get(5, TimeUnit.SECONDS);
            assertThat(r.payloadAsString()).isEqualTo("re:x");
            r.release();
            c.close();
        }
    }

    @Test
    void aVstpServerIsNeverTakenForALegacyPeer() throws Exception {
        try (VstpServer server = VstpServer.builder()
                        .port(0)
                        .threads(1)
                        .plain()
                        .handler(RequestHandler.echo())
                        .start();
                VstpClient client = VstpClient.builder()
                        .plain()
                        .threads(1)
                        .detectLegacyPeer(Duration.ofSeconds(2))
                        .build()) {
            VstpConnection c = client.connect("127.0.0.1", server.port()).get(5, TimeUnit.SECONDS);
            assertThat(c.legacyPeer()).isFalse();
            assertThat(c.wireVersion()).isEqualTo(2);
            assertThat(server.stats().accepted()).isEqualTo(1);
            c.close();
        }
    }

    @Test
    void withoutDetectionAnUnansweredHelloTimesOut() throws Exception {
        try (SessionlessServer server = new SessionlessServer(false);
                VstpClient client = VstpClient.builder()
                        .plain()
                        .threads(1)
                        .limits(TransportLimits.DEFAULT.withTimeouts(
                                Duration.ofMillis(500), Duration.ofSeconds(30), Duration.ofSeconds(5)))
                        .build()) {
            assertThat(client.connect("127.0.0.1", server.port()))
                    .failsWithin(5, TimeUnit.SECONDS)
                    .withThrowableOfType(java.util.concurrent.ExecutionException.class)
                    .withMessageContaining("HANDSHAKE_TIMEOUT");
            assertThat(server.connections).hasSize(1);
        }
    }

    /** Credentials travel in HELLO: a client with a token never drops them to reach a peer without sessions. */
    @Test
    void aClientWithATokenNeverFallsBack() throws Exception {
        try (SessionlessServer server = new SessionlessServer(true);
                VstpClient client = VstpClient.builder()
                        .plain()
                        .threads(1)
                        .bearerToken(() -> "secret")
                        .detectLegacyPeer(Duration.ofMillis(200))
                        .build()) {
            assertThat(client.connect("127.0.0.1", server.port()))
                    .failsWithin(15, TimeUnit.SECONDS)
                    .withThrowableOfType(java.util.concurrent.ExecutionException.class)
                    .withMessageContaining("PROTOCOL_VIOLATION");
            assertThat(server.connections).hasSize(1);
        }
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> VstpClient.builder()
                        .plain()
                        .legacyPeer(true)
                        .bearerToken(() -> "secret")
                        .build())
                .isInstanceOf(IllegalStateException.class);
    }

    /** Answers are matched in order, so a request that times out would shift them all: the connection closes. */
    @Test
    void aTimedOutRequestToALegacyPeerClosesTheConnection() throws Exception {
        try (SessionlessServer server = new SessionlessServer(false);
                VstpClient client = VstpClient.builder()
                        .plain()
                        .legacyPeer(true)
                        .threads(1)
                        .requestTimeout(Duration.ofMillis(300))
                        .build()) {
            VstpConnection c = client.connect("127.0.0.1", server.port()).get(5, TimeUnit.SECONDS);
            // The server answers DATA only: a PING-typed request gets no answer and times out.
            assertThat(c.request(Frame.builder(FrameType.PING).build()))
                    .failsWithin(5, TimeUnit.SECONDS)
                    .withThrowableOfType(java.util.concurrent.ExecutionException.class)
                    .withMessageContaining("REQUEST_TIMEOUT");
            assertThat(c.closeFuture()).succeedsWithin(5, TimeUnit.SECONDS);
        }
    }
}
