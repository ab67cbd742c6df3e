package io.vstp.core.frame;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * The frame types a decoder accepts (docs/spec/wire-v1.md §3.2). Immutable: {@link #with(FrameType)} returns a new
 * registry, so a registry handed to a decoder never changes under it.
 */
public final class FrameTypeRegistry {
    /** The eight core types of wire v1. */
    public static final FrameTypeRegistry V1 = new FrameTypeRegistry(new FrameType[256])
            .with(FrameType.HELLO).with(FrameType.WELCOME).with(FrameType.DATA).with(FrameType.PING)
            .with(FrameType.PONG).with(FrameType.BYE).with(FrameType.ACK).with(FrameType.ERR);

    private final FrameType[] byCode;

    private FrameTypeRegistry(FrameType[] byCode) {
        this.byCode = byCode;
    }

    /**
     * A registry holding these types and {@code type}.
     *
     * @throws IllegalArgumentException if the code is taken by another type, or {@code type} is an unknown type
     */
    public FrameTypeRegistry with(FrameType type) {
        if (!type.isKnown()) {
            throw new IllegalArgumentException("cannot register an unknown type: " + type);
        }
        FrameType existing = byCode[type.code()];
        if (existing != null) {
            throw new IllegalArgumentException(String.format(
                    "frame type code 0x%02X is already registered as %s", type.code(), existing.name()));
        }
        FrameType[] copy = byCode.clone();
        copy[type.code()] = type;
        return new FrameTypeRegistry(copy);
    }

    /** The registered type with this code, or {@code null}. */
    public FrameType find(int code) {
        return code >= 0 && code < byCode.length ? byCode[code] : null;
    }

    /** Every registered type, in code order. */
    public List<FrameType> types() {
        List<FrameType> list = new ArrayList<>();
        for (FrameType t : byCode) {
            if (t != null) {
                list.add(t);
            }
        }
        return Collections.unmodifiableList(list);
    }
}
