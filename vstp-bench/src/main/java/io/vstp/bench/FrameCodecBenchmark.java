package io.vstp.bench;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.vstp.core.codec.v1.FrameReader;
import io.vstp.core.codec.v1.FrameWriter;
import io.vstp.core.codec.v2.Integrity;
import io.vstp.core.codec.v2.V2FrameReader;
import io.vstp.core.codec.v2.V2FrameWriter;
import io.vstp.core.codec.v2.V2Limits;
import io.vstp.core.frame.Flags;
import io.vstp.core.frame.Frame;
import io.vstp.core.frame.FrameType;
import io.vstp.core.frame.FrameTypeRegistry;
import io.vstp.core.hpack.HpackHeaderBlocks;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Encode and decode cost of one wire v1 frame, into and out of pooled direct buffers as the transport uses them.
 *
 * <p>{@code small}: 3 headers and a 64-byte payload, the shape of a typical request. {@code large}: a 1 MiB payload,
 * where the CRC and the payload copy dominate. Decode hands out the payload as a retained slice (no copy), so
 * decoding a large frame costs about one CRC pass.
 *
 * <p>{@code v2Encode}/{@code v2Decode} do the same with wire v2 (CRC32C, HPACK with a 4 KiB dynamic table), in the
 * steady state of a connection that sends the same headers again and again: the encoder refers to its dynamic
 * table, and the decoder reads a block of indexed references (its table was filled by one earlier frame). The
 * setup prints the bytes on the wire of each version for the frame.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class FrameCodecBenchmark {
    @Param({"small", "large"})
    public String shape;

    private final FrameWriter writer = new FrameWriter();
    private final FrameReader reader = new FrameReader();
    private Frame frame;
    private ByteBuf encoded;
    private ByteBuf out;

    private V2FrameWriter v2Writer;
    private V2FrameReader v2Reader;
    private ByteBuf v2Encoded;

    @Setup(Level.Trial)
    public void setUp() {
        if (shape.equals("small")) {
            byte[] payload = new byte[64];
            for (int i = 0; i < payload.length; i++) {
                payload[i] = (byte) i;
            }
            frame = Frame.builder(FrameType.DATA)
                    .flags(Flags.REQ_ACK)
                    .header("content-type", "application/json")
                    .header("req-id", "1234567890")
                    .header("service", "echo")
                    .payload(payload)
                    .build();
        } else {
            byte[] payload = new byte[1024 * 1024];
            for (int i = 0; i < payload.length; i++) {
                payload[i] = (byte) (i * 31);
            }
            frame = Frame.builder(FrameType.DATA)
                    .header("content-type", "application/octet-stream")
                    .payload(payload)
                    .build();
        }
        int size = writer.encodedSize(frame);
        encoded = PooledByteBufAllocator.DEFAULT.directBuffer(size);
        writer.write(frame, encoded);
        out = PooledByteBufAllocator.DEFAULT.directBuffer(size);

        v2Writer = new V2FrameWriter(HpackHeaderBlocks.encoder(4096), Integrity.CRC32C, 16 * 1024 * 1024);
        v2Reader = new V2FrameReader(
                HpackHeaderBlocks.decoder(4096, 65536, 1024),
                Integrity.CRC32C,
                V2Limits.DEFAULT.withMaxFrameSize(16 * 1024 * 1024),
                FrameTypeRegistry.V2);
        ByteBuf first = PooledByteBufAllocator.DEFAULT.directBuffer(size);
        int v2First = v2Writer.write(frame, first);
        v2Reader.read(first).release(); // fills the decoder's dynamic table, as the first frame of a connection
        first.release();
        v2Encoded = PooledByteBufAllocator.DEFAULT.directBuffer(size);
        int v2Again = v2Writer.write(frame, v2Encoded);
        System.out.printf(
                "%n[%s frame, %d payload bytes] bytes on the wire: v1 %d, v2 first frame %d, "
                        + "v2 with the headers in the dynamic table %d%n",
                shape, frame.payload().readableBytes(), size, v2First, v2Again);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        frame.release();
        encoded.release();
        out.release();
        v2Encoded.release();
    }

    @Benchmark
    public int encode() {
        out.clear();
        return writer.write(frame, out);
    }

    @Benchmark
    public Object decode() {
        encoded.readerIndex(0);
        Frame decoded = reader.read(encoded);
        decoded.release();
        return decoded;
    }

    @Benchmark
    public int v2Encode() {
        out.clear();
        return v2Writer.write(frame, out);
    }

    @Benchmark
    public Object v2Decode() {
        v2Encoded.readerIndex(0);
        Frame decoded = v2Reader.read(v2Encoded);
        decoded.release();
        return decoded;
    }

    /** The baseline: a bare copy of the encoded bytes, the least any encoder must do. */
    @Benchmark
    public int copyBaseline() {
        out.clear();
        out.writeBytes(encoded, 0, encoded.writerIndex());
        return out.writerIndex();
    }
}
