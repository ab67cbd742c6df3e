package io.vstp.transport.testing;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.vstp.core.codec.v2.Integrity;
import io.vstp.core.codec.v2.V2FrameReader;
import io.vstp.core.codec.v2.V2FrameWriter;
import io.vstp.core.codec.v2.V2Limits;
import io.vstp.core.frame.Frame;
import io.vstp.core.frame.FrameType;
import io.vstp.core.frame.FrameTypeRegistry;
import io.vstp.core.hpack.HpackHeaderBlocks;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** A raw socket that has negotiated v2 (plaintext, so CRC32C) and writes v2 frames of its choosing. */
public final class V2Peer implements AutoCloseable {
    private static final Duration WAIT = Duration.ofSeconds(5);

    public final RawPeer raw;
    final V2FrameWriter writer =
            new V2FrameWriter(HpackHeaderBlocks.encoder(0), Integrity.CRC32C, Integer.MAX_VALUE - 8);

    public V2Peer(int port, String compression) throws Exception {
        this(port, compression, new String[0]);
    }

    /** @param helloHeaders more HELLO headers, key and value in turn (e.g. {@code "window", "1"}) */
    public V2Peer(int port, String compression, String... helloHeaders) throws Exception {
        raw = new RawPeer(port);
        Frame.Builder hello = Frame.builder(FrameType.HELLO)
                .header("impl", "hostile/1")
                .header("versions", "2,1")
                .header("header-table", "0")
                .header("compression", compression)
                .header("integrity", "crc32c");
        for (int i = 0; i + 1 < helloHeaders.length; i += 2) {
            hello.header(helloHeaders[i], helloHeaders[i + 1]);
        }
        raw.write(hello.build());
        List<Frame> welcome = raw.readFrames(1, WAIT);
        try {
            assertThat(welcome.get(0).headers().value("version")).isEqualTo("2");
        } finally {
            welcome.forEach(Frame::release);
        }
    }

    public V2Peer write(Frame... frames) throws Exception {
        ByteBuf out = Unpooled.buffer();
        try {
            for (Frame f : frames) {
                try {
                    writer.write(f, out);
                } finally {
                    f.release();
                }
            }
            byte[] bytes = new byte[out.readableBytes()];
            out.readBytes(bytes);
            raw.write(bytes);
            return this;
        } finally {
            out.release();
        }
    }

    /** The {@code error} of the first ERR the server sent on {@code stream} before closing, or null. */
    public String errorUntilClosed(long stream) throws Exception {
        return errorIn(raw.readUntilClosed(WAIT), stream);
    }

    /** The {@code error} of the first ERR on {@code stream} among what arrives within a second. */
    public String errorWithin(long stream) throws Exception {
        return errorIn(raw.readFor(Duration.ofSeconds(1)), stream);
    }

    /** The frames (type names and stream ids) that arrive within a second. */
    public List<String> framesWithin() throws Exception {
        List<String> out = new ArrayList<>();
        ByteBuf in = Unpooled.wrappedBuffer(raw.readFor(Duration.ofSeconds(1)));
        try {
            for (Frame f; (f = reader().read(in)) != null; ) {
                out.add(f.type().name() + "@" + f.streamId());
                f.release();
            }
        } finally {
            in.release();
        }
        return out;
    }

    private V2FrameReader reader() {
        return new V2FrameReader(
                HpackHeaderBlocks.decoder(65_536, 65_536, 1024),
                Integrity.CRC32C,
                V2Limits.DEFAULT,
                FrameTypeRegistry.V2);
    }

    private String errorIn(byte[] bytes, long stream) {
        ByteBuf in = Unpooled.wrappedBuffer(bytes);
        V2FrameReader reader = new V2FrameReader(
                HpackHeaderBlocks.decoder(65_536, 65_536, 1024),
                Integrity.CRC32C,
                V2Limits.DEFAULT,
                FrameTypeRegistry.V2);
        String name = null;
        try {
            for (Frame f; (f = reader.read(in)) != null; ) {
                if (f.type().equals(FrameType.ERR) && f.streamId() == stream && name == null) {
                    name = f.headers().value("error");
                }
                f.release();
            }
        } finally {
            in.release();
        }
        return name;
    }

    @Override
    public void close() throws Exception {
        raw.close();
    }
}
