package io.vstp.core.compress;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.Unpooled;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Random;

/** Payloads and buffers for the compression tests. */
final class TestData {
    private static final String[] WORDS = ("the quick brown fox jumps over lazy dog stream frame window header "
                    + "payload compression vstp message request response zstd lz4 session handshake")
            .split(" ");

    enum Content {
        TEXT,
        ZEROS,
        RANDOM
    }

    enum Kind {
        HEAP,
        DIRECT,
        COMPOSITE
    }

    private TestData() {}

    static byte[] content(Content content, int size, long seed) {
        Random r = new Random(seed);
        return switch (content) {
            case ZEROS -> new byte[size];
            case RANDOM -> {
                byte[] b = new byte[size];
                r.nextBytes(b);
                yield b;
            }
            case TEXT -> {
                ByteArrayOutputStream out = new ByteArrayOutputStream(size + 16);
                while (out.size() < size) {
                    byte[] w = (WORDS[r.nextInt(WORDS.length)] + (r.nextInt(10) == 0 ? ".\n" : " "))
                            .getBytes(StandardCharsets.US_ASCII);
                    out.write(w, 0, w.length);
                }
                byte[] b = new byte[size];
                System.arraycopy(out.toByteArray(), 0, b, 0, size);
                yield b;
            }
        };
    }

    static byte[] text(int size) {
        return content(Content.TEXT, size, 42);
    }

    static byte[] random(int size) {
        return content(Content.RANDOM, size, 42);
    }

    /**
     * A leak-tracked buffer holding {@code bytes} between a few bytes of prefix and suffix (so that reader and
     * writer indexes are not 0 and capacity), of the kind asked; the caller releases it.
     */
    static ByteBuf buffer(Kind kind, byte[] bytes) {
        PooledByteBufAllocator a = PooledByteBufAllocator.DEFAULT;
        return switch (kind) {
            case HEAP ->
                a.heapBuffer(bytes.length + 8).writeLong(-1).writeBytes(bytes).skipBytes(8);
            case DIRECT ->
                a.directBuffer(bytes.length + 8).writeLong(-1).writeBytes(bytes).skipBytes(8);
            case COMPOSITE -> {
                CompositeByteBuf c = a.compositeBuffer();
                int third = bytes.length / 3;
                c.addComponent(true, a.heapBuffer().writeBytes(bytes, 0, third));
                c.addComponent(true, a.directBuffer().writeBytes(bytes, third, third));
                c.addComponent(true, a.heapBuffer().writeBytes(bytes, 2 * third, bytes.length - 2 * third));
                yield c;
            }
        };
    }

    static byte[] bytes(ByteBuf buf) {
        byte[] b = new byte[buf.readableBytes()];
        buf.getBytes(buf.readerIndex(), b);
        return b;
    }

    static ByteBuf wrap(byte[] b) {
        return Unpooled.wrappedBuffer(b);
    }
}
