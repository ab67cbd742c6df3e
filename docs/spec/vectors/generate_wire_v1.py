#!/usr/bin/env python3
"""Generates docs/spec/vectors/wire-v1.json, the VSTP wire v1 test vectors (wire-v1.md §11).

The frames are built here from their fields with an independent encoder (Python standard library only,
CRC from zlib.crc32), so the vectors do not come from the Java code they test. The `crate` fields record what
the Rust crate vstp 0.2.1 does with the same bytes; interop/rust/verify-vectors.sh checks every one of them
against the real crate.

    python3 generate_wire_v1.py          # rewrite wire-v1.json
    python3 generate_wire_v1.py --check  # exit 1 if wire-v1.json differs from what this script generates
"""

import json
import struct
import sys
import zlib
from pathlib import Path

OUT = Path(__file__).resolve().parent / "wire-v1.json"

HELLO, WELCOME, DATA, PING, PONG, BYE, ACK, ERR = range(1, 9)
REQ_ACK, CRC, FRAG, COMP = 0x01, 0x02, 0x10, 0x20
DEFAULT_MAX_FRAME = 8 * 1024 * 1024


def b(text):
    return text.encode("utf-8")


def encode(ftype, flags=0, headers=(), payload=b"", *, version=1, hdr_len=None, pay_len=None, section=None,
           crc=None):
    """Encodes a frame per wire-v1.md §2. The keyword overrides forge malformed frames."""
    if section is None:
        section = b"".join(struct.pack("BB", len(k), len(v)) + k + v for k, v in headers)
    prefix = bytes([0x56, 0x54, version, ftype, flags])
    prefix += struct.pack("<H", len(section) if hdr_len is None else hdr_len)
    prefix += struct.pack(">I", len(payload) if pay_len is None else pay_len)
    body = prefix + section + payload
    return body + struct.pack(">I", zlib.crc32(body) if crc is None else crc)


def with_crc(frame):
    """Replaces the trailer of a forged frame by the CRC of everything before it."""
    return frame[:-4] + struct.pack(">I", zlib.crc32(frame[:-4]))


valid = []
invalid = []


def ok(name, spec, description, ftype, flags=0, headers=(), payload=b"", limits=None, crate=None):
    headers = [(bytes(k), bytes(v)) for k, v in headers]
    case = {
        "name": name,
        "spec": spec,
        "description": description,
        "hex": encode(ftype, flags, headers, payload).hex(),
        "frame": {
            "type": ftype,
            "flags": flags,
            "headers": [{"keyHex": k.hex(), "valueHex": v.hex()} for k, v in headers],
            "payloadHex": payload.hex(),
        },
    }
    if limits:
        case["limits"] = limits
    if crate:
        case["crate"] = crate
    valid.append(case)


def bad(name, spec, description, data, error, crate, limits=None):
    assert crate in ("rejects", "accepts", "incomplete")
    case = {"name": name, "spec": spec, "description": description, "hex": bytes(data).hex(), "error": error}
    if limits:
        case["limits"] = limits
    case["crate"] = crate
    invalid.append(case)


# ---- valid: every core type, empty ----------------------------------------------------------------------------
for code, label in [(HELLO, "hello"), (WELCOME, "welcome"), (DATA, "data"), (PING, "ping"), (PONG, "pong"),
                    (BYE, "bye"), (ACK, "ack"), (ERR, "err")]:
    ok(f"{label}-empty", "§10.1" if code == HELLO else "§3.1",
       f"{label.upper()} with no flags, headers or payload: the smallest frame of its type (15 bytes).", code)

# ---- valid: the worked examples --------------------------------------------------------------------------------
ok("data-content-type-hi", "§10.2", "DATA, header content-type=text/plain, payload \"hi\" (41 bytes).",
   DATA, headers=[(b("content-type"), b("text/plain"))], payload=b("hi"))
ok("ack-msg-id-1", "§10.3", "The ACK the crate's UDP server sends for msg-id 1.", ACK,
   headers=[(b("msg-id"), b("1"))])
ok("ack-msg-id-max", "§10.3", "The ACK for msg-id 2^64 - 1, the largest u64: the crate acknowledges the whole "
   "unsigned range (udp.md §5.1).", ACK, headers=[(b("msg-id"), b("18446744073709551615"))])
ok("ack-msg-id-2-63", "§10.3", "The ACK for msg-id 2^63, the first id that is negative as a signed 64-bit number.",
   ACK, headers=[(b("msg-id"), b("9223372036854775808"))])
ok("ack-msg-id-1-versions", "§10.3", "The ACK a v2 endpoint sends for msg-id 1 to a peer not yet known to speak v2: "
   "the crate's ACK plus versions=2,1 (udp.md §5.1, wire-v2.md §10); the crate's sender reads only msg-id.", ACK,
   headers=[(b("msg-id"), b("1")), (b("versions"), b("2,1"))])
ok("data-req-ack-msg-id-2-63", "§10.3", "A crate-style REQ_ACK DATA frame whose msg-id is 2^63.", DATA,
   flags=REQ_ACK, headers=[(b("msg-id"), b("9223372036854775808"))], payload=b("x"))
ok("data-undefined-flag-04-with-req-ack", "§10.4",
   "FLAGS 05 = REQ_ACK | undefined 0x04: kept raw by v1; the crate decodes the flags as 00 and loses REQ_ACK.",
   DATA, flags=0x05, crate={"flags": 0})

# ---- valid: headers ---------------------------------------------------------------------------------------------
ok("header-empty-key-empty-value", "§5.1", "One entry 00 00: an empty key and an empty value are legal.", DATA,
   headers=[(b"", b"")])
ok("header-empty-key", "§5.1", "An empty key with a non-empty value.", DATA, headers=[(b"", b("v"))])
ok("header-empty-value", "§5.1", "A non-empty key with an empty value.", DATA, headers=[(b("k"), b"")])
ok("header-key-255", "§5.1", "A key of 255 bytes, the most KEY_LEN can express.", DATA,
   headers=[(b("k") * 255, b("v"))])
ok("header-value-255", "§5.1", "A value of 255 bytes, the most VAL_LEN can express.", DATA,
   headers=[(b("k"), b("v") * 255)])
ok("header-key-255-value-255", "§5.1", "The largest entry: 2 + 255 + 255 = 512 bytes.", DATA,
   headers=[(bytes(range(255)), bytes(range(255, 0, -1)))])
ok("header-duplicate-keys", "§5.2", "Three entries with the same key: all kept, in wire order.", DATA,
   headers=[(b("a"), b("1")), (b("a"), b("2")), (b("b"), b("x")), (b("a"), b("3"))])
ok("header-binary-key-and-value", "§5.1", "Keys and values are bytes, not text: NUL, 0xFF and invalid UTF-8.",
   DATA, headers=[(bytes([0x00, 0xff, 0xc3, 0x28]), bytes([0x80, 0x00, 0xfe, 0xff, 0x0a]))])
ok("header-utf8-multibyte", "§5.3", "UTF-8 text with multi-byte characters in key and value.", DATA,
   headers=[(b("n\u00e4me"), b("h\u00e9llo \u2713 \U0001F600"))])
ok("header-keys-case-sensitive", "§5.2", "Keys differing only in case are different keys.", DATA,
   headers=[(b("Msg-Id"), b("1")), (b("msg-id"), b("2"))])
ok("header-100-empty-entries", "§5.1", "100 entries of 00 00: a 200-byte section, well under maxHeaderCount.",
   DATA, headers=[(b"", b"")] * 100)
section_entries = [(bytes([i]) * 255, bytes([255 - i]) * 255) for i in range(127)] + [(b("z") * 255,
                                                                                        b("y") * 254)]
ok("header-section-65535", "§6.1",
   "A header section of exactly 65 535 bytes (127 entries of 255/255 and one of 255/254), the most HDR_LEN "
   "can express.", DATA, headers=section_entries, payload=b("p"))
ok("header-count-at-limit", "§7.1",
   "Exactly maxHeaderCount (3 here) entries are accepted; check 8c fails only on entry maxHeaderCount + 1.",
   DATA, headers=[(b("a"), b("1")), (b("b"), b("2")), (b("c"), b("3"))], limits={"maxHeaderCount": 3})
ok("header-section-at-limit", "§7.1",
   "A header section exactly as large as maxHeaderSectionSize (8 here) is accepted.",
   DATA, headers=[(b("ab"), b("cd")), (b"", b"")], limits={"maxHeaderSectionSize": 8})

# ---- valid: payloads --------------------------------------------------------------------------------------------
ok("payload-all-byte-values", "§2.3", "A payload holding every byte value 00..ff once: payloads are opaque.",
   DATA, payload=bytes(range(256)))
ok("payload-70000", "§2.3", "A 70 000-byte payload: PAY_LEN needs more than 16 bits (00 01 11 70).", DATA,
   payload=bytes((i * 31 + 7) & 0xff for i in range(70000)))
ok("payload-looks-like-a-frame", "§7.2",
   "The payload is the bytes of an empty HELLO: framing is by length, never by scanning for the magic.", DATA,
   payload=encode(HELLO))
ok("payload-only", "§2.3", "A payload and no headers.", DATA, payload=b("hello, vstp"))
ok("headers-and-empty-payload", "§2.3", "Headers and an empty payload.", DATA,
   headers=[(b("path"), b("/a/b")), (b("id"), b("42"))])
ok("frame-exactly-max-size", "§6.2",
   "Total 15 + H + P equals maxFrameSize (64 here): accepted, as by the crate (`total > max` fails).", DATA,
   headers=[(b("k"), b("v"))], payload=bytes(45), limits={"maxFrameSize": 64})
ok("hello-minimum-max-frame-size", "§6.2", "An empty HELLO with maxFrameSize 15, the smallest possible limit.",
   HELLO, limits={"maxFrameSize": 15})

# ---- valid: flags -----------------------------------------------------------------------------------------------
ok("flags-req-ack", "§4.1", "REQ_ACK (01) on DATA.", DATA, flags=REQ_ACK, payload=b("x"))
ok("flags-crc", "§4.1", "The CRC flag (02): the CRC trailer is there whether or not it is set.", DATA, flags=CRC)
ok("flags-frag", "§4.1", "FRAG (10).", DATA, flags=FRAG, payload=b("part"))
ok("flags-comp", "§4.1", "COMP (20).", DATA, flags=COMP, payload=b("zz"))
ok("flags-req-ack-crc", "§4.1", "REQ_ACK | CRC (03).", DATA, flags=REQ_ACK | CRC)
ok("flags-all-defined", "§4.1", "Every defined bit: REQ_ACK | CRC | FRAG | COMP (33).", DATA,
   flags=REQ_ACK | CRC | FRAG | COMP)
ok("flags-undefined-80", "§4.2", "Only the undefined bit 0x80: kept raw by v1; the crate decodes flags 00.",
   DATA, flags=0x80, crate={"flags": 0})
ok("flags-undefined-all-bits", "§4.2", "FLAGS ff: every bit set. Kept raw by v1; the crate decodes flags 00.",
   PING, flags=0xFF, crate={"flags": 0})

# ---- valid: typical frames of each type -------------------------------------------------------------------------
ok("hello-with-headers", "§3.1", "HELLO carrying text headers.", HELLO,
   headers=[(b("impl"), b("vstp-java/0.1")), (b("versions"), b("1"))])
ok("welcome-with-session", "§3.1", "WELCOME carrying a session id.", WELCOME,
   headers=[(b("session-id"), b("0123456789abcdef"))])
ok("ping-with-payload", "§3.1", "PING with an 8-byte payload.", PING, payload=bytes([1, 2, 3, 4, 5, 6, 7, 8]))
ok("pong-with-payload", "§3.1", "PONG echoing an 8-byte payload.", PONG, payload=bytes([1, 2, 3, 4, 5, 6, 7, 8]))
ok("bye-with-reason", "§3.1", "BYE with a reason header.", BYE, headers=[(b("reason"), b("shutdown"))])
ok("err-with-message", "§3.1", "ERR with a code header and a text payload.", ERR,
   headers=[(b("code"), b("9"))], payload=b("CRC mismatch"))
ok("ack-req-ack-data-reply", "§3.1", "ACK for msg-id 4294967295.", ACK,
   headers=[(b("msg-id"), b("4294967295"))])

# ---- invalid ----------------------------------------------------------------------------------------------------
HELLO_EMPTY = encode(HELLO)
SMALL_DATA = encode(DATA, 0, [(b("k"), b("v"))], b("payload"))

bad("bad-magic-first-byte", "§7.1", "A single byte that is not 0x56 fails at once (check 1); the crate waits for "
    "11 bytes.", b"\x00", "BAD_MAGIC", "incomplete")
bad("bad-magic-second-byte", "§7.1", "56 followed by 55: the second magic byte is wrong.", b"\x56\x55",
    "BAD_MAGIC", "incomplete")
bad("bad-magic-swapped-frame", "§7.1", "A whole frame starting 54 56 (magic byte-swapped).",
    with_crc(b"\x54\x56" + HELLO_EMPTY[2:]), "BAD_MAGIC", "rejects")
bad("bad-magic-ascii-junk", "§7.1", "Eleven bytes of 'X': the crate rejects once 11 bytes are there.",
    b"X" * 11, "BAD_MAGIC", "rejects")
bad("bad-magic-before-version", "§7.1", "Both magic and version wrong: magic is checked first.",
    with_crc(b"\x56\x00\x02" + HELLO_EMPTY[3:]), "BAD_MAGIC", "rejects")
bad("version-00-three-bytes", "§7.1", "Version 00 is rejected as soon as the third byte arrives (check 2).",
    b"\x56\x54\x00", "UNSUPPORTED_VERSION", "incomplete")
bad("version-02-frame", "§7.1", "A complete, CRC-correct frame with version 02: v1 accepts only 01.",
    encode(HELLO, version=2), "UNSUPPORTED_VERSION", "rejects")
bad("version-ff-frame", "§7.1", "A complete frame with version ff.", encode(DATA, payload=b("x"), version=0xFF),
    "UNSUPPORTED_VERSION", "rejects")
bad("headers-too-large-prefix", "§7.1",
    "HDR_LEN 17 with maxHeaderSectionSize 16: fails from the 11-byte prefix alone (check 3); the crate has no "
    "section limit and waits for the body.", encode(DATA, hdr_len=17)[:11], "HEADERS_TOO_LARGE", "incomplete",
    limits={"maxHeaderSectionSize": 16})
bad("headers-too-large-frame", "§7.1",
    "A complete, well-formed frame whose 18-byte section exceeds maxHeaderSectionSize 16; the crate accepts it.",
    encode(DATA, headers=[(b("key"), b("value")), (b("abc"), b("de"))]), "HEADERS_TOO_LARGE", "accepts",
    limits={"maxHeaderSectionSize": 16})
bad("headers-too-large-before-frame-too-large", "§7.1",
    "Section and total both over their limits: HEADERS_TOO_LARGE (check 3) wins over FRAME_TOO_LARGE (check 4).",
    encode(DATA, hdr_len=0xFFFF, pay_len=0xFFFFFFFF)[:11], "HEADERS_TOO_LARGE", "rejects",
    limits={"maxHeaderSectionSize": 1024})
bad("frame-too-large-prefix-max-lengths", "§7.1",
    "Prefix with HDR_LEN ffff and PAY_LEN ffffffff: 4 295 032 845 bytes declared, computed without overflow, "
    "rejected before any body byte (check 4).",
    encode(DATA, hdr_len=0xFFFF, pay_len=0xFFFFFFFF)[:11], "FRAME_TOO_LARGE", "rejects")
bad("frame-too-large-default-by-one", "§6.2",
    "Prefix declaring a total of 8 MiB + 1 (PAY_LEN 8 388 594): one byte over the default maxFrameSize.",
    encode(DATA, pay_len=DEFAULT_MAX_FRAME - 15 + 1)[:11], "FRAME_TOO_LARGE", "rejects")
bad("frame-too-large-by-one", "§6.2", "A complete frame of 65 bytes with maxFrameSize 64.",
    encode(DATA, 0, [(b("k"), b("v"))], bytes(46)), "FRAME_TOO_LARGE", "rejects", limits={"maxFrameSize": 64})
bad("frame-too-large-beats-truncated", "§7.1",
    "Prefix declaring 100 663 311 bytes and nothing else: the size error wins over TRUNCATED.",
    encode(DATA, pay_len=0x06000000)[:11], "FRAME_TOO_LARGE", "rejects")
bad("truncated-after-magic", "§7.1", "The input ends after 5 bytes, inside the prefix.", HELLO_EMPTY[:5],
    "TRUNCATED", "incomplete")
bad("truncated-prefix-10", "§7.1", "The input ends one byte short of the 11-byte prefix.", HELLO_EMPTY[:10],
    "TRUNCATED", "incomplete")
bad("truncated-missing-crc-byte", "§7.1", "An empty HELLO missing its last CRC byte.", HELLO_EMPTY[:-1],
    "TRUNCATED", "incomplete")
bad("truncated-inside-payload", "§7.1", "A DATA frame cut in the middle of its payload.", SMALL_DATA[:20],
    "TRUNCATED", "incomplete")
bad("crc-mismatch-trailer", "§2.4", "An empty HELLO with the last CRC byte changed.",
    HELLO_EMPTY[:-1] + bytes([HELLO_EMPTY[-1] ^ 0x01]), "CRC_MISMATCH", "rejects")
bad("crc-mismatch-payload-bit", "§2.4", "One payload bit flipped: the CRC covers the payload.",
    SMALL_DATA[:-6] + bytes([SMALL_DATA[-6] ^ 0x80]) + SMALL_DATA[-5:], "CRC_MISMATCH", "rejects")
bad("crc-mismatch-flags", "§2.4", "FLAGS changed after the CRC was computed: the CRC covers the prefix.",
    HELLO_EMPTY[:4] + b"\x01" + HELLO_EMPTY[5:], "CRC_MISMATCH", "rejects")
bad("crc-zero-with-crc-flag-clear", "§2.4",
    "CRC flag clear and a zero trailer: the CRC is always present and always checked.",
    encode(DATA, payload=b("x"), crc=0), "CRC_MISMATCH", "rejects")
bad("crc-checked-before-type", "§7.1", "Unknown type 09 and a bad CRC: the CRC (check 6) is checked first.",
    encode(9, crc=0x12345678), "CRC_MISMATCH", "rejects")
bad("unknown-type-00", "§3.2", "Type 00 with a correct CRC.", encode(0), "UNKNOWN_TYPE", "rejects")
bad("unknown-type-09", "§3.2", "Type 09, the first code after ERR.", encode(9, payload=b("x")), "UNKNOWN_TYPE",
    "rejects")
bad("unknown-type-ff", "§3.2", "Type ff.", encode(0xFF, headers=[(b("k"), b("v"))]), "UNKNOWN_TYPE", "rejects")
bad("header-overrun-into-payload", "§10.5",
    "HDR_LEN 2 holding entry 01 01, which needs 4 bytes. The crate reads the entry from the payload and accepts.",
    encode(DATA, payload=b("ab"), section=b"\x01\x01"), "HEADER_OVERRUN", "accepts")
bad("header-overrun-lone-length-byte", "§7.1",
    "HDR_LEN 1: fewer than 2 bytes left for an entry (check 8a).", encode(DATA, section=b"\x00"),
    "HEADER_OVERRUN", "rejects")
bad("header-overrun-past-frame", "§7.1",
    "An entry declaring a 255-byte key in a 2-byte section at the end of the frame.",
    encode(DATA, section=b"\xff\x00"), "HEADER_OVERRUN", "rejects")
bad("header-overrun-second-entry", "§7.1",
    "A good first entry, then one that runs past the section end.",
    encode(DATA, section=b"\x01\x01ab\x03\x00x", payload=b("tail")), "HEADER_OVERRUN", "accepts")
bad("header-overrun-before-count", "§7.1",
    "maxHeaderCount 1 and a second entry that overruns: 8a/8b come before 8c for the same entry.",
    encode(DATA, section=b"\x00\x00\x05"), "HEADER_OVERRUN", "rejects", limits={"maxHeaderCount": 1})
bad("too-many-headers-limit-2", "§7.1", "Three entries with maxHeaderCount 2; the crate has no count limit.",
    encode(DATA, headers=[(b("a"), b("1")), (b("b"), b("2")), (b("c"), b("3"))]), "TOO_MANY_HEADERS", "accepts",
    limits={"maxHeaderCount": 2})
bad("too-many-headers-default", "§6.2",
    "1 025 empty entries (a 2 050-byte section): one more than the default maxHeaderCount of 1 024.",
    encode(PING, headers=[(b"", b"")] * 1025), "TOO_MANY_HEADERS", "accepts")
bad("trailing-partial-frame", "§7.1",
    "A complete HELLO followed by 3 bytes of a second frame: the first frame decodes, then the input ends "
    "inside the second.", HELLO_EMPTY + HELLO_EMPTY[:3], "TRUNCATED", "accepts")

doc = {
    "format": "vstp-wire-vectors",
    "wireVersion": 1,
    "description": "VSTP wire v1 test vectors; see docs/spec/wire-v1.md §11 for the semantics. Generated by "
                   "generate_wire_v1.py; do not edit by hand.",
    "defaultLimits": {"maxFrameSize": DEFAULT_MAX_FRAME, "maxHeaderSectionSize": 65535, "maxHeaderCount": 1024},
    "valid": valid,
    "invalid": invalid,
}


def self_check():
    names = [c["name"] for c in valid + invalid]
    assert len(names) == len(set(names)), "duplicate case names"
    assert len(valid) >= 30 and len(invalid) >= 15
    assert {c["frame"]["type"] for c in valid} >= set(range(1, 9))
    examples = {  # wire-v1.md §10, computed independently there
        "hello-empty": "565401010000000000000090a29464",
        "data-content-type-hi":
            "56540103001800000000020c0a636f6e74656e742d74797065746578742f706c61696e686908a9d66f",
        "ack-msg-id-1": "565401070009000000000006016d73672d696431e63ca3b8",
        "data-undefined-flag-04-with-req-ack": "565401030500000000000080bfbcbe",
        "header-overrun-into-payload": "565401030002000000000201016162f70ea849",
    }
    by_name = {c["name"]: c["hex"] for c in valid + invalid}
    for name, hex_ in examples.items():
        assert by_name[name] == hex_, f"{name}: {by_name[name]} != {hex_}"
    section = next(c for c in valid if c["name"] == "header-section-65535")
    assert bytes.fromhex(section["hex"])[5:7] == b"\xff\xff"


def render():
    self_check()
    return json.dumps(doc, indent=1, ensure_ascii=False) + "\n"


def main(argv):
    text = render()
    if argv[1:] == ["--check"]:
        if not OUT.exists() or OUT.read_text(encoding="utf-8") != text:
            print(f"{OUT} is not what {Path(__file__).name} generates; run it and commit the result",
                  file=sys.stderr)
            return 1
        print(f"{OUT.name}: {len(valid)} valid, {len(invalid)} invalid cases, up to date")
        return 0
    if argv[1:]:
        print(__doc__, file=sys.stderr)
        return 2
    OUT.write_text(text, encoding="utf-8")
    print(f"wrote {OUT}: {len(valid)} valid, {len(invalid)} invalid cases")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
