package io.vstp.transport.testing;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.vstp.core.codec.v1.FrameReader;
import io.vstp.core.codec.v1.FrameWriter;
import io.vstp.core.frame.Frame;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * A hand-driven plaintext peer on a real socket: writes arbitrary bytes (hostile or not) and reads back what the
 * other side sends until it closes. For tests that must send what no well-behaved client (or server) would.
 */
public final class RawPeer implements AutoCloseable {
    private final Socket socket;

    public RawPeer(int port) throws IOException {
        this(new Socket("127.0.0.1", port));
    }

    /** The server's end of a connection a test accepted: plays a hostile or odd server to a real client. */
    public RawPeer(Socket connected) throws IOException {
        socket = connected;
        socket.setTcpNoDelay(true);
    }

    public RawPeer write(byte[] bytes) throws IOException {
        socket.getOutputStream().write(bytes);
        socket.getOutputStream().flush();
        return this;
    }

    /** Encodes and writes frames (released here). */
    public RawPeer write(Frame... frames) throws IOException {
        ByteBuf buf = Unpooled.buffer();
        try {
            for (Frame f : frames) {
                try {
                    new FrameWriter().write(f, buf);
                } finally {
                    f.release();
                }
            }
            byte[] bytes = new byte[buf.readableBytes()];
            buf.readBytes(bytes);
            return write(bytes);
        } finally {
            buf.release();
        }
    }

    /** Reads until the server closes the connection or {@code max} passes; returns every byte received. */
    public byte[] readUntilClosed(Duration max) throws IOException {
        long deadline = System.nanoTime() + max.toNanos();
        InputStream in = socket.getInputStream();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] chunk = new byte[8192];
        while (System.nanoTime() < deadline) {
            socket.setSoTimeout((int) Math.max(1, (deadline - System.nanoTime()) / 1_000_000));
            int n;
            try {
                n = in.read(chunk);
            } catch (SocketTimeoutException e) {
                throw new AssertionError("server did not close the connection within " + max);
            } catch (IOException e) {
                return out.toByteArray(); // reset by peer counts as closed
            }
            if (n < 0) {
                return out.toByteArray();
            }
            out.write(chunk, 0, n);
        }
        throw new AssertionError("server did not close the connection within " + max);
    }

    /** Every byte that arrives within {@code window} (the connection may stay open). */
    public byte[] readFor(Duration window) throws IOException {
        long deadline = System.nanoTime() + window.toNanos();
        InputStream in = socket.getInputStream();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] chunk = new byte[8192];
        while (true) {
            long left = (deadline - System.nanoTime()) / 1_000_000;
            if (left <= 0) {
                return out.toByteArray();
            }
            socket.setSoTimeout((int) left);
            int n;
            try {
                n = in.read(chunk);
            } catch (SocketTimeoutException e) {
                return out.toByteArray();
            } catch (IOException e) {
                return out.toByteArray();
            }
            if (n < 0) {
                return out.toByteArray();
            }
            out.write(chunk, 0, n);
        }
    }

    /** Reads exactly {@code count} frames (the caller releases them). */
    public List<Frame> readFrames(int count, Duration max) throws IOException {
        return readFrames(count, max, false);
    }

    /** Reads {@code count} frames, or fewer if the server closes first (the caller releases them). */
    public List<Frame> framesUntilClosedOr(int count, Duration max) throws IOException {
        return readFrames(count, max, true);
    }

    private List<Frame> readFrames(int count, Duration max, boolean closeEnds) throws IOException {
        long deadline = System.nanoTime() + max.toNanos();
        InputStream in = socket.getInputStream();
        ByteBuf acc = Unpooled.buffer();
        List<Frame> frames = new ArrayList<>();
        FrameReader reader = new FrameReader();
        byte[] chunk = new byte[8192];
        try {
            while (frames.size() < count) {
                Frame f = reader.read(acc);
                if (f != null) {
                    frames.add(f);
                    continue;
                }
                long left = (deadline - System.nanoTime()) / 1_000_000;
                if (left <= 0) {
                    throw new AssertionError("got " + frames.size() + " of " + count + " frames within " + max);
                }
                socket.setSoTimeout((int) left);
                int n = in.read(chunk);
                if (n < 0) {
                    if (closeEnds) {
                        return frames;
                    }
                    throw new AssertionError("closed after " + frames.size() + " of " + count + " frames");
                }
                acc.writeBytes(chunk, 0, n);
            }
            return frames;
        } catch (IOException | RuntimeException | AssertionError e) {
            frames.forEach(Frame::release);
            throw e;
        } finally {
            acc.release();
        }
    }

    /** Decodes everything the server sent before closing. */
    public List<Frame> framesUntilClosed(Duration max) throws IOException {
        ByteBuf buf = Unpooled.wrappedBuffer(readUntilClosed(max));
        try {
            return new FrameReader().readAll(buf);
        } finally {
            buf.release();
        }
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
