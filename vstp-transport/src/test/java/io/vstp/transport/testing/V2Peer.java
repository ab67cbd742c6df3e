package io.vstp.transport.testing;

import static org.assertj.core.api.Assertions.assertThat;

import io.vstp.core.codec.v2.Integrity;
import io.vstp.core.frame.Frame;
import io.vstp.core.frame.FrameType;
import io.vstp.testkit.ScriptedPeer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * A {@link ScriptedPeer} that has negotiated wire v2 (plaintext, so CRC32C; no HPACK dynamic table for what it
 * writes) and writes v2 frames of its choosing, with the questions the hostile-input tests ask of the answers.
 */
public final class V2Peer implements AutoCloseable {
    private static final Duration WINDOW = Duration.ofSeconds(1);

    private final ScriptedPeer peer;

    public V2Peer(int port, String compression) throws Exception {
        this(port, compression, new String[0]);
    }

    /** @param helloHeaders more HELLO headers, key and value in turn (e.g. {@code "window", "1"}) */
    public V2Peer(int port, String compression, String... helloHeaders) throws Exception {
        Frame.Builder hello = Frame.builder(FrameType.HELLO)
                .header("impl", "hostile/1")
                .header("versions", "2,1")
                .header("header-table", "0")
                .header("compression", compression)
                .header("integrity", "crc32c");
        for (int i = 0; i + 1 < helloHeaders.length; i += 2) {
            hello.header(helloHeaders[i], helloHeaders[i + 1]);
        }
        peer = ScriptedPeer.connect(port);
        peer.send(hello.build())
                .expect(
                        FrameType.WELCOME,
                        welcome ->
                                assertThat(welcome.headers().value("version")).isEqualTo("2"))
                .useWireV2(Integrity.CRC32C);
    }

    /** Encodes {@code frames} as wire v2 and writes them in one go; releases them. */
    public V2Peer write(Frame... frames) throws Exception {
        peer.send(frames);
        return this;
    }

    /** The {@code error} of the first ERR the server sent on {@code stream} before closing, or null. */
    public String errorUntilClosed(long stream) throws Exception {
        return errorIn(peer.receiveUntilClose(), stream);
    }

    /** The {@code error} of the first ERR on {@code stream} among what arrives within a second. */
    public String errorWithin(long stream) throws Exception {
        return errorIn(peer.receiveFor(WINDOW), stream);
    }

    /** The frames (type names and stream ids) that arrive within a second. */
    public List<String> framesWithin() throws Exception {
        List<String> out = new ArrayList<>();
        for (Frame f : peer.receiveFor(WINDOW)) {
            out.add(f.type().name() + "@" + f.streamId());
            f.release();
        }
        return out;
    }

    private static String errorIn(List<Frame> frames, long stream) {
        String name = null;
        for (Frame f : frames) {
            if (f.type().equals(FrameType.ERR) && f.streamId() == stream && name == null) {
                name = f.headers().value("error");
            }
            f.release();
        }
        return name;
    }

    @Override
    public void close() throws Exception {
        peer.close();
    }
}
