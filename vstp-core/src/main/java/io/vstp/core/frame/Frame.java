package io.vstp.core.frame;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufHolder;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * One VSTP frame: a type, flags, ordered headers and a payload (docs/spec/wire-v1.md §2), and in wire v2 the
 * stream it belongs to (docs/spec/wire-v2.md §7; always 0 in v1, which has no streams).
 *
 * <h2>Buffer ownership</h2>
 * The payload is a reference-counted Netty {@link ByteBuf}, so large payloads move from socket to handler without
 * a copy: the decoder hands out a retained slice of its input buffer, never a {@code byte[]}. A frame owns one
 * reference to its payload; whoever holds the frame releases it once ({@link #release()}), exactly as with any
 * {@link ByteBufHolder}. {@link #builder(FrameType)}'s {@code payload(ByteBuf)} takes over the caller's reference.
 * The payload's readable bytes are the payload; nothing in VSTP moves its indexes or writes to it, and callers must
 * not either — treat it as read-only. A received payload is a slice of a buffer the event loop keeps using: on
 * another thread, read it through {@code payload().nioBuffer()} or {@code getBytes(int, byte[])}, never through
 * the {@code ByteBuf} methods that take a channel or stream (they share the parent's internal NIO buffer).
 *
 * <p>Type, flags and headers are immutable values (headers are small, at most 255 bytes per key and value in v1,
 * and are copied out of the input buffer, so they outlive it).
 */
public final class Frame implements ByteBufHolder {
    /** The largest stream id (wire-v2.md §2: a varint holds 62 bits). */
    public static final long MAX_STREAM_ID = (1L << 62) - 1;

    private final long streamId;
    private final FrameType type;
    private final Flags flags;
    private final Headers headers;
    private final ByteBuf payload;

    /**
     * A frame on stream 0, taking over one reference to {@code payload}.
     */
    public Frame(FrameType type, Flags flags, Headers headers, ByteBuf payload) {
        this(0, type, flags, headers, payload);
    }

    /**
     * A frame on stream {@code streamId} (v2 only), taking over one reference to {@code payload}.
     */
    public Frame(long streamId, FrameType type, Flags flags, Headers headers, ByteBuf payload) {
        if (streamId < 0 || streamId > MAX_STREAM_ID) {
            throw new IllegalArgumentException("stream id out of range: " + streamId);
        }
        this.streamId = streamId;
        this.type = Objects.requireNonNull(type, "type");
        this.flags = Objects.requireNonNull(flags, "flags");
        this.headers = Objects.requireNonNull(headers, "headers");
        this.payload = Objects.requireNonNull(payload, "payload");
    }

    /** A frame of this type with no flags, headers or payload. */
    public static Frame of(FrameType type) {
        return new Frame(type, Flags.NONE, Headers.EMPTY, Unpooled.EMPTY_BUFFER);
    }

    public static Builder builder(FrameType type) {
        return new Builder(type);
    }

    /** The stream id: 0 for the connection and for every v1 frame. */
    public long streamId() {
        return streamId;
    }

    /** The same frame on another stream, taking over this frame's reference to the payload. */
    public Frame withStreamId(long id) {
        return id == streamId ? this : new Frame(id, type, flags, headers, payload);
    }

    /** The same frame with other flags, taking over this frame's reference to the payload. */
    public Frame withFlags(Flags newFlags) {
        return newFlags.equals(flags) ? this : new Frame(streamId, type, newFlags, headers, payload);
    }

    public FrameType type() {
        return type;
    }

    public Flags flags() {
        return flags;
    }

    public Headers headers() {
        return headers;
    }

    /** The payload; see the class documentation for ownership. */
    public ByteBuf payload() {
        return payload;
    }

    /** The payload decoded as UTF-8 text (malformed input replaced); for small, textual payloads. */
    public String payloadAsString() {
        // Through a private NIO view: ByteBuf#toString(Charset) may use the parent buffer's shared internal NIO
        // buffer, which is unsafe on any thread but the event loop that owns it.
        return StandardCharsets.UTF_8.decode(payload.nioBuffer()).toString();
    }

    /** A copy of the payload bytes; for small payloads and tests. */
    public byte[] payloadBytes() {
        return ByteBufUtil.getBytes(payload);
    }

    @Override
    public ByteBuf content() {
        return payload;
    }

    @Override
    public Frame copy() {
        return replace(payload.copy());
    }

    @Override
    public Frame duplicate() {
        return replace(payload.duplicate());
    }

    @Override
    public Frame retainedDuplicate() {
        return replace(payload.retainedDuplicate());
    }

    /** The same type, flags and headers with another payload, taking over one reference to it. */
    @Override
    public Frame replace(ByteBuf content) {
        return new Frame(streamId, type, flags, headers, content);
    }

    @Override
    public int refCnt() {
        return payload.refCnt();
    }

    @Override
    public Frame retain() {
        payload.retain();
        return this;
    }

    @Override
    public Frame retain(int increment) {
        payload.retain(increment);
        return this;
    }

    @Override
    public Frame touch() {
        payload.touch();
        return this;
    }

    @Override
    public Frame touch(Object hint) {
        payload.touch(hint);
        return this;
    }

    @Override
    public boolean release() {
        return payload.release();
    }

    @Override
    public boolean release(int decrement) {
        return payload.release(decrement);
    }

    /** Equal when type, flags, headers and payload bytes are equal. */
    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof Frame)) {
            return false;
        }
        Frame f = (Frame) o;
        return streamId == f.streamId
                && type.equals(f.type)
                && flags == f.flags
                && headers.equals(f.headers)
                && ByteBufUtil.equals(payload, f.payload);
    }

    @Override
    public int hashCode() {
        return Objects.hash(type, flags.bits(), headers, payload.readableBytes());
    }

    @Override
    public String toString() {
        return "Frame{" + (streamId != 0 ? "stream=" + streamId + ", " : "") + type + ", flags=" + flags + ", headers="
                + headers.size() + ", payload=" + payload.readableBytes() + " bytes}";
    }

    /** Builds a {@link Frame}. */
    public static final class Builder {
        private final FrameType type;
        private long streamId;
        private Flags flags = Flags.NONE;
        private final Headers.Builder headers = Headers.builder();
        private ByteBuf payload = Unpooled.EMPTY_BUFFER;

        private Builder(FrameType type) {
            this.type = Objects.requireNonNull(type, "type");
        }

        /** Sets the flags, replacing earlier ones. */
        /** The stream (v2 only; 0, the default, is the connection). */
        public Builder stream(long id) {
            this.streamId = id;
            return this;
        }

        public Builder flags(Flags flags) {
            this.flags = Objects.requireNonNull(flags, "flags");
            return this;
        }

        /** Adds {@code flag} to the flags set so far. */
        public Builder flag(Flags flag) {
            this.flags = flags.with(flag);
            return this;
        }

        public Builder header(String key, String value) {
            headers.add(key, value);
            return this;
        }

        public Builder header(byte[] key, byte[] value) {
            headers.add(key, value);
            return this;
        }

        public Builder headers(Headers all) {
            for (Header h : all) {
                headers.add(h);
            }
            return this;
        }

        /** Takes over one reference to {@code payload}. */
        public Builder payload(ByteBuf payload) {
            this.payload = Objects.requireNonNull(payload, "payload");
            return this;
        }

        /** A payload copied from {@code bytes}. */
        public Builder payload(byte[] bytes) {
            return payload(bytes.length == 0 ? Unpooled.EMPTY_BUFFER : Unpooled.copiedBuffer(bytes));
        }

        /** A payload of UTF-8 text. */
        public Builder payload(String text) {
            return payload(text.getBytes(StandardCharsets.UTF_8));
        }

        public Frame build() {
            return new Frame(streamId, type, flags, headers.build(), payload);
        }
    }
}
