package io.vstp.testkit;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.vstp.core.codec.WireReader;
import io.vstp.core.codec.WireWriter;
import io.vstp.core.codec.v1.FrameReader;
import io.vstp.core.codec.v1.FrameWriter;
import io.vstp.core.codec.v2.Integrity;
import io.vstp.core.codec.v2.V2FrameReader;
import io.vstp.core.codec.v2.V2FrameWriter;
import io.vstp.core.codec.v2.V2Limits;
import io.vstp.core.frame.Frame;
import io.vstp.core.frame.FrameType;
import io.vstp.core.frame.FrameTypeRegistry;
import io.vstp.core.hpack.HpackHeaderBlocks;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * One side of a VSTP connection played by a script, on a real TCP socket on 127.0.0.1: a test writes the
 * conversation it expects, frame by frame, and the peer fails the test at the first line that does not happen.
 * For tests that must send what no well-behaved client or server would (hostile input, odd answers) and check
 * what the other side does about it.
 *
 * <pre>{@code
 * try (ScriptedPeer client = ScriptedPeer.connect(server.port())) {
 *     client.send(hello)
 *           .expect(FrameType.WELCOME)
 *           .send(dataWithSeventeenHeaders)
 *           .expectErr("TOO_MANY_HEADERS")
 *           .expectClose();
 * }
 * }</pre>
 *
 * <p>Frames are written with vstp-core's {@link WireWriter} and read with its {@link WireReader}: wire v1 until
 * {@link #useWireV2} (after the HELLO and WELCOME that negotiated it, as the real peers switch). Every frame the
 * script sends is released once written; every frame it reads is released after its check, unless the script takes
 * it with {@link #receive()}. Each expectation waits at most {@link #timeout(Duration) the timeout} (5 s unless
 * set), so a script never hangs.
 *
 * <p>Plaintext only: a script writes the bytes on the wire, which TLS would hide.
 */
public final class ScriptedPeer implements AutoCloseable {
    private static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(5);
    // readWithin's answers besides a count of bytes.
    private static final int SILENT = 0;
    private static final int CLOSED = -1;

    private final Socket socket;
    private final InputStream in;
    private final ByteBuf received = Unpooled.buffer();
    private final byte[] chunk = new byte[8192];
    private WireReader reader = new FrameReader();
    private WireWriter writer = new FrameWriter();
    private Duration timeout = DEFAULT_TIMEOUT;

    private ScriptedPeer(Socket socket) throws IOException {
        this.socket = socket;
        socket.setTcpNoDelay(true);
        this.in = socket.getInputStream();
    }

    /** A client's side: connects to {@code port} on 127.0.0.1. */
    public static ScriptedPeer connect(int port) throws IOException {
        return new ScriptedPeer(new Socket(InetAddress.getLoopbackAddress(), port));
    }

    /** A server's side: listens on a free port of 127.0.0.1 for clients to {@link Listener#accept()}. */
    public static Listener listen() throws IOException {
        return new Listener();
    }

    /** Where a scripted server waits for a real client. */
    public static final class Listener implements AutoCloseable {
        private final ServerSocket socket;

        private Listener() throws IOException {
            socket = new ServerSocket(0, 4, InetAddress.getLoopbackAddress());
        }

        public int port() {
            return socket.getLocalPort();
        }

        /** The next client's connection, within 5 s. */
        public ScriptedPeer accept() throws IOException {
            socket.setSoTimeout((int) DEFAULT_TIMEOUT.toMillis());
            return new ScriptedPeer(socket.accept());
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }

    /** How long each expectation waits from now on. */
    public ScriptedPeer timeout(Duration wait) {
        this.timeout = Objects.requireNonNull(wait, "wait");
        return this;
    }

    /**
     * Reads and writes wire v2 from here on (wire-v2.md), with {@code integrity} as negotiated and no HPACK dynamic
     * table for what this peer writes (it announces {@code header-table: 0} in its HELLO or WELCOME). Bytes already
     * received after the last v1 frame are read as v2.
     */
    public ScriptedPeer useWireV2(Integrity integrity) {
        reader = new V2FrameReader(
                HpackHeaderBlocks.decoder(
                        HpackHeaderBlocks.MAX_TABLE_SIZE,
                        HpackHeaderBlocks.DEFAULT_MAX_HEADER_LIST_SIZE,
                        HpackHeaderBlocks.DEFAULT_MAX_HEADER_COUNT),
                integrity,
                V2Limits.DEFAULT,
                FrameTypeRegistry.V2);
        writer = new V2FrameWriter(HpackHeaderBlocks.encoder(0), integrity, Integer.MAX_VALUE - 8);
        return this;
    }

    /** Encodes {@code frames} in the current wire version and writes them in one go; releases them. */
    public ScriptedPeer send(Frame... frames) throws IOException {
        ByteBuf out = Unpooled.buffer();
        try {
            for (Frame frame : frames) {
                try {
                    writer.write(frame, out);
                } finally {
                    frame.release();
                }
            }
            byte[] bytes = new byte[out.readableBytes()];
            out.readBytes(bytes);
            return sendBytes(bytes);
        } finally {
            out.release();
        }
    }

    /** Writes {@code bytes} as they are: garbage, a truncated frame, a forged header. */
    public ScriptedPeer sendBytes(byte[] bytes) throws IOException {
        socket.getOutputStream().write(bytes);
        socket.getOutputStream().flush();
        return this;
    }

    /** The next frame is of {@code type}. */
    public ScriptedPeer expect(FrameType type) throws IOException {
        return expect(type, frame -> {});
    }

    /** The next frame is of {@code type} and passes {@code check} (assertions on its headers or payload). */
    public ScriptedPeer expect(FrameType type, Consumer<Frame> check) throws IOException {
        Frame frame = receive();
        try {
            if (!frame.type().equals(type)) {
                throw new AssertionError("expected " + type + ", got " + describe(frame));
            }
            check.accept(frame);
        } finally {
            frame.release();
        }
        return this;
    }

    /** The next frame is an ERR whose {@code error} header is {@code code} (an {@code ErrorCode} name). */
    public ScriptedPeer expectErr(String code) throws IOException {
        return expectErr(code, err -> {});
    }

    public ScriptedPeer expectErr(String code, Consumer<Frame> check) throws IOException {
        return expect(FrameType.ERR, err -> {
            if (!code.equals(err.headers().value("error"))) {
                throw new AssertionError("expected ERR " + code + ", got " + describe(err));
            }
            check.accept(err);
        });
    }

    /** The other side closes the connection (a reset counts) without sending anything more. */
    public ScriptedPeer expectClose() throws IOException {
        List<String> extra = new ArrayList<>();
        while (true) {
            Frame frame = reader.read(received);
            if (frame != null) {
                extra.add(describe(frame));
                frame.release();
                continue;
            }
            if (!fill()) {
                break;
            }
        }
        if (!extra.isEmpty() || received.isReadable()) {
            throw new AssertionError("expected the connection to close, but got " + extra
                    + (received.isReadable() ? " and " + received.readableBytes() + " more byte(s)" : ""));
        }
        return this;
    }

    /**
     * The next frame, whatever it is, for a script that needs a value from it (a {@code req-id} to answer); the
     * caller releases it.
     *
     * @throws AssertionError if none arrives within the timeout or the connection closes first
     */
    public Frame receive() throws IOException {
        while (true) {
            Frame frame = reader.read(received);
            if (frame != null) {
                return frame;
            }
            if (!fill()) {
                throw new AssertionError("expected a frame, but the connection closed"
                        + (received.isReadable() ? " inside one (" + received.readableBytes() + " byte(s))" : ""));
            }
        }
    }

    /**
     * Nothing arrives for {@code window}, and the connection stays open: for a peer that must not answer (a
     * greeting a legacy server ignores) yet must not hang up either.
     */
    public ScriptedPeer expectSilence(Duration window) throws IOException {
        if (received.isReadable()) {
            throw new AssertionError(
                    "expected silence, but " + received.readableBytes() + " byte(s) had already arrived");
        }
        int n = readWithin(window.toMillis());
        if (n == SILENT) {
            return this;
        }
        if (n == CLOSED) {
            throw new AssertionError("expected silence for " + window + ", but the connection closed");
        }
        Frame frame = reader.read(received);
        String got = frame != null ? describe(frame) : n + " byte(s)";
        if (frame != null) {
            frame.release();
        }
        throw new AssertionError("expected silence for " + window + ", but got " + got);
    }

    /**
     * Every frame until the other side closes the connection, for a script whose peer may answer in more than one
     * legal way; the caller releases them.
     *
     * @throws AssertionError if the connection stays open past the timeout, or closes inside a frame
     */
    public List<Frame> receiveUntilClose() throws IOException {
        List<Frame> frames = collect(this::fill);
        if (received.isReadable()) {
            int whole = frames.size();
            frames.forEach(Frame::release);
            throw new AssertionError("the connection closed inside a frame (" + received.readableBytes()
                    + " byte(s)) after " + whole + " frame(s)");
        }
        return frames;
    }

    /**
     * Every whole frame that arrives within {@code window}, which ends early if the other side closes: for a script
     * that looks for one answer among whatever a hostile input provoked. The caller releases them.
     */
    public List<Frame> receiveFor(Duration window) throws IOException {
        long deadline = System.nanoTime() + window.toNanos();
        return collect(() -> {
            long left = (deadline - System.nanoTime()) / 1_000_000;
            return left > 0 && readWithin(left) > 0; // false: the window is over, or the connection closed
        });
    }

    /** Whether more bytes came in for {@link #collect}; false ends it. */
    @FunctionalInterface
    private interface MoreInput {
        boolean read() throws IOException;
    }

    /** The frames decoded until {@code more} ends the input; all released if anything fails on the way. */
    private List<Frame> collect(MoreInput more) throws IOException {
        List<Frame> frames = new ArrayList<>();
        try {
            while (true) {
                Frame frame = reader.read(received);
                if (frame != null) {
                    frames.add(frame);
                } else if (!more.read()) {
                    return frames;
                }
            }
        } catch (IOException | RuntimeException | AssertionError e) {
            frames.forEach(Frame::release);
            throw e;
        }
    }

    /** Reads what arrives within the timeout into {@link #received}; false when the connection has closed. */
    private boolean fill() throws IOException {
        int n = readWithin(timeout.toMillis());
        if (n == SILENT) {
            throw new AssertionError("nothing arrived within " + timeout);
        }
        return n != CLOSED;
    }

    /**
     * One read of what arrives within {@code millis} into {@link #received}: the bytes read, {@link #SILENT} when
     * nothing came, or {@link #CLOSED} when the other side closed or reset the connection.
     */
    private int readWithin(long millis) throws IOException {
        socket.setSoTimeout((int) Math.max(1, millis));
        int n;
        try {
            n = in.read(chunk);
        } catch (SocketTimeoutException e) {
            return SILENT;
        } catch (IOException e) {
            return CLOSED; // reset by the other side: as closed as a FIN
        }
        if (n < 0) {
            return CLOSED;
        }
        received.writeBytes(chunk, 0, n);
        return n;
    }

    private static String describe(Frame frame) {
        String error = frame.headers().value("error");
        return frame.type() + (error != null ? " " + error : "") + " " + frame.headers();
    }

    @Override
    public void close() throws IOException {
        if (received.refCnt() > 0) {
            received.release();
        }
        socket.close();
    }
}
