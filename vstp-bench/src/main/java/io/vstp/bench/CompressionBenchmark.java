package io.vstp.bench;

import com.github.luben.zstd.Zstd;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.vstp.core.codec.v2.VarInt;
import io.vstp.core.compress.CompressionAlgorithm;
import io.vstp.core.compress.PayloadCompressor;
import io.vstp.core.compress.PayloadDecompressor;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import net.jpountz.lz4.LZ4Factory;
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
 * Payload compression of wire v2 (§9) on a 64 KiB payload in a pooled direct buffer, as the transport holds it.
 *
 * <p>{@code compress}: the sender's whole policy. On {@code text} that is the LZ4 sample plus the compression; on
 * {@code random} it is only the skip decision (the LZ4 sample of 4 KiB fails the 1/8 rule).
 * {@code compressWithoutSample}: the same with sampling off, so on {@code random} the full compression runs and is
 * thrown away: the difference to {@code compress} is what the sample saves. {@code decompress}: the receiver, on a
 * payload compressed with the algorithm whatever the policy would say (random data included).
 * Throughput in MB/s is 65536 / (ns/op) * 1000.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class CompressionBenchmark {
    private static final int SIZE = 64 * 1024;

    @Param({"zstd", "lz4"})
    public String algorithm;

    @Param({"text", "random"})
    public String data;

    private final PooledByteBufAllocator alloc = PooledByteBufAllocator.DEFAULT;
    private PayloadCompressor compressor;
    private PayloadCompressor compressorWithoutSample;
    private PayloadDecompressor decompressor;
    private ByteBuf payload;
    private ByteBuf compressed;

    @Setup(Level.Trial)
    public void setUp() {
        CompressionAlgorithm alg = CompressionAlgorithm.parseList(algorithm).get(0);
        compressor = new PayloadCompressor(List.of(alg));
        compressorWithoutSample = new PayloadCompressor(List.of(alg), new PayloadCompressor.Options(512, 0, 8, 3));
        decompressor = new PayloadDecompressor(List.of(alg), SIZE);
        byte[] bytes = data.equals("text") ? text() : random();
        payload = alloc.directBuffer(SIZE).writeBytes(bytes);
        compressed = alloc.directBuffer(SIZE + 1024);
        VarInt.write(compressed, alg.id());
        VarInt.write(compressed, SIZE);
        byte[] raw = alg == CompressionAlgorithm.ZSTD
                ? Zstd.compress(bytes, 3)
                : LZ4Factory.fastestInstance().fastCompressor().compress(bytes);
        compressed.writeBytes(raw);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        payload.release();
        compressed.release();
    }

    @Benchmark
    public int compress() {
        return releaseSize(compressor.compress(alloc, payload));
    }

    @Benchmark
    public int compressWithoutSample() {
        return releaseSize(compressorWithoutSample.compress(alloc, payload));
    }

    @Benchmark
    public int decompress() {
        return releaseSize(decompressor.decompress(alloc, compressed));
    }

    private static int releaseSize(ByteBuf b) {
        if (b == null) {
            return -1;
        }
        int n = b.readableBytes();
        b.release();
        return n;
    }

    private static byte[] random() {
        byte[] b = new byte[SIZE];
        new Random(1).nextBytes(b);
        return b;
    }

    /** Log-like text: repeated field names, varying numbers and words, about 4:1 with zstd. */
    private static byte[] text() {
        String[] words = ("request response stream window header payload session handshake frame message client "
                        + "server accepted refused timeout compressed")
                .split(" ");
        Random r = new Random(1);
        StringBuilder sb = new StringBuilder(SIZE + 200);
        while (sb.length() < SIZE) {
            sb.append("2026-12-01T10:")
                    .append(10 + r.nextInt(50))
                    .append(':')
                    .append(10 + r.nextInt(50))
                    .append(" level=info stream=")
                    .append(r.nextInt(10_000))
                    .append(" msg=\"")
                    .append(words[r.nextInt(words.length)])
                    .append(' ')
                    .append(words[r.nextInt(words.length)])
                    .append("\" bytes=")
                    .append(r.nextInt(1 << 20))
                    .append('\n');
        }
        byte[] b = new byte[SIZE];
        System.arraycopy(sb.toString().getBytes(StandardCharsets.US_ASCII), 0, b, 0, SIZE);
        return b;
    }
}
