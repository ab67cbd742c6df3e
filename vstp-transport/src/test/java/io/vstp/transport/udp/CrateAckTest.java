package io.vstp.transport.udp;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.vstp.core.codec.FrameWriter;
import io.vstp.core.frame.Flags;
import io.vstp.core.frame.Frame;
import io.vstp.core.frame.FrameType;
import io.vstp.core.frame.Header;
import io.vstp.core.frame.Headers;
import io.vstp.core.testing.WireVectors;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
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
        return VECTORS.valid().stream().filter(v -> v.name().equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError("no vector " + name)).bytes();
    }

    private static byte[] encode(Frame frame) {
        FrameWriter w = new FrameWriter(65_507);
        ByteBuf out = Unpooled.buffer();
        try {
            w.write(frame, out);
            byte[] b = new byte[out.readableBytes()];
            out.readBytes(b);
            return b;
        } finally {
            out.release();
            frame.release();
        }
    }

    /** A crate-style REQ_ACK DATA frame with these msg-id values (raw bytes, as the crate may send them). */
    private static byte[] reqAck(String payload, byte[]... msgIds) {
        Headers.Builder h = Headers.builder();
        for (byte[] id : msgIds) {
            h.add(Header.of("msg-id".getBytes(), id));
        }
        return encode(new Frame(FrameType.DATA, Flags.REQ_ACK, h.build(),
                Unpooled.copiedBuffer(payload, java.nio.charset.StandardCharsets.UTF_8)));
    }

    private static byte[] ack(String id, boolean announceV2) {
        Frame f = Frame.builder(FrameType.ACK).header("msg-id", id).build();
        if (announceV2) {
            f.release();
            f = Frame.builder(FrameType.ACK).header("msg-id", id).header("versions", "2,1").build();
        }
        return encode(f);
    }

    private record Probe(VstpUdpEndpoint endpoint, DatagramSocket socket, List<String> delivered)
            implements AutoCloseable {
        static Probe start(boolean wireV2) throws Exception {
            List<String> delivered = new CopyOnWriteArrayList<>();
            VstpUdpEndpoint e = VstpUdpEndpoint.builder().plain().wireV2(wireV2).handler((peer, f) -> {
                delivered.add(f.payloadAsString());
                f.release();
            }).start();
            DatagramSocket s = new DatagramSocket(0, java.net.InetAddress.getLoopbackAddress());
            s.setSoTimeout(2000);
            return new Probe(e, s, delivered);
        }

        /** Sends one datagram; returns the reply datagram, or null when none comes within {@code waitMs}. */
        byte[] exchange(byte[] datagram, int waitMs) throws Exception {
            InetSocketAddress to = new InetSocketAddress("127.0.0.1", endpoint.localAddress().getPort());
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
            Thread.sleep(100);
            assertThat(p.delivered()).containsExactly("x", "top", "one");
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
            assertThat(p.exchange(reqAck("d", "18446744073709551616".getBytes()), 300)).isNull();
            assertThat(p.exchange(reqAck("e", new byte[] {(byte) 0xFF}, "9".getBytes()), 300)).isNull();
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
}
