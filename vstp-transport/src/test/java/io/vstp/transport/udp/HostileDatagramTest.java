package io.vstp.transport.udp;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.vstp.core.error.ErrorCode;
import io.vstp.core.frame.Flags;
import io.vstp.core.frame.Frame;
import io.vstp.core.frame.FrameType;
import io.vstp.core.frame.Headers;
import io.vstp.transport.testing.DatagramPeer;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.Random;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Hostile datagrams from a raw socket: dropped and counted, never a crash, and legitimate traffic still flows. */
class HostileDatagramTest {
    private static byte[] encode(Frame f) {
        return io.vstp.core.testing.FrameBytes.v1(f);
    }

    private static Frame fragment(long id, long index, long count, long length, byte[] chunk) {
        Headers h = Headers.of(
                "vf-msg",
                Long.toString(id),
                "vf-idx",
                Long.toString(index),
                "vf-cnt",
                Long.toString(count),
                "vf-len",
                Long.toString(length));
        return new Frame(FrameType.DATA, Flags.FRAG.with(Flags.REQ_ACK), h, Unpooled.wrappedBuffer(chunk));
    }

    @TempDir
    Path serverHome;

    @TempDir
    Path clientHome;

    @TempDir
    Path attackerHome;

    /**
     * Over DTLS the same datagrams come inside records of a completed handshake: a malicious client, not a stranger.
     */
    @ParameterizedTest
    @EnumSource(DatagramPeer.Security.class)
    void hostileDatagramsAreDroppedAndCounted(DatagramPeer.Security security) throws Exception {
        BlockingQueue<Frame> got = new LinkedBlockingQueue<>();
        try (VstpUdpEndpoint server = security.server(serverHome)
                        .handler((p, f) -> got.add(f))
                        .start();
                VstpUdpEndpoint client = security.client(clientHome).start();
                DatagramPeer raw = security.peer(server.localAddress(), attackerHome)) {
            InetSocketAddress to = server.localAddress();
            Random random = new Random(5);
            int chunk = UdpFrames.chunkSize(raw.maxDatagramSize());
            byte[][] hostile = {
                "GET / HTTP/1.1\r\n\r\n".getBytes(), // garbage
                HexFormat.of().parseHex("565401010000000000000090a29465"), // bad CRC
                HexFormat.of().parseHex("5654010300000000ffffffff"), // huge declared payload
                new byte[0], // empty
                encode(fragment(1, 0, 4_000_000, 4_000_000L * chunk, new byte[chunk])), // absurd total
                encode(fragment(2, 0, 3, 99, new byte[chunk])), // count/length disagree
                encode(fragment(3, 7, 3, 3L * chunk, new byte[chunk])), // index beyond count
                encode(new Frame(
                        FrameType.ACK,
                        Flags.NONE,
                        Headers.of("msg-id", "12345"),
                        Unpooled.EMPTY_BUFFER)), // ACK for nothing
                encode(new Frame(
                        FrameType.ACK,
                        Flags.NONE,
                        Headers.of("vf-msg", "9", "vf-cum", "999999999"),
                        Unpooled.EMPTY_BUFFER)), // SACK for nothing
            };
            for (int round = 0; round < 50; round++) {
                for (byte[] d : hostile) {
                    raw.send(d);
                }
                byte[] noise = new byte[1 + random.nextInt(raw.maxDatagramSize())];
                random.nextBytes(noise);
                noise[0] = 0x56;
                raw.send(noise);
            }
            raw.sync();
            // Legitimate traffic still gets through, small and fragmented.
            client.sendReliable(
                            to, Frame.builder(FrameType.DATA).payload("legit").build())
                    .get(5, TimeUnit.SECONDS);
            client.sendReliable(
                            to,
                            Frame.builder(FrameType.DATA)
                                    .payload(new byte[50_000])
                                    .build())
                    .get(5, TimeUnit.SECONDS);
            Frame a = got.poll(5, TimeUnit.SECONDS);
            Frame b = got.poll(5, TimeUnit.SECONDS);
            assertThat(a.payloadAsString()).isEqualTo("legit");
            assertThat(b.payload().readableBytes()).isEqualTo(50_000);
            a.release();
            b.release();
            assertThat(got).isEmpty();

            UdpStats s = server.stats();
            assertThat(s.decodeErrors(ErrorCode.BAD_MAGIC)).isPositive();
            assertThat(s.decodeErrors(ErrorCode.CRC_MISMATCH)).isPositive();
            assertThat(s.decodeErrors(ErrorCode.TRUNCATED)).as("%s", s).isPositive();
            assertThat(s.dropped(UdpStats.Drop.TOO_LARGE)).as("%s", s).isEqualTo(50);
            assertThat(s.dropped(UdpStats.Drop.INCONSISTENT_FRAGMENT)).isEqualTo(100);
            assertThat(s.dropped(UdpStats.Drop.UNKNOWN_ACK)).isEqualTo(100);
            assertThat(server.reassemblies()).isZero();
            assertThat(server.reassemblyBytes()).isZero();
        }
    }

    private static byte[] v2Datagram(byte[]... frames) {
        ByteBuf out = Unpooled.buffer();
        out.writeBytes(io.vstp.core.codec.v2.V2Datagrams.MARKER);
        for (byte[] f : frames) {
            out.writeBytes(f);
        }
        byte[] b = new byte[out.readableBytes()];
        out.readBytes(b);
        out.release();
        return b;
    }

    /** {@code frame} (LENGTH counting the trailer) with its CRC32C trailer appended. */
    private static byte[] withCrc32c(byte[] frame) {
        java.util.zip.CRC32C crc = new java.util.zip.CRC32C();
        crc.update(frame);
        byte[] out = java.util.Arrays.copyOf(frame, frame.length + 4);
        int v = (int) crc.getValue();
        out[frame.length] = (byte) (v >>> 24);
        out[frame.length + 1] = (byte) (v >>> 16);
        out[frame.length + 2] = (byte) (v >>> 8);
        out[frame.length + 3] = (byte) v;
        return out;
    }

    private static byte[] v2Frame(Frame f) {
        io.vstp.core.codec.v2.V2FrameWriter w = io.vstp.core.codec.v2.V2FrameWriter.stateless(
                io.vstp.core.hpack.HpackHeaderBlocks.encoderForDatagrams(),
                io.vstp.core.codec.v2.Integrity.CRC32C,
                65_000);
        ByteBuf out = Unpooled.buffer();
        try {
            w.write(f, out);
            byte[] b = new byte[out.readableBytes()];
            out.readBytes(b);
            return b;
        } finally {
            f.release();
            out.release();
        }
    }

    /**
     * v2 datagrams (docs/spec/wire-v2.md §11): frames before a bad one stand, the bad one and the rest are counted.
     */
    @Test
    void hostileV2DatagramsAreDroppedAndCountedAndFramesBeforeThemStand() throws Exception {
        BlockingQueue<Frame> got = new LinkedBlockingQueue<>();
        try (VstpUdpEndpoint server = VstpUdpEndpoint.builder()
                        .plain()
                        .handler((p, f) -> got.add(f))
                        .start();
                DatagramSocket raw = new DatagramSocket(0)) {
            InetSocketAddress to = server.localAddress();
            byte[] good = v2Frame(Frame.builder(FrameType.DATA)
                    .header("k", "v")
                    .payload("before")
                    .build());
            byte[] badCrc = v2Frame(Frame.builder(FrameType.DATA).payload("crc").build());
            badCrc[badCrc.length - 1] ^= 1;
            byte[][] hostile = {
                v2Datagram(), // marker only: TRUNCATED
                v2Datagram(new byte[] {0x40, 0x05, 3, 0, 0, 0, 0}), // LENGTH not minimal
                v2Datagram(good, new byte[] {0x7F, 0x7F, 0x7F}), // a frame, then garbage
                v2Datagram(badCrc), // CRC mismatch
                // A header block that refers to dynamic-table index 62: there is no table on UDP.
                v2Datagram(withCrc32c(new byte[] {0x09, 0x03, 0x00, 0x00, 0x01, (byte) 0xBE})),
            };
            for (byte[] d : hostile) {
                raw.send(new DatagramPacket(d, d.length, to));
            }
            // Many one-way frames in one datagram all arrive, in order.
            byte[][] batch = new byte[20][];
            for (int i = 0; i < batch.length; i++) {
                batch[i] =
                        v2Frame(Frame.builder(FrameType.DATA).payload("b" + i).build());
            }
            byte[] d = v2Datagram(batch);
            raw.send(new DatagramPacket(d, d.length, to));

            Frame first = got.poll(5, TimeUnit.SECONDS);
            assertThat(first.payloadAsString()).isEqualTo("before");
            assertThat(first.headers().value("k")).isEqualTo("v");
            first.release();
            for (int i = 0; i < batch.length; i++) {
                Frame f = got.poll(5, TimeUnit.SECONDS);
                assertThat(f.payloadAsString()).isEqualTo("b" + i);
                f.release();
            }
            assertThat(got.poll(200, TimeUnit.MILLISECONDS)).isNull();
            UdpStats s = server.stats();
            assertThat(s.decodeErrors(ErrorCode.TRUNCATED)).isPositive();
            assertThat(s.decodeErrors(ErrorCode.NON_MINIMAL_VARINT)).isPositive();
            assertThat(s.decodeErrors(ErrorCode.CRC_MISMATCH)).isPositive();
            assertThat(s.decodeErrors(ErrorCode.COMPRESSION_ERROR)).isPositive();
        }
    }
}
