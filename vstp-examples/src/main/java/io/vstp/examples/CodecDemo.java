package io.vstp.examples;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.vstp.core.codec.v1.FrameReader;
import io.vstp.core.codec.v1.FrameWriter;
import io.vstp.core.codec.v1.VstpFrameDecoder;
import io.vstp.core.error.FrameException;
import io.vstp.core.frame.Flags;
import io.vstp.core.frame.Frame;
import io.vstp.core.frame.FrameType;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * The wire v1 codec end to end, in memory: encode a conversation of frames, print them as annotated hex, push the
 * byte stream through the Netty decoder in random-sized pieces, check every frame came back intact, then show what
 * hostile input gets. Exit status 0 when every check held.
 *
 * <p>Run: {@code java -jar vstp-examples/target/vstp-examples.jar codec}.
 */
public final class CodecDemo {
    private final PrintStream out;
    private int failures;

    private CodecDemo(PrintStream out) {
        this.out = out;
    }

    public static void main(String[] args) {
        int failures = new CodecDemo(System.out).run();
        if (failures > 0) {
            System.err.println("codec demo: " + failures + " check(s) failed");
            System.exit(1);
        }
    }

    int run() {
        FrameWriter writer = new FrameWriter();
        List<Frame> conversation = List.of(
                Frame.of(FrameType.HELLO),
                Frame.builder(FrameType.DATA)
                        .header("content-type", "application/json")
                        .payload("{\"content\":\"Hello VSTP!\"}")
                        .build(),
                Frame.builder(FrameType.DATA)
                        .flag(Flags.REQ_ACK)
                        .header("msg-id", "1")
                        .payload("hello")
                        .build(),
                Frame.builder(FrameType.DATA)
                        .header("content-type", "application/octet-stream")
                        .payload(bigPayload(1024 * 1024))
                        .build(),
                Frame.of(FrameType.BYE));

        out.println("== 1. Encoding " + conversation.size() + " frames (wire v1, docs/spec/wire-v1.md)");
        ByteBuf stream = PooledByteBufAllocator.DEFAULT.directBuffer();
        for (Frame f : conversation) {
            int start = stream.writerIndex();
            int n = writer.write(f, stream);
            out.printf("%-60s %8d bytes%n", f, n);
            if (n <= 64) {
                out.println("   " + annotate(stream, start, n));
            }
        }

        out.println();
        out.println("== 2. Decoding the stream delivered in random pieces of 1..4096 bytes");
        List<Frame> received = new ArrayList<>();
        EmbeddedChannel channel = new EmbeddedChannel(new VstpFrameDecoder(), new Collect(received));
        Random random = new Random(6969);
        int pieces = 0;
        while (stream.isReadable()) {
            channel.writeInbound(stream.readRetainedSlice(Math.min(stream.readableBytes(), 1 + random.nextInt(4096))));
            pieces++;
        }
        stream.release();
        channel.finish();
        check(received.size() == conversation.size(), received.size() + " frames decoded from " + pieces + " pieces");
        for (int i = 0; i < Math.min(received.size(), conversation.size()); i++) {
            check(received.get(i).equals(conversation.get(i)), "frame " + (i + 1) + " intact: " + received.get(i));
        }
        received.forEach(Frame::release);

        out.println();
        out.println("== 3. Hostile input: each gets a stable error code, never a crash");
        FrameReader reader = new FrameReader();
        hostile(reader, "HTTP request instead of VSTP", "474554202f20485454502f312e310d0a");
        hostile(reader, "version 2 in a v1 stream", "565402010000000000000000000000");
        hostile(reader, "announces a 4 GiB payload", "5654010300" + "0000" + "ffffffff");
        ByteBuf flipped = PooledByteBufAllocator.DEFAULT.directBuffer();
        Frame hi = Frame.builder(FrameType.DATA).payload("hi").build();
        writer.write(hi, flipped);
        flipped.setByte(11, flipped.getByte(11) ^ 0x01); // 'h' becomes 'i'
        hostile(reader, "one bit flipped in the payload", ByteBufUtil.hexDump(flipped));
        flipped.release();
        hi.release();
        hostile(reader, "header entry runs past its section", "5654010300020000000002010161" + "62f70ea849");
        hostile(reader, "stream ends mid-frame", "5654010100000000");
        conversation.forEach(Frame::release);

        out.println();
        out.println(failures == 0 ? "All checks passed." : failures + " check(s) FAILED.");
        return failures;
    }

    private void hostile(FrameReader reader, String what, String hex) {
        ByteBuf in = PooledByteBufAllocator.DEFAULT.directBuffer().writeBytes(ByteBufUtil.decodeHexDump(hex));
        try {
            List<Frame> frames = reader.readAll(in);
            frames.forEach(Frame::release);
            check(false, what + ": accepted?!");
        } catch (FrameException e) {
            out.printf(
                    "   %-38s -> %s (0x%04X) %s%n",
                    what,
                    e.code(),
                    e.code().code(),
                    e.getMessage().substring(e.code().name().length() + 2));
        } finally {
            in.release();
        }
    }

    private void check(boolean ok, String what) {
        out.println((ok ? "   ok    " : "   FAIL  ") + what);
        if (!ok) {
            failures++;
        }
    }

    /** magic | ver | type | flags | hdr_len (LE) | pay_len (BE) | headers | payload | crc (BE). */
    private static String annotate(ByteBuf buf, int start, int length) {
        int hdrLen = buf.getUnsignedShortLE(start + 5);
        int payLen = (int) buf.getUnsignedInt(start + 7);
        int[] cuts = {2, 3, 4, 5, 7, 11, 11 + hdrLen, 11 + hdrLen + payLen, length};
        StringBuilder sb = new StringBuilder();
        int from = 0;
        for (int to : cuts) {
            if (to > from) {
                sb.append(ByteBufUtil.hexDump(buf, start + from, to - from)).append(to == length ? "" : " | ");
            } else if (to == from && to != length) {
                sb.append("- | ");
            }
            from = to;
        }
        return sb.toString();
    }

    private static byte[] bigPayload(int size) {
        byte[] b = new byte[size];
        new Random(1).nextBytes(b);
        return b;
    }

    /** The end of the demo pipeline: keeps what the decoder produced. */
    private static final class Collect extends ChannelInboundHandlerAdapter {
        private final List<Frame> frames;

        Collect(List<Frame> frames) {
            this.frames = frames;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            frames.add((Frame) msg);
        }
    }
}
