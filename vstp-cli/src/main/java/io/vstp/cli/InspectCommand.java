package io.vstp.cli;

import static io.vstp.core.codec.FrameLayout.CRC_LENGTH;
import static io.vstp.core.codec.FrameLayout.HEADER_LENGTH_OFFSET;
import static io.vstp.core.codec.FrameLayout.MAGIC_0;
import static io.vstp.core.codec.FrameLayout.OVERHEAD;
import static io.vstp.core.codec.FrameLayout.PAYLOAD_LENGTH_OFFSET;
import static io.vstp.core.codec.FrameLayout.PREFIX_LENGTH;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.vstp.core.codec.FrameLimits;
import io.vstp.core.codec.WireReader;
import io.vstp.core.codec.v1.FrameReader;
import io.vstp.core.codec.v2.Integrity;
import io.vstp.core.codec.v2.V2FrameReader;
import io.vstp.core.codec.v2.V2Limits;
import io.vstp.core.error.ErrorCode;
import io.vstp.core.error.FrameException;
import io.vstp.core.frame.Flags;
import io.vstp.core.frame.Frame;
import io.vstp.core.frame.FrameTypeRegistry;
import io.vstp.core.frame.Header;
import io.vstp.core.hpack.HpackHeaderBlocks;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.io.Reader;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code vstp inspect}: decodes a stream of wire v1 or v2 frames (docs/spec/wire-v1.md, wire-v2.md) and shows each
 * frame, or each decoding error with the offset and name of the field that decided it. A diagnostic tool over the
 * library's own {@link WireReader}s, the readers the transport uses: what it reports is what a peer would.
 *
 * <p>Wire v1: after an error of checks 6-8 (CRC, type, headers) the frame has been consumed and the stream is still
 * aligned, so decoding goes on with the next frame; after checks 1-4 (magic, version, sizes) there is no frame
 * boundary and decoding stops (§7.3). Wire v2: decoding stops at the first error, since the HPACK table may have
 * missed that frame's header block. An input ending inside a frame is {@code TRUNCATED}.
 *
 * <h2>Limits</h2>
 * At most {@value #MAX_INPUT_BYTES} bytes of input (after hex decoding) are read; frames are bounded by
 * {@code --max-frame}, {@code --max-header-section} (v2: the header block) and {@code --max-headers} (defaults of
 * {@link FrameLimits}).
 */
@Command(
        name = "inspect",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        description = {
            "Decode VSTP frames (wire v1 or v2) and show type, flags, stream, headers, payload and CRC, "
                    + "or where and why a frame is malformed.",
            "Input: hex arguments (spaces and 0x prefixes allowed), raw bytes from --file, or hex text on stdin.",
            "Exit status 0 if every frame is valid, 1 if any is malformed."
        },
        footer = {
            "",
            "Examples:",
            "  vstp inspect 565401010000000000000090a29464",
            "  xxd -p capture.bin | vstp inspect",
            "  vstp inspect --file capture.bin --json"
        })
final class InspectCommand implements Callable<Integer> {
    /** Bounds what one invocation holds in memory: eight default-sized frames. */
    static final int MAX_INPUT_BYTES = 64 * 1024 * 1024;
    /** The largest HPACK table a VSTP peer announces (ProtocolOptions). */
    static final int MAX_HEADER_TABLE = 65_536;
    /** How much of a payload is shown. */
    static final int PREVIEW_BYTES = 64;

    @Parameters(
            paramLabel = "HEX",
            arity = "0..*",
            description = "Frame bytes as hex; several arguments are joined. Without HEX or --file, hex is read "
                    + "from stdin.")
    List<String> hex = new ArrayList<>();

    @Option(names = "--file", paramLabel = "FILE", description = "Read raw bytes (not hex) from FILE, '-' for stdin.")
    Path file;

    @Option(names = "--json", description = "One JSON object per line for each frame or error.")
    boolean json;

    @Option(
            names = "--max-frame",
            paramLabel = "BYTES",
            defaultValue = "" + FrameLimits.DEFAULT_MAX_FRAME_SIZE,
            description = "Largest frame accepted, 15 + headers + payload (default ${DEFAULT-VALUE}).")
    int maxFrame;

    @Option(
            names = "--max-header-section",
            paramLabel = "BYTES",
            defaultValue = "" + FrameLimits.DEFAULT_MAX_HEADER_SECTION_SIZE,
            description = "Largest header section accepted (default ${DEFAULT-VALUE}).")
    int maxHeaderSection;

    @Option(
            names = "--max-headers",
            paramLabel = "N",
            defaultValue = "" + FrameLimits.DEFAULT_MAX_HEADER_COUNT,
            description = "Most header entries accepted in one frame (default ${DEFAULT-VALUE}).")
    int maxHeaders;

    @Option(
            names = "--wire",
            paramLabel = "auto|1|2",
            defaultValue = "auto",
            description = "Wire version: auto (v1, switching to v2 where the v1 handshake in the input negotiates "
                    + "it, as a captured connection does), 1, or 2 for a stream of v2 frames alone "
                    + "(default ${DEFAULT-VALUE}).")
    String wire;

    @Option(
            names = "--integrity",
            paramLabel = "crc32c|none",
            description = "Wire v2: whether every frame ends in a CRC32C trailer (default: what the handshake in "
                    + "the input chose, else crc32c).")
    String integrity;

    @Option(
            names = "--header-table",
            paramLabel = "BYTES",
            defaultValue = "65536",
            description = "Wire v2 only: the HPACK dynamic table size the sender used (default ${DEFAULT-VALUE}).")
    int headerTable;

    @Option(
            names = "--keep-unknown-types",
            description = "Show frames of unregistered types instead of reporting UNKNOWN_TYPE (spec §3.2).")
    boolean keepUnknownTypes;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws IOException {
        FrameLimits limits = limits();
        if (file != null && !hex.isEmpty()) {
            throw new CliException(ExitCodes.USAGE, "give HEX arguments or --file, not both");
        }
        byte[] input = readInput();
        PrintWriter out = spec.commandLine().getOut();
        Report report = json ? new JsonReport(out) : new TextReport(out);
        boolean allValid = decode(input, limits, report);
        report.finish(input.length);
        out.flush();
        return allValid ? ExitCodes.OK : ExitCodes.FAILED;
    }

    private FrameLimits limits() {
        try {
            return new FrameLimits(maxFrame, maxHeaderSection, maxHeaders);
        } catch (IllegalArgumentException e) {
            throw new CliException(ExitCodes.USAGE, "bad limit: " + e.getMessage());
        }
    }

    private byte[] readInput() throws IOException {
        if (!hex.isEmpty()) {
            HexText decoder = new HexText();
            for (String argument : hex) {
                decoder.accept(argument);
                decoder.separator();
            }
            return decoder.finish();
        }
        if (file == null) {
            if (System.console() != null) {
                spec.commandLine().getErr().println("vstp: reading hex from stdin (end with Ctrl-D)");
                spec.commandLine().getErr().flush();
            }
            return HexText.read(new InputStreamReader(System.in, StandardCharsets.US_ASCII));
        }
        if (file.toString().equals("-")) {
            return readBounded(System.in);
        }
        try (InputStream in = Files.newInputStream(file)) {
            return readBounded(in);
        } catch (NoSuchFileException e) {
            throw new CliException(ExitCodes.IO, "cannot read " + file + ": file does not exist", e);
        } catch (AccessDeniedException e) {
            throw new CliException(ExitCodes.IO, "cannot read " + file + ": permission denied", e);
        } catch (IOException e) {
            throw new CliException(ExitCodes.IO, "cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    private static byte[] readBounded(InputStream in) throws IOException {
        byte[] bytes = in.readNBytes(MAX_INPUT_BYTES + 1);
        if (bytes.length > MAX_INPUT_BYTES) {
            throw tooMuchInput();
        }
        return bytes;
    }

    static CliException tooMuchInput() {
        return new CliException(
                ExitCodes.IO,
                "input larger than " + MAX_INPUT_BYTES / (1024 * 1024)
                        + " MiB; inspect reads at most that much (split the capture)");
    }

    /** The reader of wire {@code version}; for v2, with {@code mode} and a fresh HPACK table. */
    private WireReader reader(int version, FrameLimits limits, Integrity mode) {
        if (version == 1) {
            return new FrameReader(limits, FrameTypeRegistry.V1, keepUnknownTypes);
        }
        V2Limits v2 = new V2Limits(
                Math.max(limits.maxFrameSize(), V2Limits.MIN_FRAME_SIZE),
                limits.maxHeaderSectionSize(),
                V2Limits.DEFAULT_MAX_HEADER_LIST_SIZE,
                limits.maxHeaderCount());
        // One decoder for the rest of the input: a v2 stream's header blocks share one HPACK table, in order.
        return new V2FrameReader(
                HpackHeaderBlocks.decoder(headerTable, v2.maxHeaderListSize(), v2.maxHeaderCount()),
                mode,
                v2,
                FrameTypeRegistry.V2);
    }

    /** --integrity, or null when not given (then the handshake's, else crc32c). */
    private Integrity integrityOption() {
        if (integrity == null) {
            return null;
        }
        Integrity mode = Integrity.find(integrity);
        if (mode == null) {
            throw new CliException(ExitCodes.USAGE, "--integrity takes crc32c or none, not " + integrity);
        }
        return mode;
    }

    /**
     * The integrity mode a v1 handshake frame switches this direction of the connection to v2 with, or null when it
     * does not (wire-v2.md §10). A WELCOME with {@code version: 2} switches the server's bytes after it, with the
     * mode it chose. A HELLO offering 2 switches the client's bytes after it, unless they are another v1 frame (a
     * v1 prefix: magic and version 1, which v2 never starts with, since its type 1 is HELLO); its mode is the
     * server's choice, which this direction does not show: crc32c if the next frame's trailer verifies, else none.
     */
    private Integrity switchesTo(Frame frame, ByteBuf in, FrameLimits limits) {
        if (frame.type().equals(io.vstp.core.frame.FrameType.WELCOME)
                && "2".equals(frame.headers().value("version"))) {
            Integrity chosen = Integrity.find(String.valueOf(frame.headers().value("integrity")));
            return chosen != null ? chosen : Integrity.CRC32C;
        }
        String versions = frame.type().equals(io.vstp.core.frame.FrameType.HELLO)
                ? frame.headers().value("versions")
                : null;
        int at = in.readerIndex();
        boolean nextIsV1 = in.readableBytes() >= 3
                && in.getByte(at) == MAGIC_0
                && in.getByte(at + 1) == io.vstp.core.codec.FrameLayout.MAGIC_1
                && in.getByte(at + 2) == 1;
        if (versions == null
                || !in.isReadable()
                || nextIsV1
                || java.util.Arrays.stream(versions.split(","))
                        .noneMatch(v -> v.strip().equals("2"))) {
            return null;
        }
        return verifiesWithCrc(in, limits) ? Integrity.CRC32C : Integrity.NONE;
    }

    /** Whether the frame at {@code in}'s reader index reads as a v2 frame with a correct CRC32C trailer. */
    private boolean verifiesWithCrc(ByteBuf in, FrameLimits limits) {
        ByteBuf probe = in.duplicate();
        try {
            Frame f = reader(2, limits, Integrity.CRC32C).read(probe);
            if (f != null) {
                f.release();
            }
            return f != null;
        } catch (FrameException e) {
            return false;
        }
    }

    /**
     * Decodes every frame of {@code input} into {@code report}, with the library's reader of the input's wire
     * version, following a v1 handshake into v2; an error's location is the reader's own
     * ({@link FrameException#offset()}).
     *
     * @return whether every frame was valid
     */
    private boolean decode(byte[] input, FrameLimits limits, Report report) {
        Integrity given = integrityOption();
        if (headerTable < 0 || headerTable > MAX_HEADER_TABLE) {
            throw new CliException(ExitCodes.USAGE, "--header-table takes 0 to " + MAX_HEADER_TABLE + " bytes");
        }
        int version = switch (wire) {
            case "1", "auto" -> 1;
            case "2" -> 2;
            default -> throw new CliException(ExitCodes.USAGE, "--wire takes auto, 1 or 2, not " + wire);
        };
        Integrity mode = given != null ? given : Integrity.CRC32C;
        WireReader reader = reader(version, limits, mode);
        ByteBuf in = Unpooled.wrappedBuffer(input);
        boolean allValid = true;
        int index = 0;
        try {
            while (in.isReadable()) {
                int start = in.readerIndex();
                index++;
                Frame frame;
                try {
                    frame = reader.read(in);
                } catch (FrameException e) {
                    allValid = false;
                    int consumed = in.readerIndex() - start;
                    Location at = e.offset() < 0 ? null : new Location(start + e.offset(), e.field());
                    // v1: a consumed frame leaves the stream aligned (§7.3). v2: the HPACK table may have missed
                    // this frame's header block, so nothing after it can be trusted.
                    boolean resumed = consumed > 0 && version == 1;
                    report.error(index, start, e.code(), e.detail(), at, resumed ? consumed : 0);
                    if (!resumed) {
                        break;
                    }
                    continue;
                }
                if (frame == null) {
                    allValid = false;
                    report.error(
                            index,
                            start,
                            ErrorCode.TRUNCATED,
                            truncatedMessage(version, in, start),
                            new Location(input.length, "end of input"),
                            0);
                    break;
                }
                try {
                    int length = in.readerIndex() - start;
                    int trailer = version == 1 ? CRC_LENGTH : mode.trailerLength();
                    Long crc = trailer == 0 ? null : in.getUnsignedInt(start + length - trailer);
                    report.frame(index, start, length, frame, crc);
                    Integrity negotiated = version == 1 && wire.equals("auto") ? switchesTo(frame, in, limits) : null;
                    if (negotiated != null) {
                        version = 2;
                        mode = given != null ? given : negotiated;
                        reader = reader(2, limits, mode);
                        report.switched(in.readerIndex(), mode);
                    }
                } finally {
                    frame.release();
                }
            }
        } finally {
            in.release();
        }
        return allValid;
    }

    private static String truncatedMessage(int version, ByteBuf in, int start) {
        int received = in.readableBytes();
        if (version == 2) {
            return WireReader.truncated(received).detail();
        }
        if (received < PREFIX_LENGTH) {
            return "input ended inside the " + PREFIX_LENGTH + "-byte prefix, " + received + " byte(s) of it received";
        }
        long total = OVERHEAD
                + in.getUnsignedShortLE(start + HEADER_LENGTH_OFFSET)
                + in.getUnsignedInt(start + PAYLOAD_LENGTH_OFFSET);
        return "input ended inside a frame of " + total + " bytes, " + received + " byte(s) of it received";
    }

    /** An absolute offset in the input and what lives there. */
    record Location(long offset, String field) {}

    // ---- presentation ----

    /** Where decoded frames and errors go. */
    interface Report {
        /** @param crc the frame's integrity trailer, or null when it has none (v2 with integrity none) */
        void frame(int index, int offset, int length, Frame frame, Long crc);

        /** {@code consumed} is 0 when decoding cannot go on (checks 1-5). */
        void error(int index, int offset, ErrorCode code, String message, Location at, int consumed);

        /** From {@code offset} on the input is wire v2, as the handshake frame just shown negotiated. */
        void switched(int offset, Integrity integrity);

        void finish(int inputLength);
    }

    /** For people: a block per frame. */
    static final class TextReport implements Report {
        private final PrintWriter out;
        private int frames;
        private int errors;

        TextReport(PrintWriter out) {
            this.out = out;
        }

        @Override
        public void frame(int index, int offset, int length, Frame frame, Long crc) {
            frames++;
            out.printf("frame %d at offset %d, %d bytes%n", index, offset, length);
            out.printf(
                    "  type     %s (0x%02x)%n",
                    frame.type().name(), frame.type().code());
            out.printf("  flags    %s%n", describeFlags(frame.flags()));
            if (frame.streamId() != 0) {
                out.printf("  stream   %d%n", frame.streamId());
            }
            out.printf("  headers  %d%n", frame.headers().size());
            for (Header h : frame.headers()) {
                out.printf("    %s=%s%n", textOrHex(h.key(), true), textOrHex(h.value(), false));
            }
            int payloadLength = frame.payload().readableBytes();
            out.printf(
                    "  payload  %d byte%s%s%n",
                    payloadLength,
                    payloadLength == 1 ? "" : "s",
                    payloadLength == 0 ? "" : ": " + previewText(frame.payload()));
            out.println(crc == null ? "  crc      none (integrity none)" : String.format("  crc      %08x OK", crc));
        }

        @Override
        public void error(int index, int offset, ErrorCode code, String message, Location at, int consumed) {
            errors++;
            out.printf("frame %d at offset %d: %s (0x%04x): %s%n", index, offset, code.name(), code.code(), message);
            if (at != null) {
                out.printf("  at offset %d (+%d): %s%n", at.offset(), at.offset() - offset, at.field());
            }
            out.println(
                    consumed > 0
                            ? "  frame of " + consumed + " bytes skipped, the stream is still aligned; continuing"
                            : "  no frame boundary (v1) or header table (v2) to trust after this point; stopped");
        }

        @Override
        public void switched(int offset, Integrity integrity) {
            out.printf("wire v2 from offset %d on, as negotiated (integrity %s)%n", offset, integrity.wireName());
        }

        @Override
        public void finish(int inputLength) {
            out.printf(
                    "%d byte%s: %d valid frame%s, %d error%s%n",
                    inputLength,
                    inputLength == 1 ? "" : "s",
                    frames,
                    frames == 1 ? "" : "s",
                    errors,
                    errors == 1 ? "" : "s");
        }

        static String describeFlags(Flags flags) {
            StringBuilder s = new StringBuilder(String.format("0x%02x", flags.bits()));
            if (flags.bits() == 0) {
                return s.append(" (none)").toString();
            }
            List<String> names = flagNames(flags);
            if (!names.isEmpty()) {
                s.append(' ').append(String.join("|", names));
            }
            if (flags.undefinedBits() != 0) {
                s.append(String.format(
                        " + undefined 0x%02x (kept; a crate peer would read these flags as 0x00)",
                        flags.undefinedBits()));
            }
            return s.toString();
        }

        /** Text when printable UTF-8, quoted when it would be ambiguous, else {@code hex:...}. */
        static String textOrHex(byte[] bytes, boolean key) {
            String text = printableUtf8(bytes);
            if (text == null) {
                return "hex:" + HexFormat.of().formatHex(bytes);
            }
            boolean ambiguous = text.isEmpty()
                    || text.startsWith("hex:")
                    || text.startsWith("\"")
                    || !text.strip().equals(text)
                    || key && text.contains("=");
            return ambiguous ? quote(text) : text;
        }

        static String previewText(ByteBuf payload) {
            byte[] preview = preview(payload);
            boolean cut = preview.length < payload.readableBytes();
            String text = printableUtf8(preview);
            String shown = text != null ? quote(text) : "hex " + HexFormat.of().formatHex(preview);
            return cut ? shown + " ... (first " + preview.length + " bytes)" : shown;
        }

        private static String quote(String text) {
            StringBuilder s = new StringBuilder("\"");
            for (int i = 0; i < text.length(); i++) {
                char c = text.charAt(i);
                switch (c) {
                    case '"' -> s.append("\\\"");
                    case '\\' -> s.append("\\\\");
                    case '\n' -> s.append("\\n");
                    case '\r' -> s.append("\\r");
                    case '\t' -> s.append("\\t");
                    default -> s.append(c);
                }
            }
            return s.append('"').toString();
        }
    }

    /** For programs: one JSON object per line, ASCII only. */
    static final class JsonReport implements Report {
        private final PrintWriter out;

        JsonReport(PrintWriter out) {
            this.out = out;
        }

        @Override
        public void frame(int index, int offset, int length, Frame frame, Long crc) {
            Json o = new Json()
                    .field("offset", offset)
                    .field("length", length)
                    .field("type", frame.type().name())
                    .field("typeCode", frame.type().code())
                    .field("flags", frame.flags().bits())
                    .field("flagNames", flagNames(frame.flags()));
            if (frame.flags().undefinedBits() != 0) {
                o.field("undefinedFlags", frame.flags().undefinedBits());
            }
            if (frame.streamId() != 0) {
                o.field("stream", frame.streamId());
            }
            StringBuilder headers = new StringBuilder("[");
            for (Header h : frame.headers()) {
                if (headers.length() > 1) {
                    headers.append(',');
                }
                Json entry = new Json();
                bytesField(entry, "key", h.key());
                bytesField(entry, "value", h.value());
                headers.append(entry);
            }
            o.raw("headers", headers.append(']').toString());
            ByteBuf payload = frame.payload();
            o.field("payloadLength", payload.readableBytes());
            byte[] preview = preview(payload);
            String text = printableUtf8(preview);
            if (text != null) {
                o.field("payloadPreview", text);
            } else {
                o.field("payloadPreviewHex", HexFormat.of().formatHex(preview));
            }
            out.println(
                    crc == null
                            ? o.field("crc", "none")
                            : o.field("crc", String.format("%08x", crc)).field("crcOk", true));
        }

        /** {@code key} as a string when valid UTF-8 (lossless), else {@code keyHex}. */
        private static void bytesField(Json o, String name, byte[] bytes) {
            String text = strictUtf8(bytes);
            if (text != null) {
                o.field(name, text);
            } else {
                o.field(name + "Hex", HexFormat.of().formatHex(bytes));
            }
        }

        @Override
        public void error(int index, int offset, ErrorCode code, String message, Location at, int consumed) {
            Json o = new Json()
                    .field("offset", offset)
                    .field("error", code.name())
                    .field("code", code.code())
                    .field("message", message);
            if (at != null) {
                o.field("at", at.offset()).field("field", at.field());
            }
            if (consumed > 0) {
                o.field("length", consumed);
            }
            out.println(o.field("resumed", consumed > 0));
        }

        @Override
        public void switched(int offset, Integrity integrity) {
            out.println(new Json()
                    .field("offset", offset)
                    .field("switchedTo", "v2")
                    .field("integrity", integrity.wireName()));
        }

        @Override
        public void finish(int inputLength) {
            // One line per frame or error, nothing else: the output stays a stream of JSON objects.
        }
    }

    static List<String> flagNames(Flags flags) {
        List<String> names = new ArrayList<>();
        if (flags.has(Flags.REQ_ACK)) {
            names.add("REQ_ACK");
        }
        if (flags.has(Flags.CRC)) {
            names.add("CRC");
        }
        if (flags.has(Flags.FRAG)) {
            names.add("FRAG");
        }
        if (flags.has(Flags.COMP)) {
            names.add("COMP");
        }
        return names;
    }

    /** The first {@value #PREVIEW_BYTES} payload bytes, cut back to a UTF-8 character boundary. */
    static byte[] preview(ByteBuf payload) {
        int length = Math.min(PREVIEW_BYTES, payload.readableBytes());
        int from = payload.readerIndex();
        if (length < payload.readableBytes()) {
            // Do not split a multi-byte character: back off over at most 3 continuation bytes (10xxxxxx).
            int cut = length;
            while (cut > length - 3 && cut > 0 && (payload.getByte(from + cut) & 0xC0) == 0x80) {
                cut--;
            }
            if ((payload.getByte(from + cut) & 0xC0) != 0x80) {
                length = cut;
            }
        }
        byte[] bytes = new byte[length];
        payload.getBytes(from, bytes);
        return bytes;
    }

    /** The text if {@code bytes} are valid UTF-8, else null. */
    static String strictUtf8(byte[] bytes) {
        try {
            return StandardCharsets.UTF_8
                    .newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes))
                    .toString();
        } catch (CharacterCodingException e) {
            return null;
        }
    }

    /** The text if {@code bytes} are valid UTF-8 without control characters other than tab, CR and LF. */
    static String printableUtf8(byte[] bytes) {
        String text = strictUtf8(bytes);
        if (text == null) {
            return null;
        }
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (Character.isISOControl(c) && c != '\t' && c != '\n' && c != '\r'
                    || c == '\u2028'
                    || c == '\u2029'
                    || c == '\ufeff') {
                return null;
            }
        }
        return text;
    }

    /**
     * Hex text as people paste it: whitespace anywhere, an optional {@code 0x} before each whitespace-separated
     * group. Anything else is a usage error naming the character.
     */
    static final class HexText {
        private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        private int high = -1;
        private boolean atGroupStart = true;
        private boolean pendingZero;
        private long position;

        static byte[] read(Reader reader) throws IOException {
            HexText decoder = new HexText();
            char[] buffer = new char[8192];
            int n;
            while ((n = reader.read(buffer)) > 0) {
                decoder.accept(new String(buffer, 0, n));
            }
            return decoder.finish();
        }

        void accept(CharSequence text) {
            for (int i = 0; i < text.length(); i++) {
                position++;
                char c = text.charAt(i);
                if (pendingZero) {
                    pendingZero = false;
                    if (c == 'x' || c == 'X') {
                        continue; // a 0x prefix
                    }
                    nibble(0);
                }
                if (Character.isWhitespace(c)) {
                    atGroupStart = true;
                    continue;
                }
                if (atGroupStart && c == '0') {
                    atGroupStart = false;
                    pendingZero = true;
                    continue;
                }
                atGroupStart = false;
                int digit = Character.digit(c, 16);
                if (digit < 0 || c > 0x7f) {
                    throw new CliException(
                            ExitCodes.USAGE,
                            String.format(
                                    "invalid hex: unexpected character '%s' at position %d", printable(c), position));
                }
                nibble(digit);
            }
        }

        /** Ends a group, as whitespace does. */
        void separator() {
            accept(" ");
        }

        private void nibble(int digit) {
            if (high < 0) {
                high = digit;
                return;
            }
            bytes.write(high << 4 | digit);
            high = -1;
            if (bytes.size() > MAX_INPUT_BYTES) {
                throw tooMuchInput();
            }
        }

        byte[] finish() {
            if (pendingZero) {
                pendingZero = false;
                nibble(0);
            }
            if (high >= 0) {
                throw new CliException(
                        ExitCodes.USAGE, "invalid hex: odd number of hex digits (" + (bytes.size() * 2L + 1) + ")");
            }
            return bytes.toByteArray();
        }

        private static String printable(char c) {
            return c < 0x20 || c > 0x7e ? String.format("\\u%04x", (int) c) : String.valueOf(c);
        }
    }

    /** A JSON object written field by field; strings escaped so the output is pure ASCII. */
    static final class Json {
        private final StringBuilder s = new StringBuilder("{");

        Json field(String name, String value) {
            return raw(name, io.vstp.cli.Json.quote(value));
        }

        Json field(String name, long value) {
            return raw(name, Long.toString(value));
        }

        Json field(String name, boolean value) {
            return raw(name, Boolean.toString(value));
        }

        Json field(String name, List<String> values) {
            StringBuilder array = new StringBuilder("[");
            for (String v : values) {
                if (array.length() > 1) {
                    array.append(',');
                }
                array.append(io.vstp.cli.Json.quote(v));
            }
            return raw(name, array.append(']').toString());
        }

        Json raw(String name, String json) {
            if (s.length() > 1) {
                s.append(',');
            }
            s.append(io.vstp.cli.Json.quote(name)).append(':').append(json);
            return this;
        }

        @Override
        public String toString() {
            return s + "}";
        }
    }
}
