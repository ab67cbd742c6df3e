package io.vstp.transport.udp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.vstp.core.frame.Flags;
import io.vstp.core.frame.Frame;
import io.vstp.core.frame.FrameType;
import io.vstp.core.frame.Header;
import io.vstp.core.frame.Headers;
import io.vstp.core.testing.FrameBytes;
import io.vstp.core.testing.WireVectors;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/**
 * The crate's acknowledgement rule (udp.md §5.1) with the crate's exact bytes from docs/spec/vectors/wire-v1.json:
 * every u64 msg-id is acknowledged, 2^63 to 2^64 - 1 included, and read as the crate reads it.
 */
class CrateAckTest {
    private static final WireVectors VECTORS = WireVectors.load();

    private static byte[] vector(String name) {
        return VECTORS.valid(name).bytes();
    }

    /** A crate-style REQ_ACK DATA frame with these msg-id values (raw bytes, as the crate may send them). */
    private static byte[] reqAck(String payload, byte[]... msgIds) {
        Headers.Builder h = Headers.builder();
        for (byte[] id : msgIds) {
            h.add(Header.of("msg-id".getBytes(), id));
        }
        return FrameBytes.v1(new Frame(
                FrameType.DATA,
                Flags.REQ_ACK,
                h.build(),
                Unpooled.copiedBuffer(payload, java.nio.charset.StandardCharsets.UTF_8)));
    }

    private static byte[] ack(String id, boolean announceV2) {
        Frame f = Frame.builder(FrameType.ACK).header("msg-id", id).build();
        if (announceV2) {
            f.release();
            f = Frame.builder(FrameType.ACK)
                    .header("msg-id", id)
                    .header("versions", "2,1")
                    .build();
        }
        return FrameBytes.v1(f);
    }

    private record Probe(VstpUdpEndpoint endpoint, DatagramSocket socket, List<String> delivered)
            implements AutoCloseable {
        static Probe start(boolean wireV2) throws Exception {
            List<String> delivered = new CopyOnWriteArrayList<>();
            VstpUdpEndpoint e = VstpUdpEndpoint.builder()
                    .plain()
                    .wireV2(wireV2)
                    .handler((peer, f) -> {
                        delivered.add(f.payloadAsString());
                        f.release();
                    })
                    .start();
            DatagramSocket s = new DatagramSocket(0, java.net.InetAddress.getLoopbackAddress());
            s.setSoTimeout(2000);
            return new Probe(e, s, delivered);
        }

        /** Sends one datagram; returns the reply datagram, or null when none comes within {@code waitMs}. */
        byte[] exchange(byte[] datagram, int waitMs) throws Exception {
            InetSocketAddress to =
                    new InetSocketAddress("127.0.0.1", endpoint.localAddress().getPort());
            socket.send(new DatagramPacket(datagram, datagram.length, to));
            socket.setSoTimeout(waitMs);
            DatagramPacket p = new DatagramPacket(new byte[65_535], 65_535);
            try {
                socket.receive(p);
            } catch (SocketTimeoutException e) {
                return null;
            }
            return java.util.Arrays.copyOf(p.getData(), p.getLength());
        }

        @Override
        public void close() {
            socket.close();
            endpoint.close();
        }
    }

    private static String hex(byte[] b) {
        return b == null ? "no reply" : HexFormat.of().formatHex(b);
    }

    @Test
    void msgIdsFrom2To63Up2To64Minus1AreAcknowledgedWithTheCratesBytes() throws Exception {
        try (Probe p = Probe.start(false)) {
            byte[] top = reqAck("top", "18446744073709551615".getBytes());
            assertThat(hex(p.exchange(vector("data-req-ack-msg-id-2-63"), 2000)))
                    .isEqualTo(hex(vector("ack-msg-id-2-63")));
            // A retransmission is acknowledged again and not delivered again.
            assertThat(hex(p.exchange(vector("data-req-ack-msg-id-2-63"), 2000)))
                    .isEqualTo(hex(vector("ack-msg-id-2-63")));
            assertThat(hex(p.exchange(top, 2000))).isEqualTo(hex(vector("ack-msg-id-max")));
            assertThat(hex(p.exchange(top, 2000))).isEqualTo(hex(vector("ack-msg-id-max")));
            assertThat(hex(p.exchange(reqAck("one", "1".getBytes()), 2000))).isEqualTo(hex(vector("ack-msg-id-1")));
            await().atMost(Duration.ofSeconds(5))
                    .pollInterval(Duration.ofMillis(10))
                    .untilAsserted(() -> assertThat(p.delivered()).containsExactly("x", "top", "one"));
        }
    }

    @Test
    void msgIdIsReadAsTheCrateReadsIt() throws Exception {
        try (Probe p = Probe.start(false)) {
            assertThat(hex(p.exchange(reqAck("a", "007".getBytes()), 2000))).isEqualTo(hex(ack("7", false)));
            assertThat(hex(p.exchange(reqAck("b", "+5".getBytes()), 2000))).isEqualTo(hex(ack("5", false)));
            assertThat(hex(p.exchange(reqAck("c", "x".getBytes(), "3".getBytes()), 2000)))
                    .isEqualTo(hex(ack("3", false)));
            // Not acknowledged by the crate either: 2^64, a value that is not UTF-8 before a good one, nothing.
            assertThat(p.exchange(reqAck("d", "18446744073709551616".getBytes()), 300))
                    .isNull();
            assertThat(p.exchange(reqAck("e", new byte[] {(byte) 0xFF}, "9".getBytes()), 300))
                    .isNull();
            assertThat(p.exchange(reqAck("f", "+".getBytes()), 300)).isNull();
        }
    }

    @Test
    void aV2EndpointAnnouncesItselfInTheAck() throws Exception {
        try (Probe p = Probe.start(true)) {
            assertThat(hex(p.exchange(reqAck("one", "1".getBytes()), 2000)))
                    .isEqualTo(hex(vector("ack-msg-id-1-versions")));
            assertThat(hex(p.exchange(vector("data-req-ack-msg-id-2-63"), 2000)))
                    .isEqualTo(hex(ack("9223372036854775808", true)));
        }
    }

    /** Receives datagrams on the raw socket until none comes for {@code quietMs}. */
    private static List<byte[]> drain(DatagramSocket socket, int quietMs) throws Exception {
        List<byte[]> got = new java.util.ArrayList<>();
        socket.setSoTimeout(quietMs);
        while (true) {
            DatagramPacket p = new DatagramPacket(new byte[65_535], 65_535);
            try {
                socket.receive(p);
            } catch (SocketTimeoutException e) {
                return got;
            }
            got.add(java.util.Arrays.copyOf(p.getData(), p.getLength()));
        }
    }

    private static Frame decode(byte[] datagram) {
        ByteBuf b = Unpooled.wrappedBuffer(datagram);
        try {
            return new io.vstp.core.codec.v1.FrameReader(io.vstp.core.codec.FrameLimits.DEFAULT).read(b);
        } finally {
            b.release();
        }
    }

    /**
     * udp.md §4: a peer not known to speak v2 gets frames up to 2400 bytes (the crate's receive buffer) as one
     * datagram, never as vf-* fragments it cannot join; larger ones are fragmented (only a VSTP peer can take them),
     * or refused by {@code sendCrateReadable}.
     */
    @Test
    void framesUpTo2400BytesReachAPeerWithoutV2AsOneDatagram() throws Exception {
        try (Probe p = Probe.start(true)) {
            InetSocketAddress peer =
                    new InetSocketAddress("127.0.0.1", p.socket().getLocalPort());
            for (int payload : new int[] {2029, 2385}) { // frames of 2044 and 2400 bytes
                p.endpoint()
                        .send(
                                peer,
                                Frame.builder(FrameType.DATA)
                                        .payload(new byte[payload])
                                        .build())
                        .get();
                List<byte[]> got = drain(p.socket(), 300);
                assertThat(got).as("payload %d", payload).hasSize(1);
                assertThat(got.get(0)).hasSize(15 + payload);
            }
            p.endpoint()
                    .sendCrateReadable(
                            peer,
                            Frame.builder(FrameType.DATA)
                                    .payload(new byte[2385])
                                    .build())
                    .get();
            assertThat(drain(p.socket(), 300))
                    .singleElement()
                    .satisfies(d -> assertThat(d).hasSize(2400));
            assertThat(p.endpoint()
                            .sendCrateReadable(
                                    peer,
                                    Frame.builder(FrameType.DATA)
                                            .payload(new byte[2386])
                                            .build()))
                    .failsWithin(2, java.util.concurrent.TimeUnit.SECONDS)
                    .withThrowableOfType(java.util.concurrent.ExecutionException.class)
                    .withMessageContaining("FRAME_TOO_LARGE");
            assertThat(drain(p.socket(), 300)).as("nothing sent").isEmpty();
            // Reliable: a 2000-byte frame goes as one REQ_ACK datagram with the crate's msg-id.
            java.util.concurrent.CompletableFuture<Void> acked = p.endpoint()
                    .sendReliable(
                            peer,
                            Frame.builder(FrameType.DATA)
                                    .payload(new byte[2000])
                                    .build());
            List<byte[]> reliable = drain(p.socket(), 300);
            assertThat(reliable).isNotEmpty();
            Frame f = decode(reliable.get(0));
            try {
                assertThat(f.flags().has(Flags.REQ_ACK)).isTrue();
                assertThat(f.headers().value("msg-id")).isNotNull();
                assertThat(f.headers().value("vf-msg")).isNull();
                assertThat(f.payload().readableBytes()).isEqualTo(2000);
                byte[] ack = ack(f.headers().value("msg-id"), false);
                p.socket()
                        .send(new DatagramPacket(
                                ack,
                                ack.length,
                                new InetSocketAddress(
                                        "127.0.0.1", p.endpoint().localAddress().getPort())));
            } finally {
                f.release();
            }
            acked.get(5, java.util.concurrent.TimeUnit.SECONDS);
            // Beyond 2400 bytes, send() fragments: only a VSTP peer can take such a frame at all.
            p.endpoint()
                    .send(
                            peer,
                            Frame.builder(FrameType.DATA)
                                    .payload(new byte[3000])
                                    .build())
                    .get();
            List<byte[]> fragments = drain(p.socket(), 300);
            assertThat(fragments).hasSizeGreaterThan(1);
            assertThat(fragments).allSatisfy(d -> assertThat(d.length).isLessThanOrEqualTo(1200));
        }
    }
}
