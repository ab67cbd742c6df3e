package io.vstp.transport.session;

import io.vstp.core.frame.Flags;
import io.vstp.core.frame.Frame;
import io.vstp.core.frame.FrameType;

/** The per-frame rules of wire v2 that the codec leaves to the session (docs/spec/wire-v2.md §4.1, §7). */
final class V2Frames {
    private static final int STREAM_FLAGS = Flags.END_STREAM.bits() | Flags.MORE.bits();

    private V2Frames() {}

    /** Frames the {@link StreamMultiplexer} handles: DATA, WINDOW_UPDATE, CANCEL, and ERR on a stream. */
    static boolean isStreamFrame(Frame frame) {
        FrameType type = frame.type();
        return type.equals(FrameType.DATA)
                || type.equals(FrameType.WINDOW_UPDATE)
                || type.equals(FrameType.CANCEL)
                || (type.equals(FrameType.ERR) && frame.streamId() != 0);
    }

    /** Why {@code frame} breaks a rule of wire-v2.md §4.1/§7, or null when it does not. */
    static String violation(Frame frame) {
        FrameType type = frame.type();
        int flags = frame.flags().bits();
        boolean data = type.equals(FrameType.DATA);
        if ((flags & STREAM_FLAGS) != 0 && isControl(type)) {
            return "END_STREAM or MORE on " + type.name();
        }
        if ((flags & Flags.END_STREAM.bits()) != 0 && frame.streamId() == 0) {
            return "END_STREAM on stream 0";
        }
        if ((flags & Flags.COMP.bits()) != 0 && !data) {
            return "COMP on " + type.name();
        }
        if (frame.streamId() != 0
                && (type.equals(FrameType.PING)
                        || type.equals(FrameType.PONG)
                        || type.equals(FrameType.BYE)
                        || type.equals(FrameType.AUTH))) {
            return type.name() + " on stream " + frame.streamId();
        }
        if (type.equals(FrameType.CANCEL) && frame.streamId() == 0) {
            return "CANCEL on stream 0";
        }
        return null;
    }

    private static boolean isControl(FrameType type) {
        return type.equals(FrameType.PING)
                || type.equals(FrameType.PONG)
                || type.equals(FrameType.BYE)
                || type.equals(FrameType.WINDOW_UPDATE)
                || type.equals(FrameType.CANCEL)
                || type.equals(FrameType.ERR)
                || type.equals(FrameType.AUTH);
    }
}
