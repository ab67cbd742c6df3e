package io.vstp.cli;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.vstp.core.frame.Flags;
import io.vstp.core.frame.Frame;
import io.vstp.core.frame.Header;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/** How the CLI shows a frame: for people (one header per line) and as one line of JSON for scripts. */
final class FrameFormat {
    private FrameFormat() {}

    static String human(Frame f, int previewBytes) {
        StringBuilder b = new StringBuilder();
        b.append(f.type().name())
                .append(" (type ")
                .append(f.type().code())
                .append(")  flags ")
                .append(flagNames(f.flags()))
                .append('\n');
        for (Header h : f.headers()) {
            b.append("  ")
                    .append(text(h.key()))
                    .append(": ")
                    .append(text(h.value()))
                    .append('\n');
        }
        ByteBuf p = f.payload();
        b.append("  payload ").append(p.readableBytes()).append(" bytes");
        if (p.isReadable()) {
            int n = Math.min(previewBytes, p.readableBytes());
            String preview = utf8(p, n);
            b.append('\n')
                    .append(preview != null ? indent(preview) : "  hex " + ByteBufUtil.hexDump(p, p.readerIndex(), n));
            if (n < p.readableBytes()) {
                b.append(" …");
            }
        }
        return b.toString();
    }

    static String json(Frame f) {
        StringBuilder b = new StringBuilder("{\"type\":")
                .append(Json.quote(f.type().name()))
                .append(",\"typeCode\":")
                .append(f.type().code())
                .append(",\"flags\":")
                .append(f.flags().bits())
                .append(",\"headers\":[");
        boolean first = true;
        for (Header h : f.headers()) {
            b.append(first ? "" : ",")
                    .append("{\"key\":")
                    .append(Json.quote(text(h.key())))
                    .append(",\"value\":")
                    .append(Json.quote(text(h.value())))
                    .append('}');
            first = false;
        }
        ByteBuf p = f.payload();
        String s = utf8(p, p.readableBytes());
        b.append("],\"payloadLength\":").append(p.readableBytes());
        if (s != null) {
            b.append(",\"payload\":").append(Json.quote(s));
        } else {
            b.append(",\"payloadHex\":").append(Json.quote(ByteBufUtil.hexDump(p)));
        }
        return b.append('}').toString();
    }

    static String flagNames(Flags flags) {
        StringBuilder b = new StringBuilder(String.format("%02x", flags.bits()));
        String[] names = {"REQ_ACK", "CRC", null, null, "FRAG", "COMP", null, null};
        StringBuilder set = new StringBuilder();
        for (int i = 0; i < 8; i++) {
            if ((flags.bits() & (1 << i)) != 0) {
                set.append(set.length() > 0 ? "|" : "").append(names[i] != null ? names[i] : "bit" + i + "?");
            }
        }
        return set.length() > 0 ? b.append(" (").append(set).append(')').toString() : b.toString();
    }

    /** UTF-8 text if the bytes are valid, printable UTF-8; else {@code 0x} and hex. */
    static String text(byte[] bytes) {
        String s = decode(bytes);
        return s != null ? s : "0x" + ByteBufUtil.hexDump(bytes);
    }

    private static String utf8(ByteBuf buf, int n) {
        byte[] b = new byte[n];
        buf.getBytes(buf.readerIndex(), b);
        return decode(b);
    }

    private static String decode(byte[] bytes) {
        try {
            String s = StandardCharsets.UTF_8
                    .newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(java.nio.ByteBuffer.wrap(bytes))
                    .toString();
            for (int i = 0; i < s.length(); i++) {
                char c = s.charAt(i);
                if (c < 0x20 && c != '\n' && c != '\r' && c != '\t' || c == 0x7f) {
                    return null;
                }
            }
            return s;
        } catch (CharacterCodingException e) {
            return null;
        }
    }

    private static String indent(String s) {
        return "  " + s.replace("\n", "\n  ");
    }
}
