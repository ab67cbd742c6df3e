package io.vstp.core.codec.v2;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.channel.ChannelFuture;
import io.netty.channel.embedded.EmbeddedChannel;
import io.vstp.core.codec.v1.VstpFrameDecoder;
import io.vstp.core.error.ErrorCode;
import io.vstp.core.error.FrameException;
import io.vstp.core.frame.Flags;
import io.vstp.core.frame.Frame;
import io.vstp.core.frame.FrameType;
import io.vstp.core.frame.FrameTypeRegistry;
import io.vstp.core.frame.Headers;
import io.vstp.core.hpack.HpackHeaderBlocks;
import io.vstp.core.testing.Hex;
import java.util.List;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Test;

/** The v2 reader, writer, Netty stages and datagram helpers, beyond what the vectors cover. */
class V2CodecTest {
    private static HeaderBlockEncoder encoder() {
        return HpackHeaderBlocks.encoder(4096);
    }

    private static V2FrameReader reader(Integrity integrity) {
        return reader(integrity, V2Limits.DEFAULT);
    }

    private static V2FrameReader reader(Integrity integrity, V2Limits limits) {
        return new V2FrameReader(
                HpackHeaderBlocks.decoder(4096, limits.maxHeaderListSize(), limits.maxHeaderCount()),
                integrity,
                limits,
                FrameTypeRegistry.V2);
    }

    private static void assertCode(ThrowingCallable call, ErrorCode code) {
        assertThatThrownBy(call)
                .isInstanceOfSatisfying(
                        FrameException.class, e -> assertThat(e.code()).isEqualTo(code));
    }

    private static Frame request(long stream) {
        return Frame.builder(FrameType.DATA).stream(stream)
                .flags(Flags.END_STREAM)
                .header("service", "echo")
                .header("op", "say")
                .payload("hello")
                .build();
    }

    @Test
    void integrityHasWireNamesAndTrailers() {
        assertThat(Integrity.fromWireName("crc32c")).isSameAs(Integrity.CRC32C);
        assertThat(Integrity.fromWireName("none")).isSameAs(Integrity.NONE);
        assertThat(Integrity.find("CRC32C")).isNull();
        assertThatThrownBy(() -> Integrity.fromWireName("crc32")).isInstanceOf(IllegalArgumentException.class);
        assertThat(Integrity.CRC32C.trailerLength()).isEqualTo(4);
        assertThat(Integrity.NONE.trailerLength()).isZero();
        assertThat(Integrity.CRC32C.toString()).isEqualTo("crc32c");
    }

    @Test
    void crc32cHasItsCheckValueOnHeapAndDirectBuffers() {
        byte[] check = "123456789".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        assertThat(Integrity.crc32cOfOwned(Unpooled.wrappedBuffer(check), 0, 9)).isEqualTo(0xE3069283);
        ByteBuf direct = Unpooled.directBuffer(16).writeBytes(new byte[] {7}).writeBytes(check);
        try {
            assertThat(Integrity.crc32cOfOwned(direct, 1, 9)).isEqualTo(0xE3069283);
        } finally {
            direct.release();
        }
    }

    @Test
    void limitsAreValidated() {
        assertThat(V2Limits.DEFAULT.maxFrameSize()).isEqualTo(8 * 1024 * 1024);
        assertThat(V2Limits.DEFAULT.maxHeaderBlock()).isEqualTo(65535);
        assertThat(V2Limits.DEFAULT.maxHeaderListSize()).isEqualTo(65536);
        assertThat(V2Limits.DEFAULT.maxHeaderCount()).isEqualTo(1024);
        assertThatThrownBy(() -> V2Limits.DEFAULT.withMaxFrameSize(4)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> V2Limits.DEFAULT.withMaxFrameSize(Integer.MAX_VALUE))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> V2Limits.DEFAULT.withMaxHeaderBlock(-1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> V2Limits.DEFAULT.withMaxHeaderListSize(-1))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> V2Limits.DEFAULT.withMaxHeaderCount(-1)).isInstanceOf(IllegalArgumentException.class);
        assertThat(V2Limits.DEFAULT.withMaxFrameSize(5).maxFrameSize()).isEqualTo(5);
    }

    @Test
    void writesTheSmallestFrame() {
        ByteBuf out = Unpooled.buffer();
        assertThat(new V2FrameWriter(encoder(), Integrity.NONE, 64).write(Frame.of(FrameType.PING), out))
                .isEqualTo(5);
        assertThat(Hex.encode(out)).isEqualTo("0404000000");
    }

    @Test
    void appendsAfterEarlierBytesAndComputesTheCrcOverTheFrameOnly() {
        ByteBuf out = Unpooled.buffer().writeBytes(new byte[] {9, 9, 9});
        new V2FrameWriter(encoder(), Integrity.CRC32C, 64).write(Frame.of(FrameType.PING), out);
        assertThat(Hex.encode(out)).isEqualTo("090909" + "0804000000fb374c57");
    }

    @Test
    void refusesATooLargePayloadBeforeEncodingHeadersAndStaysUsable() {
        V2FrameWriter writer = new V2FrameWriter(encoder(), Integrity.CRC32C, 64);
        ByteBuf out = Unpooled.buffer().writeByte(1);
        Frame big = Frame.builder(FrameType.DATA)
                .header("k", "v")
                .payload(new byte[60])
                .build();
        assertCode(() -> writer.write(big, out), ErrorCode.FRAME_TOO_LARGE);
        assertThat(out.writerIndex()).isEqualTo(1);
        assertThat(writer.write(Frame.of(FrameType.PING), out)).isEqualTo(9);
    }

    @Test
    void aFrameRefusedAfterItsHeaderBlockPutsAnOrderedWriterOutOfStep() {
        V2FrameWriter writer = new V2FrameWriter(encoder(), Integrity.CRC32C, 64);
        ByteBuf out = Unpooled.buffer();
        Frame headersTooLarge =
                Frame.builder(FrameType.DATA).header("k", "v".repeat(80)).build();
        assertCode(() -> writer.write(headersTooLarge, out), ErrorCode.FRAME_TOO_LARGE);
        assertThat(out.writerIndex()).isZero();
        assertCode(() -> writer.write(Frame.of(FrameType.PING), out), ErrorCode.COMPRESSION_ERROR);
        // A stateless (datagram) writer has no table to get out of step.
        V2FrameWriter datagrams =
                V2FrameWriter.stateless(HpackHeaderBlocks.encoderForDatagrams(), Integrity.CRC32C, 64);
        assertCode(() -> datagrams.write(headersTooLarge, out), ErrorCode.FRAME_TOO_LARGE);
        assertThat(datagrams.write(Frame.of(FrameType.PING), out)).isEqualTo(9);
    }

    @Test
    void aReservedColonNameIsRefusedWithNothingWrittenAndTheWriterStaysUsable() {
        V2FrameWriter writer = new V2FrameWriter(encoder(), Integrity.CRC32C, 1024);
        ByteBuf out = Unpooled.buffer();
        assertCode(
                () -> writer.write(
                        Frame.builder(FrameType.DATA).header(":path", "/").build(), out),
                ErrorCode.PROTOCOL_VIOLATION);
        assertThat(out.writerIndex()).isZero();
        writer.write(request(1), out);
        Frame read = reader(Integrity.CRC32C).read(out);
        try {
            assertThat(read).isEqualTo(request(1));
        } finally {
            read.release();
        }
    }

    @Test
    void aFrameOfExactlyTheMaximumIsWritten() {
        V2FrameWriter writer = new V2FrameWriter(encoder(), Integrity.CRC32C, 64);
        ByteBuf out = Unpooled.buffer();
        assertThat(writer.write(
                        Frame.builder(FrameType.DATA).payload(new byte[55]).build(), out))
                .isEqualTo(64);
        assertCode(
                () -> writer.write(
                        Frame.builder(FrameType.DATA).payload(new byte[56]).build(), out),
                ErrorCode.FRAME_TOO_LARGE);
    }

    @Test
    void encodeGivesTheSameBytesAsWriteAndHoldsLargePayloadsByReference() {
        for (Integrity integrity : Integrity.values()) {
            for (int size : new int[] {0, 100, V2FrameWriter.ZERO_COPY_THRESHOLD, 70_000}) {
                ByteBuf payload = Unpooled.directBuffer(size);
                for (int i = 0; i < size; i++) {
                    payload.writeByte(i * 7);
                }
                Frame frame = Frame.builder(FrameType.DATA).stream(5)
                        .header("a", "b")
                        .payload(payload)
                        .build();
                ByteBuf written = Unpooled.buffer();
                new V2FrameWriter(encoder(), integrity, V2Limits.DEFAULT_MAX_FRAME_SIZE).write(frame, written);
                ByteBuf encoded = new V2FrameWriter(encoder(), integrity, V2Limits.DEFAULT_MAX_FRAME_SIZE)
                        .encode(frame, UnpooledByteBufAllocator.DEFAULT);
                try {
                    assertThat(Hex.encode(encoded)).isEqualTo(Hex.encode(written));
                    if (size >= V2FrameWriter.ZERO_COPY_THRESHOLD) {
                        assertThat(payload.refCnt()).isEqualTo(2);
                    }
                } finally {
                    encoded.release();
                    frame.release();
                }
                assertThat(payload.refCnt()).isZero();
            }
        }
    }

    @Test
    void readerWaitsForTheWholeFrameAndConsumesNothingMeanwhile() {
        ByteBuf wire = Unpooled.buffer();
        new V2FrameWriter(encoder(), Integrity.CRC32C, 1 << 20).write(request(1), wire);
        V2FrameReader reader = reader(Integrity.CRC32C);
        for (int n = 0; n < wire.readableBytes(); n++) {
            assertThat(reader.read(wire.slice(0, n))).isNull();
        }
        Frame frame = reader.read(wire);
        try {
            assertThat(frame).isEqualTo(request(1));
            assertThat(wire.isReadable()).isFalse();
        } finally {
            frame.release();
        }
    }

    @Test
    void aLengthErrorConsumesNothingAndALaterErrorConsumesTheFrame() {
        ByteBuf tooLong = Unpooled.wrappedBuffer(Hex.decode("4040"));
        assertCode(
                () -> reader(Integrity.NONE, V2Limits.DEFAULT.withMaxFrameSize(64))
                        .read(tooLong),
                ErrorCode.FRAME_TOO_LARGE);
        assertThat(tooLong.readerIndex()).isZero();
        // An unknown critical type, then a PING: the error consumes exactly the first frame.
        ByteBuf two = Unpooled.wrappedBuffer(Hex.decode("040c000000" + "0404000000"));
        V2FrameReader reader = reader(Integrity.NONE);
        assertCode(() -> reader.read(two), ErrorCode.UNKNOWN_TYPE);
        assertThat(two.readerIndex()).isEqualTo(5);
        Frame ping = reader.read(two);
        assertThat(ping.type()).isSameAs(FrameType.PING);
        ping.release();
    }

    /** The decision for ignorable types: returned as unknown, header block decoded, for the caller to drop. */
    @Test
    void anIgnorableUnknownTypeIsReturnedAsUnknownAfterItsBlockFeedsTheTable() {
        V2FrameWriter writer = new V2FrameWriter(encoder(), Integrity.NONE, 1 << 20);
        ByteBuf wire = Unpooled.buffer();
        writer.write(
                Frame.builder(FrameType.extension(0x41, "TRACE"))
                        .header("trace", "abc")
                        .payload("x")
                        .build(),
                wire);
        writer.write(Frame.builder(FrameType.DATA).header("trace", "abc").build(), wire);
        List<Frame> frames = reader(Integrity.NONE).readAll(wire);
        try {
            assertThat(frames).hasSize(2);
            assertThat(frames.get(0).type().isKnown()).isFalse();
            assertThat(frames.get(0).type().code()).isEqualTo(0x41);
            assertThat(frames.get(0).headers()).isEqualTo(Headers.of("trace", "abc"));
            assertThat(frames.get(1).headers()).isEqualTo(Headers.of("trace", "abc"));
        } finally {
            frames.forEach(Frame::release);
        }
        // A registered extension type is returned as itself.
        ByteBuf again = Unpooled.wrappedBuffer(Hex.decode("05404100000078"));
        FrameType trace = FrameType.extension(0x41, "TRACE");
        Frame f = new V2FrameReader(
                        HpackHeaderBlocks.decoder(4096, 65536, 1024),
                        Integrity.NONE,
                        V2Limits.DEFAULT,
                        FrameTypeRegistry.V2.with(trace))
                .read(again);
        assertThat(f.type().kind()).isEqualTo(FrameType.Kind.EXTENSION);
        f.release();
    }

    @Test
    void theCodecLeavesFlagRulesToTheSession() {
        Frame odd = Frame.builder(FrameType.PING).flags(Flags.of(0xFF)).build();
        ByteBuf wire = Unpooled.buffer();
        new V2FrameWriter(encoder(), Integrity.CRC32C, 64).write(odd, wire);
        Frame read = reader(Integrity.CRC32C).read(wire);
        assertThat(read.flags().bits()).isEqualTo(0xFF);
    }

    @Test
    void nettyStagesRoundTripAndReportPendingBytes() {
        EmbeddedChannel out =
                new EmbeddedChannel(new V2FrameEncoder(new V2FrameWriter(encoder(), Integrity.CRC32C, 1 << 20)));
        assertThat(out.writeOutbound(request(1), request(3), "passes through")).isTrue();
        ByteBuf first = out.readOutbound();
        ByteBuf second = out.readOutbound();
        assertThat((Object) out.readOutbound()).isEqualTo("passes through");
        assertThat(first.readableBytes()).isGreaterThan(second.readableBytes()); // the second uses the table

        VstpFrameDecoder decoder = new VstpFrameDecoder(reader(Integrity.CRC32C));
        EmbeddedChannel in = new EmbeddedChannel();
        in.pipeline().addLast(VstpFrameDecoder.NAME, decoder);
        in.writeInbound(first);
        in.writeInbound(second.readRetainedSlice(3));
        assertThat(((VstpFrameDecoder) in.pipeline().get(VstpFrameDecoder.NAME)).pendingBytes())
                .isEqualTo(3);
        in.writeInbound(second);
        assertThat(decoder.pendingBytes()).isZero();
        for (long stream : new long[] {1, 3}) {
            Frame f = in.readInbound();
            try {
                assertThat(f).isEqualTo(request(stream));
            } finally {
                f.release();
            }
        }
        assertThat(in.finish()).isFalse();
        assertThat(decoder.wireVersion()).isEqualTo(2);
        assertThat(new VstpFrameDecoder().wireVersion()).isEqualTo(1);
    }

    @Test
    void encoderFailsThePromiseOfAFrameItCannotWriteAndReleasesIt() {
        EmbeddedChannel ch = new EmbeddedChannel(new V2FrameEncoder(new V2FrameWriter(encoder(), Integrity.NONE, 16)));
        ByteBuf payload = Unpooled.directBuffer(64).writeZero(64);
        ChannelFuture f = ch.writeOneOutbound(
                Frame.builder(FrameType.DATA).payload(payload).build());
        assertThat(f.cause())
                .isInstanceOfSatisfying(
                        FrameException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.FRAME_TOO_LARGE));
        assertThat(payload.refCnt()).isZero();
        assertThat(ch.finish()).isFalse();
    }

    @Test
    void decoderDiscardsEverythingAfterAnErrorAndReportsTruncation() {
        EmbeddedChannel ch = new EmbeddedChannel(new VstpFrameDecoder(reader(Integrity.NONE)));
        assertCode(
                () -> ch.writeInbound(Unpooled.wrappedBuffer(Hex.decode("4004" + "0404000000"))),
                ErrorCode.NON_MINIMAL_VARINT);
        ch.writeInbound(Unpooled.wrappedBuffer(Hex.decode("0404000000")));
        assertThat((Object) ch.readInbound()).isNull();
        ch.finishAndReleaseAll();

        EmbeddedChannel cut = new EmbeddedChannel(new VstpFrameDecoder(reader(Integrity.NONE)));
        cut.writeInbound(Unpooled.wrappedBuffer(Hex.decode("040400")));
        assertCode(cut::finish, ErrorCode.TRUNCATED);
    }

    @Test
    void datagramsCarrySeveralFramesAndKeepThoseBeforeABadOne() {
        V2FrameWriter writer = V2FrameWriter.stateless(HpackHeaderBlocks.encoderForDatagrams(), Integrity.CRC32C, 1200);
        V2Datagrams.Batch batch = new V2Datagrams.Batch(writer, ByteBufAllocator.DEFAULT, 100);
        assertThat(batch.take()).isNull();
        Frame small = Frame.builder(FrameType.ACK).header("msg-id", "7").build();
        int added = 0;
        while (batch.add(small)) {
            added++;
        }
        assertThat(added).isGreaterThan(1);
        assertThat(batch.frameCount()).isEqualTo(added);
        assertThat(batch.size()).isLessThanOrEqualTo(100);
        ByteBuf datagram = batch.take();
        assertThat(batch.frameCount()).isZero();
        assertThat(V2Datagrams.isV2(datagram)).isTrue();
        assertCode(
                () -> batch.add(
                        Frame.builder(FrameType.DATA).payload(new byte[200]).build()),
                ErrorCode.FRAME_TOO_LARGE);
        batch.discard();

        V2FrameReader reader = new V2FrameReader(
                HpackHeaderBlocks.decoderForDatagrams(65536, 1024),
                Integrity.CRC32C,
                V2Limits.DEFAULT,
                FrameTypeRegistry.V2);
        try {
            V2Datagrams.Decoded all = V2Datagrams.decode(datagram, reader);
            assertThat(all.hasError()).isFalse();
            assertThat(all.frames())
                    .hasSize(added)
                    .allSatisfy(f -> assertThat(f).isEqualTo(small));
            all.frames().forEach(Frame::release);
            assertThat(datagram.readerIndex()).isZero();

            // Corrupt the last frame: the ones before it stand, the rest is dropped and reported.
            datagram.setByte(datagram.writerIndex() - 1, datagram.getByte(datagram.writerIndex() - 1) ^ 1);
            V2Datagrams.Decoded some = V2Datagrams.decode(datagram, reader);
            assertThat(some.frames()).hasSize(added - 1);
            assertThat(some.error().code()).isEqualTo(ErrorCode.CRC_MISMATCH);
            assertThat(some.droppedBytes()).isEqualTo((datagram.readableBytes() - 3) / added);
            some.frames().forEach(Frame::release);
        } finally {
            datagram.release();
        }

        ByteBuf markerOnly = Unpooled.wrappedBuffer(V2Datagrams.MARKER);
        assertThat(V2Datagrams.decode(markerOnly, reader).error().code()).isEqualTo(ErrorCode.TRUNCATED);
        ByteBuf cut = Unpooled.wrappedBuffer(Hex.decode("565402" + "0804"));
        assertThat(V2Datagrams.decode(cut, reader).error().code()).isEqualTo(ErrorCode.TRUNCATED);
        assertThat(V2Datagrams.isV2(Unpooled.wrappedBuffer(Hex.decode("565401"))))
                .isFalse();
        assertThat(V2Datagrams.isV2(Unpooled.wrappedBuffer(Hex.decode("5654")))).isFalse();
        assertThatThrownBy(() -> new V2Datagrams.Batch(
                        new V2FrameWriter(encoder(), Integrity.NONE, 1200), ByteBufAllocator.DEFAULT, 1200))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
