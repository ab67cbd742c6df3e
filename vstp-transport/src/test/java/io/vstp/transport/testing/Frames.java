package io.vstp.transport.testing;

import io.vstp.core.frame.Frame;
import io.vstp.core.frame.FrameType;
import java.util.List;

/** Small frame helpers shared by the transport tests. */
public final class Frames {
    private Frames() {}

    public static Frame data(String payload) {
        return Frame.builder(FrameType.DATA).payload(payload).build();
    }

    public static Frame hello() {
        return Frame.builder(FrameType.HELLO)
                .header("impl", "raw-test/1")
                .header("versions", "1")
                .build();
    }

    /** The {@code error} header of the ERR among {@code frames}, releasing them all; null if there is none. */
    public static String errName(List<Frame> frames) {
        String name = null;
        for (Frame f : frames) {
            if (f.type().equals(FrameType.ERR) && name == null) {
                name = f.headers().value("error");
            }
            f.release();
        }
        return name;
    }
}
