#!/usr/bin/env python3
"""Checks docs/spec/vectors/e2e-v1.json against an independent reading of docs/spec/e2e.md.

Written from the spec text alone (not from the Java code that generated the vectors), on the primitives of the
`cryptography` package (OpenSSL): X25519, Ed25519, HKDF-SHA-256, ChaCha20-Poly1305, ML-KEM-768 (FIPS 203) and
ML-DSA-65 (FIPS 204), both from their seeds. The Java side uses BouncyCastle, so every case is checked by two
unrelated implementations of each primitive.

    python3 verify_e2e_v1.py [VECTORS]              # check every case; exit 1 on the first disagreement
    python3 verify_e2e_v1.py --self-test [VECTORS]  # also mutate cases one at a time and require each be caught

Needs the pinned packages of requirements-e2e.txt: verify-e2e-v1.sh installs them in a virtualenv and runs this
(./test-all calls it).
"""

import base64
import binascii
import copy
import hashlib
import json
import re
import sys
import time
import unicodedata
from datetime import datetime
from pathlib import Path

from cryptography.exceptions import InvalidSignature, InvalidTag, UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ed25519, mldsa, mlkem, x25519
from cryptography.hazmat.primitives.ciphers.aead import ChaCha20Poly1305
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

DEFAULT_VECTORS = Path(__file__).resolve().parent / "e2e-v1.json"


class Disagreement(Exception):
    """The vectors and this reading of the spec disagree."""


class Refused(Exception):
    """A reader refuses a file (§3.1); code is one of the §6 error names, or a code of our own."""

    def __init__(self, code, why):
        super().__init__(f"{code}: {why}")
        self.code = code


# ---- helpers -----------------------------------------------------------------------------------------------------
HEX = re.compile(r"(?:[0-9a-f]{2})*")  # vectors' hex is lowercase (Notation)


def unhex(text, what, length=None):
    if not isinstance(text, str) or not HEX.fullmatch(text):
        raise Disagreement(f"{what}: not lowercase hex of whole bytes")
    data = bytes.fromhex(text)
    if length is not None and len(data) != length:
        raise Disagreement(f"{what}: {len(data)} bytes, the spec says {length}")
    return data


def sha256(data):
    return hashlib.sha256(data).digest()


def key_id(public_key):
    """§1: the first 16 bytes of SHA-256 of the public key."""
    return sha256(public_key)[:16]


def hkdf(salt, ikm, info):
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=salt, info=info).derive(ikm)


def expect_fields(case, where, required, optional=()):
    """Every field of a case must be known, so a field added to the vectors is never ignored silently."""
    if not isinstance(case, dict):
        raise Disagreement(f"{where}: not an object")
    missing = [f for f in required if f not in case]
    unknown = [f for f in case if f not in required and f not in optional]
    if missing or unknown:
        raise Disagreement(f"{where}: missing fields {missing}, unknown fields {unknown} (update the verifier?)")


# ---- §1 keys, §2 hybrid KEM --------------------------------------------------------------------------------------
X25519_LEN, MLKEM_SEED_LEN, MLKEM_EK_LEN, MLKEM_CT_LEN = 32, 64, 1184, 1088
ENC_PRIVATE_LEN = X25519_LEN + MLKEM_SEED_LEN  # 96
ENC_PUBLIC_LEN = X25519_LEN + MLKEM_EK_LEN  # 1216
ENCAPSULATION_LEN = X25519_LEN + MLKEM_CT_LEN  # 1120
KEM_SALT = b"VSTP hybrid KEM X25519+ML-KEM-768 v1"
assert len(KEM_SALT) == 36  # "The salt is the 36 ASCII bytes shown."


class EncryptionKey:
    """A private key of type x25519-mlkem768: X25519 scalar [32] || ML-KEM-768 seed d || z [64]."""

    def __init__(self, private_key):
        if len(private_key) != ENC_PRIVATE_LEN:
            raise Disagreement(f"encryption private key of {len(private_key)} bytes, the spec says {ENC_PRIVATE_LEN}")
        self.x = x25519.X25519PrivateKey.from_private_bytes(private_key[:X25519_LEN])
        self.m = mlkem.MLKEM768PrivateKey.from_seed_bytes(private_key[X25519_LEN:])  # KeyGen_internal(d, z)
        self.pk_x = self.x.public_key().public_bytes_raw()  # X25519(skX, basepoint)
        self.public_key = self.pk_x + self.m.public_key().public_bytes_raw()
        assert len(self.public_key) == ENC_PUBLIC_LEN
        self.key_id = key_id(self.public_key)

    def decapsulate(self, encapsulation, extra):
        """§2 decapsulation; raises ValueError where the spec says fail (an all-zero X25519 secret)."""
        if len(encapsulation) != ENCAPSULATION_LEN:
            raise ValueError(f"encapsulation of {len(encapsulation)} bytes, not {ENCAPSULATION_LEN}")
        ct_x, ct_m = encapsulation[:X25519_LEN], encapsulation[X25519_LEN:]
        try:
            ss_x = self.x.exchange(x25519.X25519PublicKey.from_public_bytes(ct_x))
        except ValueError:  # OpenSSL refuses an all-zero result itself
            ss_x = bytes(32)
        if ss_x == bytes(32):
            raise ValueError("X25519 shared secret is all zeros (small-order ctX)")
        ss_m = self.m.decapsulate(ct_m)  # implicit rejection: never an error
        return hkdf(KEM_SALT, ss_m + ss_x + extra, ct_x + self.pk_x)


def check_keys(vectors):
    keys = {}
    for name, case in vectors["keys"].items():
        where = f"keys.{name}"
        expect_fields(case, where, ("private_key", "public_key", "key_id"))
        key = EncryptionKey(unhex(case["private_key"], f"{where}.private_key", ENC_PRIVATE_LEN))
        public = unhex(case["public_key"], f"{where}.public_key", ENC_PUBLIC_LEN)
        if key.public_key[:X25519_LEN] != public[:X25519_LEN]:
            raise Disagreement(f"{where}: X25519 public key derived from the scalar differs from public_key[0:32]")
        if key.public_key[X25519_LEN:] != public[X25519_LEN:]:
            raise Disagreement(f"{where}: ML-KEM-768 KeyGen_internal(d, z) gives another encapsulation key "
                               f"than public_key[32:]")
        if unhex(case["key_id"], f"{where}.key_id", 16) != key.key_id:
            raise Disagreement(f"{where}: key_id is not SHA-256(public_key)[:16] = {key.key_id.hex()}")
        keys[name] = key
    return keys


def check_kem(vectors, keys):
    for n, case in enumerate(vectors["kem"]):
        where = f"kem[{n}]"
        expect_fields(case, where, ("recipient", "encapsulation", "extra", "shared_secret"))
        key = lookup_key(keys, case["recipient"], where)
        encapsulation = unhex(case["encapsulation"], f"{where}.encapsulation", ENCAPSULATION_LEN)
        extra = unhex(case["extra"], f"{where}.extra")
        expected = unhex(case["shared_secret"], f"{where}.shared_secret", 32)
        try:
            got = key.decapsulate(encapsulation, extra)
        except ValueError as e:
            raise Disagreement(f"{where}: decapsulation fails ({e})") from None
        if got != expected:
            raise Disagreement(f"{where}: decapsulation gives {got.hex()}, the vectors say {expected.hex()}")
    return len(vectors["kem"])


def lookup_key(keys, name, where):
    if name not in keys:
        raise Disagreement(f"{where}: unknown key {name!r}")
    return keys[name]


# ---- §3 encrypted files, §3.1 reading ----------------------------------------------------------------------------
MAGIC = b"VSTPE2E\x01"
SUITE = 1
TAG = 16
STANZA_FIXED = 16 + ENCAPSULATION_LEN + 1 + 48  # 1185 without extra_id
PAYLOAD_INFO = b"VSTP-E2E v1 payload"


class Header:
    def __init__(self, raw, chunk_log2, stanzas):
        self.raw, self.chunk_log2, self.stanzas = raw, chunk_log2, stanzas


def parse_header(data):
    """§3 header with the refusals of §3.1 step 1, each before reading further."""
    pos = 0

    def take(n, what):
        nonlocal pos
        if len(data) - pos < n:
            raise Refused("TRUNCATED", f"file ends inside the header ({what})")  # §3.1 step 1, last sentence
        pos += n
        return data[pos - n:pos]

    if data[:len(MAGIC)] != MAGIC:  # a file shorter than the magic does not start with it either
        # §3.1 says "(not encrypted)" but §6 names no error for it: NOT_ENCRYPTED here, as the Java reader's reason.
        raise Refused("NOT_ENCRYPTED", "no VSTPE2E magic: not an end-to-end encrypted file")
    take(len(MAGIC), "magic")
    suite = take(1, "suite")[0]
    if suite != SUITE:
        raise Refused("MALFORMED", f"unknown suite {suite}")
    chunk_log2 = take(1, "chunk_log2")[0]
    if not 10 <= chunk_log2 <= 22:
        raise Refused("MALFORMED", f"chunk_log2 {chunk_log2} outside 10..22")
    count = take(1, "recipient_count")[0]
    if not 1 <= count <= 16:
        raise Refused("MALFORMED", f"recipient count {count} outside 1..16")
    stanzas = []
    for s in range(count):
        kid = take(16, f"stanza {s} key_id")
        encapsulation = take(ENCAPSULATION_LEN, f"stanza {s} encapsulation")
        extra_id_len = take(1, f"stanza {s} extra_id_len")[0]
        if extra_id_len > 64:
            raise Refused("MALFORMED", f"stanza {s}: extra_id_len {extra_id_len} over 64")
        extra_id = take(extra_id_len, f"stanza {s} extra_id")
        if any(b < 0x21 or b > 0x7E for b in extra_id):  # §3.1 step 1
            raise Refused("MALFORMED", f"stanza {s}: extra_id is not printable ASCII without spaces")
        wrapped = take(48, f"stanza {s} wrapped_file_key")
        stanzas.append((kid, encapsulation, extra_id, wrapped))
    return Header(data[:pos], chunk_log2, stanzas), pos


def opens(payload_key, nonce, header_hash, i, sealed):
    """Whether a chunk opens as a non-final one (final = 0)."""
    try:
        payload_key.decrypt(nonce, sealed, header_hash + i.to_bytes(8, "big") + b"\x00")
        return True
    except InvalidTag:
        return False


def decrypt(data, private_keys, extra_secrets):
    """Reads a file per §3.1 with the reader's private keys and its sources of extra secrets (extra_id -> bytes).

    Returns the plaintext, or raises Refused with the §6 error name."""
    header, pos = parse_header(data)
    # Step 2: the first stanza naming one of our keys.
    ours = {key.key_id: key for key in private_keys}
    stanza = next((s for s in header.stanzas if s[0] in ours), None)
    if stanza is None:
        ids = ", ".join(s[0].hex() for s in header.stanzas)
        raise Refused("NO_MATCHING_KEY", f"no stanza for our keys; the file is for key ids {ids}")
    kid, encapsulation, extra_id, wrapped = stanza
    if extra_id:
        name = extra_id.decode("latin-1")
        if name not in extra_secrets:
            raise Refused("NO_MATCHING_KEY", f"no source for the extra secret {name!r}")  # §3.1 step 2
        extra = extra_secrets[name]
    else:
        extra = b""
    try:
        ss = ours[kid].decapsulate(encapsulation, extra)
        file_key = ChaCha20Poly1305(ss).decrypt(bytes(12), wrapped, kid + extra_id)
    except (ValueError, InvalidTag) as e:
        raise Refused("TAMPERED", f"header: the file key does not open ({type(e).__name__})") from None
    # Step 3: the chunks.
    header_hash = sha256(header.raw)
    payload_key = ChaCha20Poly1305(hkdf(header_hash, file_key, PAYLOAD_INFO))
    sealed_size = (1 << header.chunk_log2) + TAG
    plaintext, i = [], 0
    while True:
        remaining = len(data) - pos
        if remaining < TAG:
            raise Refused("TRUNCATED", f"{remaining} bytes where chunk {i} should start")
        final = remaining <= sealed_size  # fewer bytes than a full chunk remain, or the data ends right after it
        size = remaining if final else sealed_size
        nonce = bytes(4) + i.to_bytes(8, "big")
        aad = header_hash + i.to_bytes(8, "big") + bytes([final])
        try:
            plaintext.append(payload_key.decrypt(nonce, data[pos:pos + size], aad))
        except InvalidTag:
            # §3.1 step 3: "a failure is a tampered file, except that a full-size chunk at the end of the data that
            # opens with final = 0 is a file truncated at a chunk boundary"
            if final and size == sealed_size and opens(payload_key, nonce, header_hash, i, data[pos:pos + size]):
                raise Refused("TRUNCATED", f"chunk {i} is authentic but not sealed as final") from None
            raise Refused("TAMPERED", f"chunk {i} (final={int(final)}) does not open") from None
        pos += size
        i += 1
        if final:
            return b"".join(plaintext), header


def check_files(vectors, keys):
    chunk_log2 = vectors["chunk_log2"]
    valid = refused = 0
    for n, case in enumerate(vectors["files"]):
        where = f"files[{n}] ({case.get('name')!r})"
        expect_fields(case, where, ("name", "reader", "ciphertext"),
                      ("plaintext", "error", "extra_id", "extra_secret"))
        if ("plaintext" in case) == ("error" in case):
            raise Disagreement(f"{where}: needs exactly one of plaintext and error")
        if ("extra_id" in case) != ("extra_secret" in case):
            raise Disagreement(f"{where}: extra_id and extra_secret go together")
        reader = lookup_key(keys, case["reader"], where)
        data = unhex(case["ciphertext"], f"{where}.ciphertext")
        sources = {}
        if "extra_id" in case:
            sources[case["extra_id"]] = unhex(case["extra_secret"], f"{where}.extra_secret")
        try:
            got, header = decrypt(data, [reader], sources)
        except Refused as e:
            if e.code != case.get("error"):
                expected = f"error {case['error']}" if "error" in case else "the plaintext"
                raise Disagreement(f"{where}: the reader refuses it with {e}; the vectors expect {expected}") \
                    from None
            refused += 1
            continue
        if "error" in case:
            raise Disagreement(f"{where}: decrypts to {len(got)} bytes; the vectors expect error {case['error']}")
        expected = unhex(case["plaintext"], f"{where}.plaintext")
        if got != expected:
            raise Disagreement(f"{where}: decrypts to {len(got)} bytes that differ from the expected "
                               f"{len(expected)}-byte plaintext")
        # Writer conformance of a valid file (§3): the chunk size of the vectors, the size formula, the extra_id.
        if header.chunk_log2 != chunk_log2:
            raise Disagreement(f"{where}: chunk_log2 {header.chunk_log2}, the vectors say {chunk_log2}")
        chunks = max(1, -(-len(expected) // (1 << header.chunk_log2)))
        if len(data) != len(header.raw) + len(expected) + TAG * chunks:
            raise Disagreement(f"{where}: {len(data)} bytes, not the size §3 gives for this plaintext")
        named = [s[2].decode("latin-1") for s in header.stanzas if s[0] == reader.key_id][0]
        if named != case.get("extra_id", ""):
            raise Disagreement(f"{where}: the reader's stanza names extra secret {named!r}, "
                               f"the vectors {case.get('extra_id', '')!r}")
        # Every other recipient we hold a key for reads the same plaintext.
        for other in keys.values():
            if other is not reader and any(s[0] == other.key_id for s in header.stanzas):
                try:
                    same = decrypt(data, [other], sources)[0] == expected
                except Refused as e:
                    raise Disagreement(f"{where}: another recipient's stanza is refused: {e}") from None
                if not same:
                    raise Disagreement(f"{where}: another recipient reads another plaintext")
        valid += 1
    return valid, refused


# ---- §5 signed manifests -----------------------------------------------------------------------------------------
MANIFEST_MAX = 16 * 1024
SIGNATURE_LEN = {"ed25519": 64, "ml-dsa-65": 3309}
SIGNING_PUBLIC_LEN = {"ed25519": 32, "ml-dsa-65": 1952}
FIELDS = ("vstp-manifest", "name", "size", "sha256", "encrypted", "created", "signer", "algorithm")
VALUE = {
    "vstp-manifest": re.compile(r"1"),
    "size": re.compile(r"0|[1-9][0-9]*"),
    "sha256": re.compile(r"[0-9a-f]{64}"),
    "encrypted": re.compile(r"true|false"),
    # "UTC time in ISO-8601 with seconds": read here as exactly YYYY-MM-DDTHH:MM:SSZ (see README).
    "created": re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z"),  # and a real date, below
    "signer": re.compile(r"[0-9a-f]{32}"),
    "algorithm": re.compile(r"ed25519|ml-dsa-65"),
}


def parse_manifest(signed):
    """§5: the fields and signature of a signed manifest, refusing anything but the canonical form."""
    if len(signed) > MANIFEST_MAX:
        raise ValueError(f"{len(signed)} bytes, over 16 KiB")
    text = signed.decode("utf-8")  # strict: invalid UTF-8 raises
    if not text.endswith("\n"):
        raise ValueError("does not end in LF")
    lines = text[:-1].split("\n")
    if len(lines) != len(FIELDS) + 1:
        raise ValueError(f"{len(lines)} lines, not {len(FIELDS) + 1}")
    fields = {}
    for line, field in zip(lines, FIELDS + ("signature",)):
        prefix = field + ": "
        if not line.startswith(prefix):
            raise ValueError(f"line {line!r} is not {prefix!r}...")
        value = line[len(prefix):]
        if field in VALUE and not VALUE[field].fullmatch(value):
            raise ValueError(f"{field}: {value!r} is not canonical")
        if field == "created":
            try:
                datetime.strptime(value, "%Y-%m-%dT%H:%M:%SZ")  # a real date: no February 30
            except ValueError:
                raise ValueError(f"created: {value!r} is not a date") from None
        fields[field] = value
    name = fields["name"]
    if not 1 <= len(name.encode("utf-8")) <= 1024:
        raise ValueError("name is not 1..1024 UTF-8 bytes")
    if any(unicodedata.category(c) == "Cc" for c in name):  # Unicode control characters: C0, DEL and C1 (README)
        raise ValueError("name holds a control character")
    try:
        signature = base64.b64decode(fields["signature"], validate=True)
    except binascii.Error as e:
        raise ValueError(f"signature is not base64 ({e})") from None
    if base64.b64encode(signature).decode("ascii") != fields["signature"]:
        raise ValueError("signature is not canonical base64")
    if len(signature) != SIGNATURE_LEN[fields["algorithm"]]:
        raise ValueError(f"{fields['algorithm']} signature of {len(signature)} bytes, "
                         f"not {SIGNATURE_LEN[fields['algorithm']]}")
    canonical = "".join(f"{f}: {fields[f]}\n" for f in FIELDS).encode("utf-8")
    if canonical + f"signature: {fields['signature']}\n".encode("utf-8") != signed:  # re-encodes to the same bytes
        raise ValueError("does not re-encode to the same bytes")
    return fields, canonical, signature


def check_manifests(vectors):
    for n, case in enumerate(vectors["manifests"]):
        where = f"manifests[{n}]"
        expect_fields(case, where, ("algorithm", "private_key", "public_key", "signed_manifest"))
        algorithm = case["algorithm"]
        if algorithm not in SIGNATURE_LEN:
            raise Disagreement(f"{where}: unknown algorithm {algorithm!r}")
        seed = unhex(case["private_key"], f"{where}.private_key", 32)
        public = unhex(case["public_key"], f"{where}.public_key", SIGNING_PUBLIC_LEN[algorithm])
        if algorithm == "ed25519":
            private = ed25519.Ed25519PrivateKey.from_private_bytes(seed)  # RFC 8032 private key
            public_key = ed25519.Ed25519PublicKey.from_public_bytes(public)
        else:
            private = mldsa.MLDSA65PrivateKey.from_seed_bytes(seed)  # ML-DSA.KeyGen_internal(xi)
            public_key = mldsa.MLDSA65PublicKey.from_public_bytes(public)
        if private.public_key().public_bytes_raw() != public:
            raise Disagreement(f"{where}: the {algorithm} public key derived from private_key differs from public_key")
        try:
            fields, canonical, signature = parse_manifest(case["signed_manifest"].encode("utf-8"))
        except ValueError as e:
            raise Disagreement(f"{where}: a reader refuses the signed manifest: {e}") from None
        if fields["algorithm"] != algorithm:
            raise Disagreement(f"{where}: the manifest says algorithm {fields['algorithm']}, the case {algorithm}")
        if fields["signer"] != key_id(public).hex():
            raise Disagreement(f"{where}: signer {fields['signer']} is not the key id {key_id(public).hex()} "
                               f"of public_key")
        try:
            public_key.verify(signature, canonical)  # Ed25519 pure / ML-DSA-65 with empty context
        except InvalidSignature:
            raise Disagreement(f"{where}: the {algorithm} signature does not verify") from None
        # The downloader's check (§5) against the files of the vectors: size, sha256 and encrypted of one of them.
        described = [f for f in vectors["files"] if len(f["ciphertext"]) // 2 == int(fields["size"])
                     and sha256(bytes.fromhex(f["ciphertext"])).hex() == fields["sha256"]]
        if not described:
            raise Disagreement(f"{where}: size and sha256 match none of the files of the vectors")
        if fields["encrypted"] != str(described[0]["ciphertext"].startswith(MAGIC.hex())).lower():
            raise Disagreement(f"{where}: encrypted: {fields['encrypted']} for the file it describes")
    return len(vectors["manifests"])


# ---- all cases ---------------------------------------------------------------------------------------------------
def check(vectors):
    expect_fields(vectors, "top level", ("format", "source", "chunk_log2", "keys", "kem", "files", "manifests"))
    if not str(vectors["format"]).startswith("VSTP-E2E v1"):
        raise Disagreement(f"format {vectors['format']!r} is not VSTP-E2E v1")
    keys = check_keys(vectors)
    kem = check_kem(vectors, keys)
    valid, refused = check_files(vectors, keys)
    manifests = check_manifests(vectors)
    counts = {"keys": len(keys), "kem": kem, "valid files": valid, "refused files": refused,
              "manifests": manifests}
    empty = [kind for kind, count in counts.items() if count == 0]
    if empty:
        raise Disagreement(f"no cases checked for {', '.join(empty)}: the check would pass vacuously")
    algorithms = {m["algorithm"] for m in vectors["manifests"]}
    if algorithms != set(SIGNATURE_LEN):
        raise Disagreement(f"manifests cover {sorted(algorithms)}, not both ed25519 and ml-dsa-65")
    if not any("extra_id" in f for f in vectors["files"]) or not any(k["extra"] for k in vectors["kem"]):
        raise Disagreement("no case with an extra secret (§4)")
    return counts


# ---- self-test: every mutation must be caught, for the right reason ----------------------------------------------
def flip_hex(text, index=0):
    data = bytearray(bytes.fromhex(text))
    data[index] ^= 0x01
    return data.hex()


def split_signed(manifest):
    head, sig = manifest[:-1].rsplit("signature: ", 1)
    return head, sig


def flip_signature(manifest):
    head, sig = split_signed(manifest)
    raw = bytearray(base64.b64decode(sig))
    raw[5] ^= 0x01
    return f"{head}signature: {base64.b64encode(bytes(raw)).decode()}\n"


def resigned(case, edit):
    """The Ed25519 manifest of case with its text edited, then signed again: only the parser can refuse it."""
    text = edit(split_signed(case["signed_manifest"])[0])
    private = ed25519.Ed25519PrivateKey.from_private_bytes(bytes.fromhex(case["private_key"]))
    return f"{text}signature: {base64.b64encode(private.sign(text.encode())).decode()}\n"


def mutations(vectors):
    """(what, how to mutate the vectors in place, a fragment the disagreement message must hold)."""
    files = vectors["files"]
    first_valid = next(i for i, f in enumerate(files) if "plaintext" in f and f["plaintext"])
    qkd = next(i for i, f in enumerate(files) if "extra_id" in f)
    by_error = {f["error"]: i for i, f in enumerate(files) if "error" in f}
    reader = files[first_valid]["reader"]
    stranger = next(k for k in vectors["keys"] if k != reader)
    ed = next(i for i, m in enumerate(vectors["manifests"]) if m["algorithm"] == "ed25519")
    ml = next(i for i, m in enumerate(vectors["manifests"]) if m["algorithm"] == "ml-dsa-65")
    some_key = next(iter(vectors["keys"]))

    def at(*path, to):
        def apply(v):
            target = v
            for p in path[:-1]:
                target = target[p]
            target[path[-1]] = to(target[path[-1]]) if callable(to) else to
        return apply

    def ed_text(edit):
        return at("manifests", ed, "signed_manifest", to=lambda _: resigned(vectors["manifests"][ed], edit))

    def ed_signature(edit):
        def apply(v):
            head, sig = split_signed(v["manifests"][ed]["signed_manifest"])
            v["manifests"][ed]["signed_manifest"] = f"{head}signature: {edit(sig)}\n"
        return apply

    def trailing_bits(sig):  # the same bytes in base64 with non-zero padding bits
        alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
        body = sig.rstrip("=")
        return body[:-1] + alphabet[alphabet.index(body[-1]) | 1] + sig[len(body):]

    m = [
        ("key: X25519 public byte", at("keys", some_key, "public_key", to=flip_hex), "X25519 public key derived"),
        ("key: ML-KEM public byte", at("keys", some_key, "public_key", to=lambda h: flip_hex(h, 100)),
         "KeyGen_internal(d, z)"),
        ("key: ML-KEM seed byte", at("keys", some_key, "private_key", to=lambda h: flip_hex(h, 40)),
         "KeyGen_internal(d, z)"),
        ("key: key_id byte", at("keys", some_key, "key_id", to=flip_hex), "key_id is not"),
    ]
    for n, case in enumerate(vectors["kem"]):
        m += [
            (f"kem[{n}]: shared_secret byte", at("kem", n, "shared_secret", to=flip_hex), "decapsulation gives"),
            (f"kem[{n}]: ctM byte (implicit rejection)", at("kem", n, "encapsulation", to=lambda h: flip_hex(h, 500)),
             "decapsulation gives"),
            (f"kem[{n}]: ctX byte", at("kem", n, "encapsulation", to=lambda h: flip_hex(h, 3)), "decapsulation"),
            (f"kem[{n}]: extra", at("kem", n, "extra", to=lambda h: flip_hex(h) if h else "00"),
             "decapsulation gives"),
        ]
    m += [
        ("file: plaintext byte", at("files", first_valid, "plaintext", to=flip_hex), "differ from the expected"),
        ("file: plaintext one byte short", at("files", first_valid, "plaintext", to=lambda h: h[:-2]),
         "differ from the expected"),
        ("file: last ciphertext byte", at("files", first_valid, "ciphertext", to=lambda h: flip_hex(h, -1)),
         "refuses it with TAMPERED"),
        ("file: a stanza byte", at("files", first_valid, "ciphertext", to=lambda h: flip_hex(h, 200)),
         "refuses it with TAMPERED"),
        ("file: chunk_log2 9", at("files", first_valid, "ciphertext", to=lambda h: h[:18] + "09" + h[20:]),
         "refuses it with MALFORMED"),
        ("file: not encrypted", at("files", first_valid, "ciphertext", to=lambda h: flip_hex(h, 0)),
         "refuses it with NOT_ENCRYPTED"),
        ("file: a chunk of data appended", at("files", first_valid, "ciphertext", to=lambda h: h + "00" * 2000),
         "refuses it with TAMPERED"),
        ("file: header only", at("files", first_valid, "ciphertext", to=lambda h: h[:2 * (11 + STANZA_FIXED)]),
         "refuses it with TRUNCATED"),
        ("file: read by a stranger", at("files", first_valid, "reader", to=stranger), "NO_MATCHING_KEY"),
        ("file: chunk_log2 of the vectors", at("chunk_log2", to=lambda c: c + 1), "the vectors say"),
        ("qkd: extra secret byte", at("files", qkd, "extra_secret", to=flip_hex), "refuses it with TAMPERED"),
        ("qkd: no source for extra_id", at("files", qkd, "extra_id", to="qkd:other"), "no source for the extra secret"),
    ]
    m += [(f"refused {error}: expected another error",
           at("files", n, "error", to="TRUNCATED" if error == "TAMPERED" else "TAMPERED"), f"refuses it with {error}")
          for error, n in by_error.items()]
    m += [
        ("manifest ed25519: signature byte", at("manifests", ed, "signed_manifest", to=flip_signature),
         "does not verify"),
        ("manifest ml-dsa-65: signature byte", at("manifests", ml, "signed_manifest", to=flip_signature),
         "does not verify"),
        ("manifest ml-dsa-65: name changed", at("manifests", ml, "signed_manifest",
                                                 to=lambda t: t.replace("name: ", "name: x", 1)), "does not verify"),
        ("manifest: size with a leading zero", ed_text(lambda t: t.replace("size: ", "size: 0", 1)), "size:"),
        ("manifest: trailing space", ed_text(lambda t: t.replace("encrypted: true\n", "encrypted: true \n")
                                             .replace("encrypted: false\n", "encrypted: false \n")), "encrypted:"),
        ("manifest: CRLF", ed_text(lambda t: t.replace("\n", "\r\n")), "not canonical"),
        ("manifest: fields reordered", ed_text(lambda t: "\n".join(
            (lambda ls: [ls[0], ls[2], ls[1]] + ls[3:])(t.split("\n")))), "is not 'name: '"),
        ("manifest: February 30", ed_text(lambda t: re.sub(r"created: [0-9]{4}-[0-9]{2}-[0-9]{2}",
                                                           "created: 2026-02-30", t)), "not a date"),
        ("manifest: fractional seconds", ed_text(lambda t: t.replace("Z\n", ".5Z\n", 1)), "created:"),
        ("manifest: DEL in the name", ed_text(lambda t: t.replace("name: ", "name: \x7f", 1)), "control character"),
        ("manifest: uppercase signer", ed_text(
            lambda t: re.sub("signer: (.*)", lambda x: "signer: " + x[1].upper(), t)), "signer: '"),
        ("manifest: signature cut to 63 bytes", ed_signature(
            lambda sig: base64.b64encode(base64.b64decode(sig)[:63]).decode()), "signature of 63 bytes"),
        ("manifest: signature without padding", ed_signature(lambda sig: sig.rstrip("=")), "not base64"),
        ("manifest: signature padding bits", ed_signature(trailing_bits), "not canonical base64"),
        ("manifest: over 16 KiB", at("manifests", ed, "signed_manifest", to=lambda t: t + "x" * 16384),
         "over 16 KiB"),
        ("manifest: public key byte", at("manifests", ed, "public_key", to=flip_hex), "derived from private_key"),
        ("manifest: ML-DSA seed byte", at("manifests", ml, "private_key", to=flip_hex), "derived from private_key"),
        ("manifest: describes no file", ed_text(
            lambda t: re.sub("sha256: (.)", lambda x: "sha256: " + "01"[x[1] == "0"], t)), "match none of the files"),
        ("manifest: not encrypted", ed_text(lambda t: t.replace("encrypted: true", "encrypted: false")),
         "encrypted: false for"),
        ("manifest: signer of another key", ed_text(
            lambda t: re.sub("signer: (.)", lambda x: "signer: " + "01"[x[1] == "0"], t)), "is not the key id"),
        ("no kem cases at all", at("kem", to=[]), "pass vacuously"),
        ("an unknown field", at("files", first_valid, "comment", to="new"), "unknown fields ['comment']"),
    ]
    return m


def self_test(vectors):
    wrong = []
    mutation_list = mutations(vectors)
    for label, apply, fragment in mutation_list:
        mutated = copy.deepcopy(vectors)
        apply(mutated)
        try:
            check(mutated)
            wrong.append(f"{label}: NOT caught")
        except Disagreement as e:
            if fragment not in str(e):
                wrong.append(f"{label}: caught for another reason ({e})")
    if wrong:
        raise Disagreement("self-test failed:\n  " + "\n  ".join(wrong))
    return len(mutation_list)


def main(argv):
    args = [a for a in argv if a != "--self-test"]
    if len(args) > 1 or args and args[0].startswith("-"):
        print(__doc__, file=sys.stderr)
        return 2
    path = Path(args[0]) if args else DEFAULT_VECTORS
    vectors = json.loads(path.read_text(encoding="utf-8"))
    start = time.monotonic()
    try:
        counts = check(vectors)
        tested = self_test(vectors) if "--self-test" in argv else 0
    except Disagreement as e:
        print(f"{path.name}: DISAGREEMENT: {e}", file=sys.stderr)
        return 1
    except UnsupportedAlgorithm as e:
        print(f"{path.name}: this cryptography package cannot check it ({e}); install requirements-e2e.txt",
              file=sys.stderr)
        return 1
    files = counts["valid files"] + counts["refused files"]
    summary = (f"{path.name}: {counts['keys']} keys, {counts['kem']} kem, {files} files "
               f"({counts['valid files']} read, {counts['refused files']} refused as expected), "
               f"{counts['manifests']} manifests: all agree")
    if tested:
        summary += f"; self-test: all {tested} mutations caught"
    print(f"{summary} ({time.monotonic() - start:.1f}s)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
