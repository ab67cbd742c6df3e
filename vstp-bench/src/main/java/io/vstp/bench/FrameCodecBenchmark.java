package io.vstp.bench;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.vstp.core.codec.FrameReader;
import io.vstp.core.codec.FrameWriter;
import io.vstp.core.frame.Flags;
import io.vstp.core.frame.Frame;
import io.vstp.core.frame.FrameType;
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

    @Setup(Level.Trial)
    public void setUp() {
        if (shape.equals("small")) {
            byte[] payload = new byte[64];
            for (int i = 0; i < payload.length; i++) {
                payload[i] = (byte) i;
            }
            frame = Frame.builder(FrameType.DATA).flags(Flags.REQ_ACK)
                    .header("content-type", "application/json")
                    .header("req-id", "1234567890")
                    .header("service", "echo")
                    .payload(payload).build();
        } else {
            byte[] payload = new byte[1024 * 1024];
            for (int i = 0; i < payload.length; i++) {
                payload[i] = (byte) (i * 31);
            }
            frame = Frame.builder(FrameType.DATA).header("content-type", "application/octet-stream")
                    .payload(payload).build();
        }
        int size = writer.encodedSize(frame);
        encoded = PooledByteBufAllocator.DEFAULT.directBuffer(size);
        writer.write(frame, encoded);
        out = PooledByteBufAllocator.DEFAULT.directBuffer(size);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        frame.release();
        encoded.release();
        out.release();
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

    /** The baseline: a bare copy of the encoded bytes, the least any encoder must do. */
    @Benchmark
    public int copyBaseline() {
        out.clear();
        out.writeBytes(encoded, 0, encoded.writerIndex());
        return out.writerIndex();
    }

}
