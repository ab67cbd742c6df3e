package io.vstp.transport.udp;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.Unpooled;
import io.vstp.core.frame.Frame;
import io.vstp.core.frame.FrameType;
import io.vstp.transport.tls.TlsClientOptions;
import io.vstp.transport.tls.TlsServerOptions;
import io.vstp.transport.udp.dtls.DtlsClientOptions;
import io.vstp.transport.udp.dtls.DtlsServerOptions;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Wire v2 over UDP (docs/spec/wire-v2.md §10-§11) between two endpoints on real sockets: learnt from the first ACK,
 * then v2 datagrams with several frames each; v1 kept with an endpoint that does not speak v2.
 */
class UdpWireV2Test {
    @TempDir
    Path serverHome;

    @TempDir
    Path clientHome;

    private static Frame message(int i) {
        return Frame.builder(FrameType.DATA)
                .header("n", Integer.toString(i))
                .payload("message " + i)
                .build();
    }

    /** Sends {@code count} reliable messages at once and checks every one arrives once, intact. */
    private static void exchange(VstpUdpEndpoint from, VstpUdpEndpoint to, BlockingQueue<Frame> got, int count)
            throws Exception {
        List<CompletableFuture<Void>> sent = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            sent.add(from.sendReliable(to.localAddress(), message(i)));
        }
        CompletableFuture.allOf(sent.toArray(CompletableFuture[]::new)).get(20, TimeUnit.SECONDS);
        List<String> payloads = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            Frame f = got.poll(5, TimeUnit.SECONDS);
            assertThat(f).as("message %d of %d", i, count).isNotNull();
            assertThat(f.payloadAsString()).isEqualTo("message " + f.headers().value("n"));
            payloads.add(f.payloadAsString());
            f.release();
        }
        assertThat(payloads).hasSize(count).doesNotHaveDuplicates();
    }

    @Test
    void endpointsLearnV2AndBatchFrames() throws Exception {
        BlockingQueue<Frame> got = new LinkedBlockingQueue<>();
        try (VstpUdpEndpoint server = VstpUdpEndpoint.builder()
                        .plain()
                        .handler((peer, f) -> got.add(f))
                        .start();
                VstpUdpEndpoint client = VstpUdpEndpoint.builder().plain().start()) {
            exchange(client, server, got, 1); // v1, and the server's ACK announces v2
            assertThat(client.stats().v2DatagramsSent()).isZero();

            exchange(client, server, got, 200);
            assertThat(client.stats().v2DatagramsSent())
                    .as("client sends v2 once it has learnt")
                    .isPositive();
            assertThat(server.stats().v2DatagramsSent())
                    .as("the server answers in v2")
                    .isPositive();
            // 200 messages arrive together: their ACKs share datagrams.
            assertThat(server.stats().v2FramesSent())
                    .isGreaterThan(server.stats().v2DatagramsSent());

            byte[] big = new byte[1 << 20]; // fragmented: v1 fragments carrying a v2 message
            new Random(7).nextBytes(big);
            client.sendReliable(
                            server.localAddress(),
                            Frame.builder(FrameType.DATA)
                                    .header("n", "big")
                                    .payload(Unpooled.wrappedBuffer(big))
                                    .build())
                    .get(30, TimeUnit.SECONDS);
            Frame f = got.poll(5, TimeUnit.SECONDS);
            assertThat(f.headers().value("n")).isEqualTo("big");
            assertThat(f.payloadBytes()).isEqualTo(big);
            f.release();
            assertThat(server.stats().decodeErrors(io.vstp.core.error.ErrorCode.CRC_MISMATCH))
                    .isZero();
        }
    }

    @Test
    void anEndpointWithoutV2KeepsEveryoneOnV1() throws Exception {
        BlockingQueue<Frame> got = new LinkedBlockingQueue<>();
        try (VstpUdpEndpoint server = VstpUdpEndpoint.builder()
                        .plain()
                        .wireV2(false)
                        .handler((peer, f) -> got.add(f))
                        .start();
                VstpUdpEndpoint client = VstpUdpEndpoint.builder().plain().start()) {
            exchange(client, server, got, 50);
            exchange(client, server, got, 50);
            assertThat(client.stats().v2DatagramsSent()).isZero();
            assertThat(server.stats().v2DatagramsSent()).isZero();
        }
    }

    @Test
    void v2OverDtlsWithoutCrc() throws Exception {
        BlockingQueue<Frame> got = new LinkedBlockingQueue<>();
        try (VstpUdpEndpoint server = VstpUdpEndpoint.builder()
                        .dtlsServer(DtlsServerOptions.builder()
                                .tls(TlsServerOptions.builder().home(serverHome).build())
                                .build())
                        .handler((peer, f) -> got.add(f))
                        .start();
                VstpUdpEndpoint client = VstpUdpEndpoint.builder()
                        .dtlsClient(DtlsClientOptions.builder()
                                .tls(TlsClientOptions.builder().home(clientHome).build())
                                .build())
                        .start()) {
            exchange(client, server, got, 1);
            exchange(client, server, got, 100);
            assertThat(client.stats().v2DatagramsSent()).isPositive();
            assertThat(server.stats().v2FramesSent())
                    .isGreaterThan(server.stats().v2DatagramsSent());
        }
    }
}
