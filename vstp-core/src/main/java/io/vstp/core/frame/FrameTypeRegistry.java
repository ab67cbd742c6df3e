package io.vstp.core.frame;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;

/**
 * The frame types a decoder accepts (docs/spec/wire-v1.md §3.2, docs/spec/wire-v2.md §3). Immutable:
 * {@link #with(FrameType)} returns a new registry, so a registry handed to a decoder never changes under it.
 *
 * <p>Lookup of a one-byte code (every core type, and what v1 can carry) is an array index. Extension codes above
 * 0xFF (v2 only, up to 0x3FFF) are few; they are found by binary search in a sorted array. Neither allocates.
 */
public final class FrameTypeRegistry {
    /** The eight core types of wire v1: exactly what a v1 decoder accepts. */
    public static final FrameTypeRegistry V1 = new FrameTypeRegistry(new FrameType[256], new int[0], new FrameType[0])
            .with(FrameType.HELLO)
            .with(FrameType.WELCOME)
            .with(FrameType.DATA)
            .with(FrameType.PING)
            .with(FrameType.PONG)
            .with(FrameType.BYE)
            .with(FrameType.ACK)
            .with(FrameType.ERR);

    /**
     * The core types of wire v2: those of v1 plus WINDOW_UPDATE, CANCEL and AUTH. HELLO and WELCOME stay: receiving
     * them
     * in v2 is a session error ({@code PROTOCOL_VIOLATION}, wire-v2.md §3), not a codec one.
     */
    public static final FrameTypeRegistry V2 =
            V1.with(FrameType.WINDOW_UPDATE).with(FrameType.CANCEL).with(FrameType.AUTH);

    private final FrameType[] byCode;
    /** Codes above 0xFF, ascending, and their types at the same index. */
    private final int[] highCodes;

    private final FrameType[] highTypes;

    private FrameTypeRegistry(FrameType[] byCode, int[] highCodes, FrameType[] highTypes) {
        this.byCode = byCode;
        this.highCodes = highCodes;
        this.highTypes = highTypes;
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
        FrameType existing = find(type.code());
        if (existing != null) {
            throw new IllegalArgumentException(
                    String.format("frame type code 0x%02X is already registered as %s", type.code(), existing.name()));
        }
        if (type.code() < byCode.length) {
            FrameType[] copy = byCode.clone();
            copy[type.code()] = type;
            return new FrameTypeRegistry(copy, highCodes, highTypes);
        }
        int at = -Arrays.binarySearch(highCodes, type.code()) - 1;
        int[] codes = new int[highCodes.length + 1];
        FrameType[] types = new FrameType[highTypes.length + 1];
        System.arraycopy(highCodes, 0, codes, 0, at);
        System.arraycopy(highTypes, 0, types, 0, at);
        codes[at] = type.code();
        types[at] = type;
        System.arraycopy(highCodes, at, codes, at + 1, highCodes.length - at);
        System.arraycopy(highTypes, at, types, at + 1, highTypes.length - at);
        return new FrameTypeRegistry(byCode, codes, types);
    }

    /** The registered type with this code, or {@code null}. */
    public FrameType find(int code) {
        if (code >= 0 && code < byCode.length) {
            return byCode[code];
        }
        if (highCodes.length == 0) {
            return null;
        }
        int at = Arrays.binarySearch(highCodes, code);
        return at >= 0 ? highTypes[at] : null;
    }

    /** Every registered type, in code order. */
    public List<FrameType> types() {
        List<FrameType> list = new ArrayList<>();
        for (FrameType t : byCode) {
            if (t != null) {
                list.add(t);
            }
        }
        list.addAll(Arrays.asList(highTypes));
        return Collections.unmodifiableList(list);
    }
}
