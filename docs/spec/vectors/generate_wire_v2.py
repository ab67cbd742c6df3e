#!/usr/bin/env python3
"""Generates docs/spec/vectors/wire-v2.json, the VSTP wire v2 test vectors (wire-v2.md §13).

The frames are built here from their fields with an independent encoder (Python 3.11 standard library only): its
own varints (wire-v2.md §2), its own table-driven CRC32C (§6) and a minimal HPACK encoder (RFC 7541: indexed
static and dynamic entries, literals with and without indexing with a static name index or a literal name, size
updates; no Huffman coding). So the vectors do not come from the Java code they test.

    python3 generate_wire_v2.py          # rewrite wire-v2.json
    python3 generate_wire_v2.py --check  # exit 1 if wire-v2.json differs from what this script generates
"""

import json
import sys
from pathlib import Path

OUT = Path(__file__).resolve().parent / "wire-v2.json"

HELLO, WELCOME, DATA, PING, PONG, BYE, ACK, ERR, WINDOW_UPDATE, CANCEL = range(1, 11)
REQ_ACK, END_STREAM, MORE, FRAG, COMP = 0x01, 0x02, 0x04, 0x10, 0x20
DEFAULT_MAX_FRAME = 8 * 1024 * 1024
DEFAULT_LIMITS = {"maxFrameSize": DEFAULT_MAX_FRAME, "maxHeaderBlock": 65535, "maxHeaderListSize": 65536,
                  "maxHeaderCount": 1024, "headerTable": 4096}
MAX_VARINT = (1 << 62) - 1


def b(text):
    return text.encode("utf-8")


# ---- varints (wire-v2.md §2) -----------------------------------------------------------------------------------
def varint(value, size=None):
    """The varint of value in its shortest form, or forced to size bytes (to forge non-minimal encodings)."""
    assert 0 <= value <= MAX_VARINT
    if size is None:
        size = 1 if value < 1 << 6 else 2 if value < 1 << 14 else 4 if value < 1 << 30 else 8
    assert value < 1 << (size * 8 - 2)
    prefix = {1: 0, 2: 1, 4: 2, 8: 3}[size]
    return (value | prefix << (size * 8 - 2)).to_bytes(size, "big")


# ---- CRC32C (wire-v2.md §6): Castagnoli, reflected, table-driven -----------------------------------------------
def _crc_table():
    table = []
    for n in range(256):
        c = n
        for _ in range(8):
            c = (c >> 1) ^ 0x82F63B78 if c & 1 else c >> 1
        table.append(c)
    return table


CRC_TABLE = _crc_table()


def crc32c(data):
    c = 0xFFFFFFFF
    for byte in data:
        c = CRC_TABLE[(c ^ byte) & 0xFF] ^ (c >> 8)
    return c ^ 0xFFFFFFFF


assert crc32c(b"123456789") == 0xE3069283


# ---- HPACK (RFC 7541), encoder side only --------------------------------------------------------------------------
STATIC = [  # RFC 7541 Appendix A; index = position + 1
    (":authority", ""), (":method", "GET"), (":method", "POST"), (":path", "/"), (":path", "/index.html"),
    (":scheme", "http"), (":scheme", "https"), (":status", "200"), (":status", "204"), (":status", "206"),
    (":status", "304"), (":status", "400"), (":status", "404"), (":status", "500"), ("accept-charset", ""),
    ("accept-encoding", "gzip, deflate"), ("accept-language", ""), ("accept-ranges", ""), ("accept", ""),
    ("access-control-allow-origin", ""), ("age", ""), ("allow", ""), ("authorization", ""), ("cache-control", ""),
    ("content-disposition", ""), ("content-encoding", ""), ("content-language", ""), ("content-length", ""),
    ("content-location", ""), ("content-range", ""), ("content-type", ""), ("cookie", ""), ("date", ""),
    ("etag", ""), ("expect", ""), ("expires", ""), ("from", ""), ("host", ""), ("if-match", ""),
    ("if-modified-since", ""), ("if-none-match", ""), ("if-range", ""), ("if-unmodified-since", ""),
    ("last-modified", ""), ("link", ""), ("location", ""), ("max-forwards", ""), ("proxy-authenticate", ""),
    ("proxy-authorization", ""), ("range", ""), ("referer", ""), ("refresh", ""), ("retry-after", ""),
    ("server", ""), ("set-cookie", ""), ("strict-transport-security", ""), ("transfer-encoding", ""),
    ("user-agent", ""), ("vary", ""), ("via", ""), ("www-authenticate", ""),
]
STATIC = [(b(n), b(v)) for n, v in STATIC]
assert len(STATIC) == 61


def hpack_int(value, prefix_bits, first):
    """RFC 7541 §5.1: value with an N-bit prefix; first holds the bits above the prefix."""
    limit = (1 << prefix_bits) - 1
    if value < limit:
        return bytes([first | value])
    out = [first | limit]
    value -= limit
    while value >= 128:
        out.append(value & 0x7F | 0x80)
        value >>= 7
    out.append(value)
    return bytes(out)


def hpack_str(data):
    """RFC 7541 §5.2 without Huffman coding."""
    return hpack_int(len(data), 7, 0x00) + data


class Hpack:
    """One HPACK encoding context: the dynamic table its peer decoder mirrors (RFC 7541 §2.3, §4)."""

    def __init__(self, max_size=4096):
        self.max_size = max_size
        self.dynamic = []  # newest first

    def size(self):
        return sum(len(n) + len(v) + 32 for n, v in self.dynamic)

    def add(self, name, value):
        self.dynamic.insert(0, (name, value))
        while self.size() > self.max_size:
            self.dynamic.pop()

    def find(self, name, value):
        """(index of the exact entry or None, index of an entry with the name or None); static first."""
        table = STATIC + self.dynamic
        exact = next((i + 1 for i, e in enumerate(table) if e == (name, value)), None)
        named = next((i + 1 for i, e in enumerate(table) if e[0] == name), None)
        return exact, named

    def block(self, headers, mode="plain"):
        """The header block of headers. mode: 'plain' = literal without indexing; 'index' = literal with
        incremental indexing; 'never' = never indexed. Exact table matches are always sent indexed."""
        out = b""
        for name, value in headers:
            exact, named = self.find(name, value)
            if exact is not None:
                out += hpack_int(exact, 7, 0x80)
                continue
            if mode == "index":
                out += hpack_int(named or 0, 6, 0x40)
            else:
                out += hpack_int(named or 0, 4, 0x10 if mode == "never" else 0x00)
            if named is None:
                out += hpack_str(name)
            out += hpack_str(value)
            if mode == "index":
                self.add(name, value)
        return out


# ---- frames (wire-v2.md §4) ---------------------------------------------------------------------------------------
def encode(ftype, flags=0, stream=0, block=b"", payload=b"", integrity="crc32c", *, type_bytes=None,
           stream_bytes=None, hlen=None, hlen_bytes=None, length=None, length_bytes=None, crc=None):
    """A v2 frame. The keyword overrides forge malformed frames (forced varint sizes, wrong lengths, a bad CRC)."""
    rest = varint(ftype, type_bytes) + bytes([flags]) + varint(stream, stream_bytes)
    rest += varint(len(block) if hlen is None else hlen, hlen_bytes) + block + payload
    trailer = 4 if integrity == "crc32c" else 0
    head = varint(len(rest) + trailer if length is None else length, length_bytes)
    frame = head + rest
    if integrity == "crc32c":
        frame += (crc32c(frame) if crc is None else crc).to_bytes(4, "big")
    return frame


valid = []
invalid = []
sequences = []


def frame_fields(ftype, flags, stream, headers, payload):
    return {
        "type": ftype,
        "flags": flags,
        "stream": stream,
        "headers": [{"keyHex": k.hex(), "valueHex": v.hex()} for k, v in headers],
        "payloadHex": payload.hex(),
    }


def ok(name, spec, description, ftype, flags=0, stream=0, headers=(), payload=b"", integrity="crc32c",
       mode="plain", limits=None):
    headers = [(bytes(k), bytes(v)) for k, v in headers]
    block = Hpack((limits or {}).get("headerTable", DEFAULT_LIMITS["headerTable"])).block(headers, mode)
    case = {
        "name": name,
        "spec": spec,
        "description": description,
        "integrity": integrity,
        "hex": encode(ftype, flags, stream, block, payload, integrity).hex(),
        "frame": frame_fields(ftype, flags, stream, headers, payload),
    }
    if limits:
        case["limits"] = limits
    valid.append(case)


def bad(name, spec, description, data, error, integrity="crc32c", limits=None):
    case = {"name": name, "spec": spec, "description": description, "integrity": integrity,
            "hex": bytes(data).hex(), "error": error}
    if limits:
        case["limits"] = limits
    invalid.append(case)


def sequence(name, spec, description, frames, integrity="crc32c"):
    """frames: (ftype, flags, stream, headers, payload, mode), encoded in order on one HPACK context."""
    ctx = Hpack()
    data = b""
    fields = []
    for ftype, flags, stream, headers, payload, mode in frames:
        headers = [(bytes(k), bytes(v)) for k, v in headers]
        data += encode(ftype, flags, stream, ctx.block(headers, mode), payload, integrity)
        fields.append(frame_fields(ftype, flags, stream, headers, payload))
    sequences.append({"name": name, "spec": spec, "description": description, "integrity": integrity,
                      "hex": data.hex(), "frames": fields})


# ---- valid: the smallest frames -----------------------------------------------------------------------------------
ok("minimal-none", "§4", "The smallest frame: PING on stream 0, no headers or payload, integrity none (5 bytes).",
   PING, integrity="none")
ok("minimal-crc32c", "§4", "The same PING with its CRC32C trailer (9 bytes).", PING)

# ---- valid: every core type -----------------------------------------------------------------------------------
for code, label, stream in [(HELLO, "hello", 0), (WELCOME, "welcome", 0), (DATA, "data", 1), (PING, "ping", 0),
                            (PONG, "pong", 0), (BYE, "bye", 0), (ACK, "ack", 0), (ERR, "err", 3),
                            (WINDOW_UPDATE, "window-update", 0), (CANCEL, "cancel", 5)]:
    note = " The codec accepts it; the session rejects it in v2 (PROTOCOL_VIOLATION)." if code <= 2 else ""
    ok(f"{label}-empty", "§3", f"{label.upper()} (type {code:#04x}) on stream {stream}, no headers or payload.{note}",
       code, stream=stream)
ok("window-update-increment", "§8.2", "WINDOW_UPDATE on stream 7 granting 65 536 bytes (payload: the varint "
   "80 01 00 00).", WINDOW_UPDATE, stream=7, payload=varint(65536))
ok("cancel-with-code", "§7.4", "CANCEL on stream 9 with header code=271 (CANCELLED).", CANCEL, stream=9,
   headers=[(b("code"), b("271"))])
ok("data-request-none", "§7.2", "A request on stream 1 with END_STREAM, integrity none.", DATA, END_STREAM, 1,
   [(b("service"), b("echo")), (b("op"), b("ping"))], b("hello"), integrity="none")

# ---- valid: varint sizes in LENGTH, TYPE, STREAM ---------------------------------------------------------------
ok("length-1-byte-63", "§2", "LENGTH 63, the largest one-byte varint (payload of 55 bytes, CRC).", DATA,
   payload=bytes(range(55)))
ok("length-2-byte-64", "§2", "LENGTH 64, the smallest two-byte varint (40 40).", DATA, payload=bytes(range(56)))
ok("length-2-byte-16383", "§2", "LENGTH 16 383, the largest two-byte varint (7f ff).", DATA,
   payload=bytes((i * 7) & 0xFF for i in range(16375)))
ok("length-4-byte-16384", "§2", "LENGTH 16 384, the smallest four-byte varint (80 00 40 00).", DATA,
   payload=bytes((i * 7) & 0xFF for i in range(16376)))
ok("stream-2-byte", "§2", "STREAM 64: a two-byte varint.", DATA, stream=64, payload=b("x"))
ok("stream-4-byte", "§2", "STREAM 16 384: a four-byte varint.", DATA, stream=16384, payload=b("x"))
ok("stream-8-byte", "§2", "STREAM 2^30: an eight-byte varint.", DATA, stream=1 << 30, payload=b("x"))
ok("stream-max", "§7.1", "STREAM 2^62 - 1, the largest stream id (ff ff ff ff ff ff ff ff).", DATA,
   stream=MAX_VARINT, flags=END_STREAM)
ok("type-2-byte-ignorable-0x41", "§3", "Type 0x41 (a two-byte varint 40 41): an odd extension code, so ignorable. "
   "A receiver that does not know it decodes the frame (header block included) and then discards it.", 0x41,
   headers=[(b("ext"), b("1"))], payload=b("opaque"))
ok("type-ignorable-0x3fff", "§3", "Type 0x3FFF, the last ignorable code (7f ff).", 0x3FFF, stream=2)

# ---- valid: headers ---------------------------------------------------------------------------------------------
ok("header-static-indexed", "§5", "accept-encoding: gzip, deflate, sent as static index 16 (one byte, 90).", DATA,
   headers=[(b("accept-encoding"), b("gzip, deflate"))])
ok("header-static-name-literal-value", "§5", "content-type: text/plain as a literal without indexing whose name "
   "is static index 31 (0f 10).", DATA, headers=[(b("content-type"), b("text/plain"))], payload=b("hi"))
ok("header-literal-with-indexing", "§5", "Literals with incremental indexing (40 ... / 5f 10 ...): the first use "
   "of each header adds it to the dynamic table.", DATA, 0, 1,
   [(b("service"), b("files")), (b("content-type"), b("application/json"))], b("{}"), mode="index")
ok("header-never-indexed", "§5", "A literal never indexed (10 ...).", DATA, headers=[(b("token"), b("secret"))],
   mode="never")
ok("header-name-300-value-1000", "§5", "No 255-byte limit in v2: a 300-byte name and a 1 000-byte value (HPACK "
   "string lengths 7f ad 01 and 7f e9 07).", DATA,
   headers=[(b("n") * 300, bytes((i * 13 + 1) & 0x7F or 1 for i in range(1000)))])
ok("header-duplicates", "§5", "Duplicate names are kept, in order.", DATA,
   headers=[(b("a"), b("1")), (b("a"), b("2")), (b("b"), b("x")), (b("a"), b("3"))])
ok("header-duplicates-indexed", "§5", "The same header twice with incremental indexing: the second is dynamic "
   "index 62 (be).", DATA, headers=[(b("topic"), b("news")), (b("topic"), b("news"))], mode="index")
bad("header-empty-name", "§5", "A literal with an empty name: names are never empty in v2.",
    encode(DATA, block=b"\x00\x00\x01\x61"), "PROTOCOL_VIOLATION")
ok("header-empty-value", "§5", "A name with an empty value.", DATA, headers=[(b("k"), b"")])
ok("header-binary", "§5", "Names and values are bytes: NUL, 0xFF, invalid UTF-8.", DATA,
   headers=[(bytes([0x00, 0xFF, 0xC3, 0x28]), bytes([0x80, 0x00, 0xFE, 0xFF, 0x0A]))])
ok("header-uppercase-name", "§5", "Names are compared byte for byte; uppercase is allowed (unlike HTTP/2).", DATA,
   headers=[(b("Msg-Id"), b("1")), (b("msg-id"), b("2"))])
ok("header-literal-with-indexing-table-0", "§5", "Dynamic table size 0 (as on UDP): a literal with incremental "
   "indexing is allowed and adds nothing, so the repeated header is sent as a literal again.", DATA,
   headers=[(b("msg-id"), b("7")), (b("msg-id"), b("7"))], mode="index", limits={"headerTable": 0})
ok("header-count-at-limit", "§5", "Exactly maxHeaderCount (3 here) entries are accepted.", DATA,
   headers=[(b("a"), b("1")), (b("b"), b("2")), (b("c"), b("3"))], limits={"maxHeaderCount": 3})
ok("header-block-at-limit", "§4.2", "HLEN exactly maxHeaderBlock (7 here: 00 02 61 62 02 63 64) is accepted.",
   DATA, headers=[(b("ab"), b("cd"))], limits={"maxHeaderBlock": 7})

# ---- valid: payloads, flags, limits -------------------------------------------------------------------------------
ok("payload-300", "§4", "A 300-byte payload: LENGTH is a two-byte varint (41 34).", DATA, stream=3,
   payload=bytes((i * 31 + 7) & 0xFF for i in range(300)))
ok("payload-all-byte-values-none", "§4", "Every byte value once, integrity none.", DATA,
   payload=bytes(range(256)), integrity="none")
ok("payload-looks-like-a-frame", "§4", "The payload is an encoded PING: framing is by LENGTH only.", DATA,
   payload=encode(PING))
ok("flags-end-stream-more", "§4.1", "DATA with MORE (04), then the codec keeps END_STREAM (02) too: flag rules "
   "are the session's.", DATA, MORE | END_STREAM, 1, payload=b("part"))
ok("flags-reserved-kept", "§4.1", "Reserved bits 08, 40 and 80 are kept as received.", DATA, 0xC8, 1)
ok("flags-all", "§4.1", "FLAGS ff on PING: the codec keeps every bit (the session would reject END_STREAM on stream "
   "0).", PING, 0xFF)
ok("flags-comp-frag-req-ack", "§4.1", "COMP | FRAG | REQ_ACK (31).", DATA, COMP | FRAG | REQ_ACK, 1,
   payload=b"\x01\x05hello")
ok("frame-exactly-max-size", "§4", "Total len(LENGTH) + LENGTH equals maxFrameSize (64 here): accepted.", DATA,
   payload=bytes(55), limits={"maxFrameSize": 64})

# ---- sequences: one HPACK context -------------------------------------------------------------------------------
sequence("sequence-dynamic-table-reuse", "§5", "Two requests on one context: the first adds service and op to "
         "the dynamic table, the second refers to them as dynamic indexes 63 and 62 (bf be).", [
             (DATA, END_STREAM, 1, [(b("service"), b("echo")), (b("op"), b("say"))], b("one"), "index"),
             (DATA, END_STREAM, 3, [(b("service"), b("echo")), (b("op"), b("say"))], b("two"), "index"),
         ])
sequence("sequence-ignorable-frame-feeds-the-table", "§5", "An ignorable extension frame (0x41) adds an entry; "
         "the DATA frame after it refers to it. A decoder must decode the discarded frame's block.", [
             (0x41, 0, 0, [(b("trace"), b("abc123"))], b"", "index"),
             (DATA, 0, 0, [(b("trace"), b("abc123"))], b("x"), "index"),
         ], integrity="none")
sequence("sequence-name-reference", "§5", "The second frame reuses only the name of a dynamic entry (literal with "
         "name index 62) and indexes the new pair.", [
             (DATA, 0, 1, [(b("x-count"), b("1"))], b"", "index"),
             (DATA, 0, 1, [(b("x-count"), b("2"))], b"", "index"),
             (DATA, END_STREAM, 1, [(b("x-count"), b("1")), (b("x-count"), b("2"))], b"", "index"),
         ])

# ---- invalid ----------------------------------------------------------------------------------------------------
PING_CRC = encode(PING)
DATA_HI = encode(DATA, 0, 1, Hpack().block([(b("k"), b("v"))]), b("payload"))

# LENGTH (check 1)
bad("non-minimal-length", "§2", "LENGTH 4 as a two-byte varint (40 04); fails from the two bytes alone.",
    encode(PING, integrity="none", length_bytes=2), "NON_MINIMAL_VARINT", "none")
bad("non-minimal-length-8-byte", "§2", "LENGTH 8 in eight bytes.", encode(PING, length_bytes=8),
    "NON_MINIMAL_VARINT")
bad("frame-too-large-by-one", "§4", "A complete frame of 66 bytes (LENGTH 64 takes two bytes) with maxFrameSize 64.",
    encode(DATA, payload=bytes(56)), "FRAME_TOO_LARGE", limits={"maxFrameSize": 64})
bad("frame-too-large-default-prefix", "§4.2", "Only a four-byte LENGTH declaring 8 MiB - 3 (total 8 MiB + 1): "
    "rejected before any further byte.", varint(DEFAULT_MAX_FRAME - 3), "FRAME_TOO_LARGE")
bad("frame-too-large-8-byte-length", "§4.2", "An eight-byte LENGTH of 2^62 - 1: computed without overflow.",
    varint(MAX_VARINT), "FRAME_TOO_LARGE")
bad("length-below-minimum-none", "§4.2", "LENGTH 2 with integrity none: below the smallest rest, rejected at once.",
    bytes([0x02]), "LENGTH_MISMATCH", "none")
bad("length-three-none", "§4.2", "LENGTH 3 with integrity none: TYPE, FLAGS, STREAM and HLEN need 4 bytes.",
    bytes([0x03, 0x03, 0x00, 0x00]), "LENGTH_MISMATCH", "none")
bad("length-below-minimum-crc", "§4.2", "LENGTH 7 with a CRC: below 4 + 4.", bytes([0x07]), "LENGTH_MISMATCH")
bad("length-zero", "§4.2", "LENGTH 0.", bytes([0x00]), "LENGTH_MISMATCH", "none")
# truncation (check 2)
bad("truncated-length-varint", "§4.2", "The first byte of a two-byte LENGTH, then the input ends.", bytes([0x40]),
    "TRUNCATED")
bad("truncated-missing-crc-byte", "§4.2", "A PING missing its last CRC byte.", PING_CRC[:-1], "TRUNCATED")
bad("truncated-inside-payload", "§4.2", "A DATA frame cut in its payload.", DATA_HI[:-6], "TRUNCATED")
bad("trailing-partial-frame", "§4.2", "A complete PING, then 2 bytes of a second frame.", PING_CRC + PING_CRC[:2],
    "TRUNCATED")
bad("frame-too-large-beats-truncated", "§4.2", "A LENGTH over maxFrameSize with nothing after it: the size error "
    "wins.", varint(1000), "FRAME_TOO_LARGE", limits={"maxFrameSize": 512})
# CRC (check 3)
bad("crc-mismatch-trailer", "§6", "A PING with its last CRC byte changed.",
    PING_CRC[:-1] + bytes([PING_CRC[-1] ^ 1]), "CRC_MISMATCH")
bad("crc-mismatch-payload-bit", "§6", "One payload bit flipped.",
    DATA_HI[:-6] + bytes([DATA_HI[-6] ^ 0x80]) + DATA_HI[-5:], "CRC_MISMATCH")
bad("crc-covers-length", "§6", "The CRC of a frame computed without its LENGTH byte: LENGTH is covered.",
    PING_CRC[:-4] + crc32c(PING_CRC[1:-4]).to_bytes(4, "big"), "CRC_MISMATCH")
bad("crc-checked-before-fields", "§4.2", "A bad CRC and a non-minimal TYPE: the CRC (check 3) comes first.",
    encode(PING, type_bytes=2, crc=0), "CRC_MISMATCH")
bad("crc-mode-mismatch", "§6", "A frame written without a CRC read by a crc32c decoder: its last 4 bytes are "
    "taken for a trailer that does not match.", encode(DATA, 0, 1, b"", b("12345678"), "none"), "CRC_MISMATCH")
# fields (check 4)
bad("non-minimal-type", "§2", "TYPE 3 as 40 03.", encode(DATA, type_bytes=2), "NON_MINIMAL_VARINT")
bad("non-minimal-stream", "§2", "STREAM 1 as 80 00 00 01.", encode(DATA, stream=1, stream_bytes=4),
    "NON_MINIMAL_VARINT", "none")
bad("non-minimal-hlen", "§2", "HLEN 0 as 40 00.", encode(DATA, hlen_bytes=2), "NON_MINIMAL_VARINT")
bad("non-minimal-stream-8-byte", "§2", "STREAM 2^30 - 1 in eight bytes (the four-byte form holds it).",
    encode(DATA, stream=(1 << 30) - 1, stream_bytes=8), "NON_MINIMAL_VARINT")
bad("type-runs-past-frame", "§4.2", "LENGTH 3 (none) and an eight-byte TYPE (c0 ...) that does not fit in it.",
    bytes([0x03, 0xC0, 0x00, 0x00]), "LENGTH_MISMATCH", "none")
bad("stream-missing", "§4.2", "LENGTH 3 (none) holding TYPE 0x41 (40 41) and FLAGS: no byte left for STREAM.",
    bytes([0x03, 0x40, 0x41, 0x00]), "LENGTH_MISMATCH", "none")
bad("stream-runs-past-frame", "§4.2", "An eight-byte STREAM of which only two bytes are inside the frame.",
    bytes([0x04, 0x03, 0x00, 0xC0, 0x00]), "LENGTH_MISMATCH", "none")
bad("hlen-missing", "§4.2", "LENGTH 3: TYPE, FLAGS and STREAM, then no byte for HLEN.",
    bytes([0x03, 0x03, 0x00, 0x00]), "LENGTH_MISMATCH", "none")
bad("hlen-past-frame", "§4.2", "HLEN 5 with 2 bytes left in the frame.", encode(DATA, hlen=5, payload=b("ab")),
    "LENGTH_MISMATCH")
bad("hlen-into-crc", "§4.2", "HLEN covers the CRC trailer: the block may not run into it.",
    encode(DATA, hlen=4), "LENGTH_MISMATCH")
bad("hlen-over-limit", "§4.2", "An 8-byte header block with maxHeaderBlock 7.",
    encode(DATA, 0, 0, Hpack().block([(b("ab"), b("cde"))])), "HEADERS_TOO_LARGE", limits={"maxHeaderBlock": 7})
bad("hlen-past-frame-before-limit", "§4.2", "HLEN both past the frame and over maxHeaderBlock: LENGTH_MISMATCH is "
    "listed first.", encode(DATA, hlen=40, payload=b("ab")), "LENGTH_MISMATCH", limits={"maxHeaderBlock": 8})
bad("type-0x4000", "§3", "TYPE 0x4000 (80 00 40 00), the first reserved code.", encode(0x4000), "UNKNOWN_TYPE")
bad("type-8-byte", "§3", "TYPE 2^40 in eight bytes.", encode(1 << 40), "UNKNOWN_TYPE", "none")
bad("type-reserved-before-stream", "§4.2", "TYPE 0x4000 and a non-minimal STREAM: TYPE is checked as soon as it "
    "is complete.", encode(0x4000, stream=1, stream_bytes=2), "UNKNOWN_TYPE")
# header block (check 5)
bad("hpack-index-zero", "§5", "Indexed representation with index 0 (80): RFC 7541 §6.1 error.",
    encode(DATA, block=b"\x80"), "COMPRESSION_ERROR")
bad("hpack-dynamic-index-empty-table", "§5", "Index 62 (be) on a fresh context: the dynamic table is empty.",
    encode(DATA, block=b"\xbe"), "COMPRESSION_ERROR")
bad("hpack-dynamic-index-table-size-0", "§5", "Dynamic table size 0 (as on UDP): a literal with incremental "
    "indexing (40 01 61 01 31) adds nothing, so the index 62 (be) after it refers to no entry.",
    encode(DATA, block=b"\x40\x01a\x011\xbe"), "COMPRESSION_ERROR", limits={"headerTable": 0})
bad("hpack-size-update-above-table-0", "§5", "Dynamic table size 0: a size update to 1 (21) is refused.",
    encode(DATA, block=b"\x21"), "COMPRESSION_ERROR", "none", limits={"headerTable": 0})
bad("hpack-index-out-of-range", "§5", "Index 200 (ff 49), far beyond both tables.", encode(DATA, block=b"\xff\x49"),
    "COMPRESSION_ERROR")
bad("hpack-string-past-block", "§5", "A literal whose value length (10) runs past the 4-byte block.",
    encode(DATA, block=b"\x00\x01k\x0a", payload=b("0123456789")), "COMPRESSION_ERROR")
bad("hpack-truncated-integer", "§5", "A block ending inside a multi-byte integer (7f 80).",
    encode(DATA, block=b"\x7f\x80"), "COMPRESSION_ERROR", "none")
bad("hpack-size-update-too-large", "§5", "A size update to 8 192 (3f e1 3f), above the 4 096 announced.",
    encode(DATA, block=b"\x3f\xe1\x3f"), "COMPRESSION_ERROR")
bad("hpack-garbage", "§5", "Eight bytes of ff.", encode(DATA, block=b"\xff" * 8), "COMPRESSION_ERROR")
bad("hpack-error-on-ignorable-type", "§4.2", "An ignorable type with a bad block: check 5 runs whatever the type.",
    encode(0x41, block=b"\x80"), "COMPRESSION_ERROR")
bad("hpack-error-before-unknown-type", "§4.2", "A critical unknown type with a bad block: the block (check 5) "
    "fails before the type (check 6).", encode(0x0B, block=b"\x80"), "COMPRESSION_ERROR")
bad("header-list-too-large", "§5", "A decoded list of 40 + 32 bytes with maxHeaderListSize 64.",
    encode(DATA, block=Hpack().block([(b("n") * 20, b("v") * 20)])), "HEADERS_TOO_LARGE",
    limits={"maxHeaderListSize": 64})
bad("too-many-headers", "§5", "Three entries with maxHeaderCount 2.",
    encode(DATA, block=Hpack().block([(b("a"), b("1")), (b("b"), b("2")), (b("c"), b("3"))])), "TOO_MANY_HEADERS",
    limits={"maxHeaderCount": 2})
bad("header-reserved-colon-name", "§5", "A name beginning with ':' (static :method GET, 82) is reserved.",
    encode(DATA, block=b"\x82"), "PROTOCOL_VIOLATION")
# types (check 6)
bad("unknown-core-type-0x0c", "§3", "TYPE 0x0C, the first unassigned core code.", encode(0x0C), "UNKNOWN_TYPE")
bad("unknown-core-type-0x00", "§3", "TYPE 0x00 (reserved).", encode(0x00), "UNKNOWN_TYPE", "none")
bad("unknown-critical-extension-0x40", "§3", "TYPE 0x40: even, so critical.", encode(0x40, payload=b("x")),
    "UNKNOWN_TYPE")
bad("unknown-critical-extension-0x3ffe", "§3", "TYPE 0x3FFE: the last critical extension code.", encode(0x3FFE),
    "UNKNOWN_TYPE")

doc = {
    "format": "vstp-wire-vectors",
    "wireVersion": 2,
    "description": "VSTP wire v2 test vectors; see docs/spec/wire-v2.md §13 (and wire-v1.md §11 for the schema). "
                   "Each case is decoded with a fresh HPACK context (dynamic table headerTable bytes), the integrity "
                   "mode of the case and a decoder accepting the v2 core types; ignorable extension types decode as "
                   "frames of an unknown type. A sequence is decoded in order on one context. Generated by "
                   "generate_wire_v2.py; do not edit by hand.",
    "defaultLimits": DEFAULT_LIMITS,
    "valid": valid,
    "invalid": invalid,
    "sequences": sequences,
}


def self_check():
    names = [c["name"] for c in valid + invalid + sequences]
    assert len(names) == len(set(names)), "duplicate case names"
    assert {c["frame"]["type"] for c in valid} >= set(range(1, 11))
    assert {c["integrity"] for c in valid} == {"crc32c", "none"}
    by_name = {c["name"]: c["hex"] for c in valid + invalid + sequences}
    examples = {  # wire-v2.md §2 and §4, worked by hand
        "minimal-none": "0404000000",
        "header-static-indexed": "090300000190" + crc32c(bytes.fromhex("090300000190")).to_bytes(4, "big").hex(),
    }
    for name, hex_ in examples.items():
        assert by_name[name] == hex_, f"{name}: {by_name[name]} != {hex_}"
    assert varint(37) == bytes.fromhex("25") and varint(15293) == bytes.fromhex("7bbd")
    assert varint(494878333) == bytes.fromhex("9d7f3e7d")
    assert varint(151288809941952652) == bytes.fromhex("c2197c5eff14e88c")
    for name, first in [("length-2-byte-64", "4040"), ("length-2-byte-16383", "7fff"),
                        ("length-4-byte-16384", "80004000"), ("stream-max", "ffffffffffffffff")]:
        assert first in by_name[name], name


def render():
    self_check()
    return json.dumps(doc, indent=1, ensure_ascii=False) + "\n"


def main(argv):
    text = render()
    counts = f"{len(valid)} valid, {len(invalid)} invalid, {len(sequences)} sequences"
    if argv[1:] == ["--check"]:
        if not OUT.exists() or OUT.read_text(encoding="utf-8") != text:
            print(f"{OUT} is not what {Path(__file__).name} generates; run it and commit the result",
                  file=sys.stderr)
            return 1
        print(f"{OUT.name}: {counts}, up to date")
        return 0
    if argv[1:]:
        print(__doc__, file=sys.stderr)
        return 2
    OUT.write_text(text, encoding="utf-8")
    print(f"wrote {OUT}: {counts}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
