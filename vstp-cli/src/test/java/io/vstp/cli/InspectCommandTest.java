package io.vstp.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.vstp.core.codec.FrameLimits;
import io.vstp.core.codec.v1.FrameWriter;
import io.vstp.core.codec.v2.Integrity;
import io.vstp.core.codec.v2.V2FrameWriter;
import io.vstp.core.error.ErrorCode;
import io.vstp.core.frame.Frame;
import io.vstp.core.frame.FrameType;
import io.vstp.core.frame.Header;
import io.vstp.core.hpack.HpackHeaderBlocks;
import io.vstp.core.testing.Hex;
import io.vstp.core.testing.WireVectors;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

/** {@code vstp inspect} against every wire vector (docs/spec/vectors/wire-v1.json) and on streams of frames. */
class InspectCommandTest {
    private static final WireVectors VECTORS = WireVectors.load();
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String HELLO = "565401010000000000000090a29464";
    private static final String ACK_MSG_ID_1 = "565401070009000000000006016d73672d696431e63ca3b8";
    private static final String CRC_MISMATCH = "565401010000000000000090a29465";

    @TempDir
    Path dir;

    record Result(int exitCode, String out, String err) {
        List<String> lines() {
            return out.lines().toList();
        }

        List<JsonNode> json() {
            List<JsonNode> nodes = new ArrayList<>();
            for (String line : lines()) {
                try {
                    nodes.add(JSON.readTree(line));
                } catch (Exception e) {
                    throw new AssertionError("not JSON: " + line, e);
                }
            }
            return nodes;
        }
    }

    static Result run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = VstpCommand.execute(args, new PrintWriter(out, true), new PrintWriter(err, true));
        return new Result(code, out.toString(), err.toString());
    }

    static Result runWithStdin(byte[] stdin, String... args) {
        InputStream original = System.in;
        System.setIn(new ByteArrayInputStream(stdin));
        try {
            return run(args);
        } finally {
            System.setIn(original);
        }
    }

    /** {@code inspect} with the vector's limits, then {@code extra}. */
    private static String[] args(byte[] bytes, FrameLimits limits, String... extra) {
        List<String> a = new ArrayList<>(List.of(
                "inspect",
                Hex.encode(bytes),
                "--max-frame",
                String.valueOf(limits.maxFrameSize()),
                "--max-header-section",
                String.valueOf(limits.maxHeaderSectionSize()),
                "--max-headers",
                String.valueOf(limits.maxHeaderCount())));
        a.addAll(Arrays.asList(extra));
        return a.toArray(String[]::new);
    }

    static Stream<WireVectors.Valid> valid() {
        return VECTORS.valid().stream();
    }

    static Stream<WireVectors.Invalid> invalid() {
        return VECTORS.invalid().stream();
    }

    // ---- every vector ----

    @ParameterizedTest(name = "{0}")
    @MethodSource("valid")
    void showsEveryValidVectorAsText(WireVectors.Valid v) {
        Result r = run(args(v.bytes(), v.limits()));

        assertThat(r.exitCode()).as(r.out() + r.err()).isZero();
        String typeName = FrameType.unknown(v.type()).name();
        for (FrameType t : List.of(
                FrameType.HELLO,
                FrameType.WELCOME,
                FrameType.DATA,
                FrameType.PING,
                FrameType.PONG,
                FrameType.BYE,
                FrameType.ACK,
                FrameType.ERR)) {
            if (t.code() == v.type()) {
                typeName = t.name();
            }
        }
        assertThat(r.out()).contains(String.format("type     %s (0x%02x)", typeName, v.type()));
        assertThat(r.out()).contains(String.format("flags    0x%02x", v.flags()));
        assertThat(r.out()).contains("headers  " + v.headers().size() + "\n");
        for (Header h : v.headers()) {
            assertThat(r.out())
                    .contains("    " + InspectCommand.TextReport.textOrHex(h.key(), true) + "="
                            + InspectCommand.TextReport.textOrHex(h.value(), false) + "\n");
        }
        assertThat(r.out()).contains("payload  " + v.payload().length + " byte");
        String crc = Hex.encode(Arrays.copyOfRange(v.bytes(), v.bytes().length - 4, v.bytes().length));
        assertThat(r.out()).contains("crc      " + crc + " OK");
        assertThat(r.out()).endsWith(": 1 valid frame, 0 errors\n");
        assertThat(r.err()).isEmpty();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("valid")
    void decodesEveryValidVectorAsJson(WireVectors.Valid v) throws Exception {
        Result r = run(args(v.bytes(), v.limits(), "--json"));

        assertThat(r.exitCode()).as(r.out() + r.err()).isZero();
        assertThat(r.lines()).hasSize(1);
        JsonNode f = r.json().get(0);
        assertThat(f.get("offset").asInt()).isZero();
        assertThat(f.get("length").asInt()).isEqualTo(v.bytes().length);
        assertThat(f.get("typeCode").asInt()).isEqualTo(v.type());
        assertThat(f.get("flags").asInt()).isEqualTo(v.flags());
        List<Header> headers = new ArrayList<>();
        for (JsonNode h : f.get("headers")) {
            headers.add(Header.of(bytes(h, "key"), bytes(h, "value")));
        }
        assertThat(headers).isEqualTo(v.headers());
        assertThat(f.get("payloadLength").asInt()).isEqualTo(v.payload().length);
        byte[] preview = f.has("payloadPreview")
                ? f.get("payloadPreview").asText().getBytes(StandardCharsets.UTF_8)
                : HexFormat.of().parseHex(f.get("payloadPreviewHex").asText());
        assertThat(preview.length).isLessThanOrEqualTo(InspectCommand.PREVIEW_BYTES);
        assertThat(preview).isEqualTo(Arrays.copyOf(v.payload(), preview.length));
        if (v.payload().length <= InspectCommand.PREVIEW_BYTES) {
            assertThat(preview).hasSize(v.payload().length);
        }
        assertThat(f.get("crc").asText())
                .isEqualTo(Hex.encode(Arrays.copyOfRange(v.bytes(), v.bytes().length - 4, v.bytes().length)));
        assertThat(f.get("crcOk").asBoolean()).isTrue();
    }

    private static byte[] bytes(JsonNode header, String name) {
        return header.has(name)
                ? header.get(name).asText().getBytes(StandardCharsets.UTF_8)
                : HexFormat.of().parseHex(header.get(name + "Hex").asText());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("invalid")
    void reportsTheErrorOfEveryInvalidVector(WireVectors.Invalid v) throws Exception {
        Result text = run(args(v.bytes(), v.limits()));
        Result json = run(args(v.bytes(), v.limits(), "--json"));

        assertThat(text.exitCode()).as(text.out() + text.err()).isEqualTo(ExitCodes.FAILED);
        ErrorCode expected = ErrorCode.valueOf(v.error());
        assertThat(text.out()).contains(String.format("%s (0x%04x)", v.error(), expected.code()));
        assertThat(json.exitCode()).isEqualTo(ExitCodes.FAILED);
        List<JsonNode> errors = json.json().stream().filter(n -> n.has("error")).toList();
        assertThat(errors).hasSize(1);
        JsonNode e = errors.get(0);
        assertThat(e.get("error").asText()).isEqualTo(v.error());
        assertThat(e.get("code").asInt()).isEqualTo(expected.code());
        assertThat(e.get("message").asText()).isNotBlank();
        assertThat(e.get("at").asLong()).isBetween(e.get("offset").asLong(), (long) v.bytes().length);
        assertThat(text.err()).isEmpty();
    }

    @ParameterizedTest(name = "{0} at {1}")
    @CsvSource({
        "bad-magic-first-byte, 0", "bad-magic-second-byte, 1", "version-02-frame, 2",
        "headers-too-large-prefix, 5", "frame-too-large-default-by-one, 7", "frame-too-large-prefix-max-lengths, 7",
        "truncated-inside-payload, 20", "truncated-prefix-10, 10", "crc-mismatch-trailer, 11",
        "crc-mismatch-payload-bit, 22", "unknown-type-09, 3", "header-overrun-into-payload, 11",
        "header-overrun-second-entry, 15", "header-overrun-lone-length-byte, 11", "too-many-headers-limit-2, 19",
        "trailing-partial-frame, 18"
    })
    void pointsAtTheOffendingByte(String name, long at) throws Exception {
        WireVectors.Invalid v = VECTORS.invalid().stream()
                .filter(c -> c.name().equals(name))
                .findFirst()
                .orElseThrow();
        Result r = run(args(v.bytes(), v.limits(), "--json"));

        List<JsonNode> lines = r.json();
        assertThat(lines.get(lines.size() - 1).get("at").asLong()).as(r.out()).isEqualTo(at);
    }

    // ---- wire v2 ----

    /** Bytes of {@code frames} in wire v2, written by the library with one HPACK table, as a connection does. */
    private static byte[] v2(Integrity integrity, Frame... frames) {
        V2FrameWriter writer = new V2FrameWriter(HpackHeaderBlocks.encoder(4096), integrity, 1 << 20);
        ByteBuf out = UnpooledByteBufAllocator.DEFAULT.heapBuffer();
        try {
            for (Frame f : frames) {
                writer.write(f, out);
                f.release();
            }
            return ByteBufUtil.getBytes(out);
        } finally {
            out.release();
        }
    }

    private static byte[] v1(Frame frame) {
        ByteBuf b = new FrameWriter().encode(frame, UnpooledByteBufAllocator.DEFAULT);
        try {
            return ByteBufUtil.getBytes(b);
        } finally {
            b.release();
            frame.release();
        }
    }

    private static Frame request(long stream, String path) {
        return Frame.builder(FrameType.DATA).stream(stream)
                .header("service", "files")
                .header("op", "stat")
                .header("path", path)
                .build();
    }

    private static byte[] concat(byte[]... parts) {
        java.io.ByteArrayOutputStream all = new java.io.ByteArrayOutputStream();
        for (byte[] p : parts) {
            all.writeBytes(p);
        }
        return all.toByteArray();
    }

    /**
     * A captured client-to-server connection: a v1 HELLO offering v2, then the client's v2 frames. The second
     * request's headers come from the HPACK table the first filled, so they read right only if one table carries
     * across frames, as on the wire.
     */
    @Test
    void followsAV1HandshakeIntoV2AndDecodesHeadersThroughOneTable() throws Exception {
        byte[] hello = v1(Frame.builder(FrameType.HELLO)
                .header("versions", "2,1")
                .header("integrity", "crc32c")
                .build());
        byte[] frames = v2(Integrity.CRC32C, request(1, "a.bin"), request(3, "a.bin"));
        Result r = run("inspect", Hex.encode(concat(hello, frames)), "--json");

        assertThat(r.exitCode()).as(r.out()).isZero();
        List<JsonNode> lines = r.json();
        assertThat(lines).hasSize(4);
        assertThat(lines.get(0).get("type").asText()).isEqualTo("HELLO");
        assertThat(lines.get(1).get("switchedTo").asText()).isEqualTo("v2");
        assertThat(lines.get(1).get("offset").asInt()).isEqualTo(hello.length);
        assertThat(lines.get(1).get("integrity").asText()).isEqualTo("crc32c");
        for (int i : new int[] {2, 3}) {
            JsonNode f = lines.get(i);
            assertThat(f.get("type").asText()).isEqualTo("DATA");
            assertThat(f.get("stream").asLong()).isEqualTo(i == 2 ? 1 : 3);
            assertThat(f.get("headers").toString()).contains("{\"key\":\"path\",\"value\":\"a.bin\"}");
            assertThat(f.get("crcOk").asBoolean()).isTrue();
        }
        assertThat(lines.get(3).get("length").asInt())
                .as("the repeated headers are table references")
                .isLessThan(lines.get(2).get("length").asInt());
    }

    /** The server's side: WELCOME with version 2 switches what follows, with the integrity mode it chose. */
    @Test
    void aWelcomeWithVersion2SwitchesWithTheChosenIntegrity() {
        byte[] welcome = v1(Frame.builder(FrameType.WELCOME)
                .header("version", "2")
                .header("integrity", "none")
                .build());
        Result r = run(
                "inspect",
                Hex.encode(concat(
                        welcome,
                        v2(
                                Integrity.NONE,
                                Frame.builder(FrameType.PING).payload("ping").build()))));

        assertThat(r.exitCode()).as(r.out()).isZero();
        assertThat(r.out())
                .contains("wire v2 from offset " + welcome.length + " on, as negotiated (integrity none)")
                .contains("type     PING (0x04)")
                .contains("crc      none (integrity none)")
                .endsWith(": 2 valid frames, 0 errors\n");
    }

    /**
     * A HELLO offering none first: the server may still have chosen crc32c, which this direction does not show, so
     * the next frame's trailer decides; a wrong guess would show the trailer as payload.
     */
    @Test
    void atAHelloTheNextFramesTrailerDecidesTheIntegrity() throws Exception {
        byte[] hello = v1(Frame.builder(FrameType.HELLO)
                .header("versions", "2, 1")
                .header("integrity", "none,crc32c")
                .build());
        for (Integrity chosen : Integrity.values()) {
            Result r = run("inspect", Hex.encode(concat(hello, v2(chosen, request(1, "p")))), "--json");
            assertThat(r.exitCode()).as(r.out()).isZero();
            assertThat(r.json().get(1).get("integrity").asText()).isEqualTo(chosen.wireName());
            assertThat(r.json().get(2).get("payloadLength").asInt()).isZero();
        }
        assertThat(run("inspect", "00", "--header-table", "70000").exitCode()).isEqualTo(ExitCodes.USAGE);
    }

    /** A HELLO offering v2 that a v1 server declined: the client's next frame is v1 again. */
    @Test
    void aHelloFollowedByV1StaysV1() {
        byte[] hello =
                v1(Frame.builder(FrameType.HELLO).header("versions", "2,1").build());
        Result r = run("inspect", Hex.encode(concat(hello, Hex.decode(HELLO))));

        assertThat(r.exitCode()).as(r.out()).isZero();
        assertThat(r.out()).doesNotContain("wire v2").endsWith(": 2 valid frames, 0 errors\n");
    }

    /** v2 frames alone, and a damaged one located by the reader: the CRC32C trailer, then a stop. */
    @Test
    void v2FramesAloneAndWhereABadOneIsWrong() throws Exception {
        byte[] frames = v2(Integrity.CRC32C, request(1, "x"), request(3, "y"));
        Result ok = run("inspect", Hex.encode(frames), "--wire", "2");
        assertThat(ok.exitCode()).as(ok.out()).isZero();
        assertThat(ok.out()).contains("stream   3").contains("path=y");

        frames[frames.length - 1] ^= 1;
        Result bad = run("inspect", Hex.encode(frames), "--wire", "2", "--json");
        assertThat(bad.exitCode()).isEqualTo(ExitCodes.FAILED);
        JsonNode e = bad.json().get(1);
        assertThat(e.get("error").asText()).isEqualTo("CRC_MISMATCH");
        assertThat(e.get("at").asInt()).isEqualTo(frames.length - 4);
        assertThat(e.get("field").asText()).isEqualTo("CRC32C trailer");
        assertThat(e.get("resumed").asBoolean()).isFalse();

        Result none =
                run("inspect", Hex.encode(v2(Integrity.NONE, request(1, "x"))), "--wire", "2", "--integrity", "none");
        assertThat(none.exitCode()).as(none.out()).isZero();
        assertThat(run("inspect", "00", "--wire", "3").exitCode()).isEqualTo(ExitCodes.USAGE);
        assertThat(run("inspect", "00", "--wire", "2", "--integrity", "md5").exitCode())
                .isEqualTo(ExitCodes.USAGE);
    }

    // ---- streams ----

    @Test
    void decodesFramesBackToBack() throws Exception {
        Result r = run("inspect", HELLO + ACK_MSG_ID_1, "--json");

        assertThat(r.exitCode()).isZero();
        List<JsonNode> frames = r.json();
        assertThat(frames).hasSize(2);
        assertThat(frames.get(0).get("type").asText()).isEqualTo("HELLO");
        assertThat(frames.get(1).get("type").asText()).isEqualTo("ACK");
        assertThat(frames.get(1).get("offset").asInt()).isEqualTo(15);
        assertThat(frames.get(1).get("headers").get(0).get("key").asText()).isEqualTo("msg-id");
        assertThat(frames.get(1).get("headers").get(0).get("value").asText()).isEqualTo("1");
    }

    @Test
    void goesOnAfterAnErrorThatConsumesTheFrame() throws Exception {
        Result r = run("inspect", HELLO, CRC_MISMATCH, ACK_MSG_ID_1, "--json");

        assertThat(r.exitCode()).isEqualTo(ExitCodes.FAILED);
        List<JsonNode> lines = r.json();
        assertThat(lines).hasSize(3);
        assertThat(lines.get(1).get("error").asText()).isEqualTo("CRC_MISMATCH");
        assertThat(lines.get(1).get("offset").asInt()).isEqualTo(15);
        assertThat(lines.get(1).get("at").asInt()).isEqualTo(26);
        assertThat(lines.get(1).get("length").asInt()).isEqualTo(15);
        assertThat(lines.get(1).get("resumed").asBoolean()).isTrue();
        assertThat(lines.get(2).get("type").asText()).isEqualTo("ACK");
        assertThat(lines.get(2).get("offset").asInt()).isEqualTo(30);
    }

    @Test
    void stopsAfterAnErrorThatLeavesNoFrameBoundary() throws Exception {
        Result r = run("inspect", HELLO, "5858585858585858585858", HELLO, "--json");

        assertThat(r.exitCode()).isEqualTo(ExitCodes.FAILED);
        List<JsonNode> lines = r.json();
        assertThat(lines).hasSize(2);
        assertThat(lines.get(1).get("error").asText()).isEqualTo("BAD_MAGIC");
        assertThat(lines.get(1).get("at").asInt()).isEqualTo(15);
        assertThat(lines.get(1).get("resumed").asBoolean()).isFalse();
    }

    @Test
    void textSaysWhetherItContinued() {
        Result r = run("inspect", HELLO, CRC_MISMATCH, HELLO, "0000");

        assertThat(r.out())
                .contains("frame 2 at offset 15: CRC_MISMATCH (0x0009)")
                .contains("at offset 26 (+11): CRC trailer")
                .contains("continuing")
                .contains("frame 4 at offset 45: BAD_MAGIC (0x0001)")
                .contains("stopped")
                .endsWith("47 bytes: 2 valid frames, 2 errors\n");
    }

    @Test
    void readsHexTextFromStdin() throws Exception {
        byte[] stdin = ("0x" + HELLO.substring(0, 8) + " " + HELLO.substring(8, 20) + "\n  " + HELLO.substring(20)
                        + "\r\n" + ACK_MSG_ID_1.toUpperCase() + "\n")
                .getBytes(StandardCharsets.US_ASCII);
        Result r = runWithStdin(stdin, "inspect", "--json");

        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(r.json()).extracting(n -> n.get("type").asText()).containsExactly("HELLO", "ACK");
    }

    @Test
    void readsRawBytesFromFile() throws Exception {
        Path file = dir.resolve("capture.bin");
        Files.write(file, Hex.decode(HELLO + ACK_MSG_ID_1));

        Result r = run("inspect", "--file", file.toString());

        assertThat(r.exitCode()).isZero();
        assertThat(r.out())
                .contains("type     HELLO (0x01)")
                .contains("type     ACK (0x07)")
                .contains("msg-id=1");
    }

    @Test
    void readsRawBytesFromStdinWithFileDash() throws Exception {
        Result r = runWithStdin(Hex.decode(HELLO), "inspect", "--file", "-", "--json");

        assertThat(r.exitCode()).isZero();
        assertThat(r.json().get(0).get("type").asText()).isEqualTo("HELLO");
    }

    @Test
    void missingFileIsAnIoError() {
        Result r = run("inspect", "--file", dir.resolve("nope.bin").toString());

        assertThat(r.exitCode()).isEqualTo(ExitCodes.IO);
        assertThat(r.err().lines()).hasSize(1);
        assertThat(r.err()).contains("nope.bin").contains("does not exist");
    }

    @Test
    void refusesMoreThan64MiBOfInput() throws Exception {
        Path big = dir.resolve("big.bin");
        try (java.io.RandomAccessFile f = new java.io.RandomAccessFile(big.toFile(), "rw")) {
            f.setLength(InspectCommand.MAX_INPUT_BYTES + 1L); // sparse: cheap to create
        }

        Result r = run("inspect", "--file", big.toString());

        assertThat(r.exitCode()).isEqualTo(ExitCodes.IO);
        assertThat(r.err()).contains("64 MiB");
        assertThat(r.out()).isEmpty();
    }

    @ParameterizedTest
    @CsvSource({"56zz, 'z'", "5654 010, odd number", "0x0x5654, 'x'", "'56\u00e954', '\\u00e9'"})
    void badHexIsAUsageErrorOnOneLine(String hex, String mentioned) {
        Result r = run("inspect", hex);

        assertThat(r.exitCode()).isEqualTo(ExitCodes.USAGE);
        assertThat(r.err().lines()).hasSize(1);
        assertThat(r.err()).startsWith("vstp: invalid hex").contains(mentioned);
        assertThat(r.out()).isEmpty();
    }

    @Test
    void badHexOnStdinIsAUsageError() {
        Result r = runWithStdin("5654 01 0g".getBytes(StandardCharsets.US_ASCII), "inspect");

        assertThat(r.exitCode()).isEqualTo(ExitCodes.USAGE);
        assertThat(r.err()).contains("'g' at position 10");
    }

    @Test
    void refusesHexAndFileTogether() {
        Result r = run("inspect", HELLO, "--file", "x.bin");

        assertThat(r.exitCode()).isEqualTo(ExitCodes.USAGE);
        assertThat(r.err().lines()).hasSize(1);
    }

    @Test
    void refusesAMaxFrameBelowTheSmallestFrame() {
        Result r = run("inspect", HELLO, "--max-frame", "14");

        assertThat(r.exitCode()).isEqualTo(ExitCodes.USAGE);
        assertThat(r.err()).contains("maxFrameSize");
    }

    @Test
    void emptyInputHasNoFrames() {
        Result r = run("inspect", "");

        assertThat(r.exitCode()).isZero();
        assertThat(r.out()).isEqualTo("0 bytes: 0 valid frames, 0 errors\n");
    }

    // ---- presentation ----

    @Test
    void keepsUnknownTypesWhenAsked() throws Exception {
        WireVectors.Invalid v = VECTORS.invalid().stream()
                .filter(c -> c.name().equals("unknown-type-09"))
                .findFirst()
                .orElseThrow();
        Result r = run("inspect", Hex.encode(v.bytes()), "--keep-unknown-types", "--json");

        assertThat(r.exitCode()).isZero();
        assertThat(r.json().get(0).get("typeCode").asInt()).isEqualTo(9);
        assertThat(r.json().get(0).get("type").asText()).isEqualTo("UNKNOWN(0x09)");
    }

    @Test
    void namesFlagsAndNotesUndefinedBits() throws Exception {
        Result r = run("inspect", "565401030500000000000080bfbcbe");
        Result json = run("inspect", "565401030500000000000080bfbcbe", "--json");

        assertThat(r.out()).contains("flags    0x05 REQ_ACK + undefined 0x04");
        assertThat(json.json().get(0).get("flagNames").get(0).asText()).isEqualTo("REQ_ACK");
        assertThat(json.json().get(0).get("undefinedFlags").asInt()).isEqualTo(4);
    }

    @Test
    void showsBinaryHeadersAsHex() {
        Result r = run("inspect", "56540103000b0000000000040500ffc3288000feff0a7cda36fc");

        assertThat(r.out()).contains("    hex:00ffc328=hex:8000feff0a\n");
    }

    @Test
    void escapesJsonStringsAndCutsLongPayloadPreviews() throws Exception {
        String key = "q\"b\\s/\u0001";
        String value = "caf\u00e9 \ud83d\ude00 \u2028";
        String payload = "x".repeat(63) + "\u00e9" + "y".repeat(100); // é straddles byte 64
        Frame frame = Frame.builder(FrameType.DATA)
                .header(key, value)
                .payload(payload)
                .build();
        ByteBuf encoded = new FrameWriter().encode(frame, UnpooledByteBufAllocator.DEFAULT);
        String hex;
        try {
            hex = ByteBufUtil.hexDump(encoded);
        } finally {
            encoded.release();
            frame.release();
        }

        Result r = run("inspect", hex, "--json");

        assertThat(r.out()).isASCII();
        JsonNode f = r.json().get(0);
        assertThat(f.get("headers").get(0).get("key").asText()).isEqualTo(key);
        assertThat(f.get("headers").get(0).get("value").asText()).isEqualTo(value);
        assertThat(f.get("payloadPreview").asText()).isEqualTo("x".repeat(63));
        assertThat(f.get("payloadLength").asInt()).isEqualTo(payload.getBytes(StandardCharsets.UTF_8).length);
    }

    @Test
    void previewsBinaryPayloadsAsHex() {
        Result r = run("inspect", "5654010400000000000008010203040506070834bf9c50");

        assertThat(r.out()).contains("payload  8 bytes: hex 0102030405060708\n");
    }
}
