//! vstp-interop: cross-checks the language-neutral VSTP wire-v1 test vectors
//! (docs/spec/vectors/wire-v1.json, schema in docs/spec/wire-v1.md §11) against the
//! real Rust crate `vstp` 0.2.1 from crates.io.
//!
//! Only the crate's public API is called: `vstp::Frame`, `vstp::FrameType`,
//! `vstp::Flags`, `vstp::Header`, `vstp::encode_frame` and `vstp::try_decode_frame`;
//! for TCP (module `tcp`) `vstp::VstpTcpServer`, its `VstpTcpConnection` and
//! `vstp::VstpTcpClient`; for UDP (module `udp`) `vstp::VstpUdpServer` and `vstp::VstpUdpClient`.
//! No code of the crate is copied here.
//!
//! Usage:
//!   vstp-interop verify-vectors PATH
//!   vstp-interop decode-outcome HEX [MAX_FRAME_SIZE]
//!   vstp-interop tcp-echo-server [--max-seconds N]
//!   vstp-interop tcp-client HOST PORT COUNT
//!   vstp-interop udp-echo-server [--max-seconds N]
//!   vstp-interop udp-client HOST PORT COUNT
//!   vstp-interop udp-echo-check HOST PORT PAYLOAD_BYTES
//!   vstp-interop udp-ack-check HOST PORT MSG_ID
//!   vstp-interop bench --workload stream|rr|rr-rate|udp [options]   (module `bench`)

mod bench;
mod tcp;
mod udp;

use std::process::ExitCode;

use bytes::BytesMut;
use serde_json::Value;
use vstp::{encode_frame, try_decode_frame, Flags, Frame, FrameType, Header, VstpError};

/// The crate's TCP codec default (`VstpFrameCodec::default()`), also the v1 default.
const DEFAULT_MAX_FRAME_SIZE: u64 = 8 * 1024 * 1024;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.first().map(String::as_str) {
        Some("verify-vectors") if args.len() == 2 => verify_vectors(&args[1]),
        Some("decode-outcome") if args.len() == 2 || args.len() == 3 => {
            decode_outcome_cmd(&args[1], args.get(2).map(String::as_str))
        }
        Some("tcp-echo-server") => tcp::echo_server_cmd(&args[1..]),
        Some("tcp-client") => tcp::client_cmd(&args[1..]),
        Some("udp-echo-server") => udp::echo_server_cmd(&args[1..]),
        Some("udp-client") => udp::client_cmd(&args[1..]),
        Some("udp-echo-check") => udp::echo_check_cmd(&args[1..]),
        Some("udp-ack-check") => udp::ack_check_cmd(&args[1..]),
        Some("bench") => bench::bench_cmd(&args[1..]),
        _ => {
            eprintln!(
                "usage:\n  vstp-interop verify-vectors PATH\n  vstp-interop decode-outcome HEX [MAX_FRAME_SIZE]\n  \
                 vstp-interop tcp-echo-server [--max-seconds N]\n  vstp-interop tcp-client HOST PORT COUNT [--hello] [--session-frames]\n  \
                 vstp-interop udp-echo-server [--max-seconds N]\n  vstp-interop udp-client HOST PORT COUNT\n  \
                 vstp-interop udp-echo-check HOST PORT PAYLOAD_BYTES\n  \
                 vstp-interop udp-ack-check HOST PORT MSG_ID\n  \
                 vstp-interop bench --workload stream|rr|rr-rate|udp [--size BYTES] [--connections C] \
                 [--concurrency N] [--rate R] [--duration 5s|500ms] [--smoke]"
            );
            ExitCode::from(2)
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Helpers

fn hex_decode(s: &str) -> Result<Vec<u8>, String> {
    let s = s.trim();
    if !s.len().is_multiple_of(2) {
        return Err(format!("odd-length hex string ({} digits)", s.len()));
    }
    let digit = |c: u8| -> Result<u8, String> {
        match c {
            b'0'..=b'9' => Ok(c - b'0'),
            b'a'..=b'f' => Ok(c - b'a' + 10),
            b'A'..=b'F' => Ok(c - b'A' + 10),
            _ => Err(format!("invalid hex digit {:?}", c as char)),
        }
    };
    s.as_bytes()
        .chunks(2)
        .map(|p| Ok(digit(p[0])? << 4 | digit(p[1])?))
        .collect()
}

fn hex_encode(b: &[u8]) -> String {
    b.iter().map(|x| format!("{:02x}", x)).collect()
}

/// Short form of a long hex string for messages.
fn hex_short(b: &[u8]) -> String {
    if b.len() <= 48 {
        hex_encode(b)
    } else {
        format!("{}...({} bytes)", hex_encode(&b[..40]), b.len())
    }
}

/// The crate's type code: `FrameType` is `#[repr(u8)]` with the wire codes as discriminants.
fn type_code(t: FrameType) -> u8 {
    t as u8
}

/// One call of the crate's `try_decode_frame`.
enum Step {
    /// `Ok(Some(frame))`.
    Frame(Frame),
    /// `Ok(None)`: the decoder waits for more bytes.
    NeedMore,
    /// `Err(_)`.
    Error(VstpError),
}

impl Step {
    fn word(&self) -> &'static str {
        match self {
            Step::Frame(_) => "accepts",
            Step::NeedMore => "incomplete",
            Step::Error(_) => "rejects",
        }
    }
}

/// What the crate's decoder does with a complete input.
struct Decoded {
    /// The decoder's results, one per call. Never empty; only the last one can be
    /// `NeedMore` or `Error`.
    steps: Vec<Step>,
    /// Bytes still buffered after the last call.
    left: usize,
}

impl Decoded {
    /// The outcome as the vectors' `crate` field records it: the result of the first call
    /// (`Err` = rejects, `Ok(Some)` = accepts, `Ok(None)` = incomplete).
    fn word(&self) -> &'static str {
        self.steps[0].word()
    }
}

/// Decode `input` as a complete input with the crate's `try_decode_frame`.
///
/// The first call decides the outcome. While a call yields a frame and bytes remain, the
/// decoder is called again (as the crate's TCP codec would) so that what follows the first
/// frame can be reported too.
fn crate_decode(input: &[u8], max_frame_size: usize) -> Decoded {
    let mut buf = BytesMut::from(input);
    let mut steps = Vec::new();
    loop {
        let step = match try_decode_frame(&mut buf, max_frame_size) {
            Ok(Some(f)) => Step::Frame(f),
            Ok(None) => Step::NeedMore,
            Err(e) => Step::Error(e),
        };
        let more = matches!(step, Step::Frame(_)) && !buf.is_empty();
        steps.push(step);
        if !more {
            return Decoded {
                steps,
                left: buf.len(),
            };
        }
    }
}

fn describe_frame(f: &Frame) -> Vec<String> {
    let mut out = vec![
        format!("version {}", f.version),
        format!("type {} ({:?})", type_code(f.typ), f.typ),
        format!("flags 0x{:02x}", f.flags.bits()),
    ];
    for h in &f.headers {
        out.push(format!(
            "header {} {}",
            hex_encode(&h.key),
            hex_encode(&h.value)
        ));
    }
    out.push(format!("payload {}", hex_encode(&f.payload)));
    out
}

// ---------------------------------------------------------------------------------------------
// decode-outcome

fn decode_outcome_cmd(hex: &str, max: Option<&str>) -> ExitCode {
    let input = match hex_decode(hex) {
        Ok(b) => b,
        Err(e) => {
            eprintln!("error: HEX: {e}");
            return ExitCode::from(2);
        }
    };
    let max = match max.map(str::parse::<u64>) {
        None => DEFAULT_MAX_FRAME_SIZE,
        Some(Ok(m)) => m,
        Some(Err(e)) => {
            eprintln!("error: MAX_FRAME_SIZE: {e}");
            return ExitCode::from(2);
        }
    };
    let decoded = crate_decode(&input, max as usize);
    // Line 1 is exactly the outcome (the first call's result); details follow, indented.
    println!("{}", decoded.word());
    let n = decoded.steps.len();
    for (i, step) in decoded.steps.iter().enumerate() {
        if i > 0 {
            println!("then (call {}):", i + 1);
        }
        match step {
            Step::Frame(f) => {
                for line in describe_frame(f) {
                    println!("  {line}");
                }
            }
            Step::NeedMore => println!("  Ok(None): waits for more bytes"),
            Step::Error(e) => println!("  Err({e:?}): {e}"),
        }
        if i + 1 == n {
            println!(
                "  {} of {} byte(s) consumed, {} left buffered",
                input.len() - decoded.left,
                input.len(),
                decoded.left
            );
        }
    }
    ExitCode::SUCCESS
}

// ---------------------------------------------------------------------------------------------
// verify-vectors

struct Ctx {
    default_max_frame_size: u64,
}

impl Ctx {
    fn max_frame_size(&self, case: &Value) -> Result<usize, String> {
        match case.get("limits").and_then(|l| l.get("maxFrameSize")) {
            None => Ok(self.default_max_frame_size as usize),
            Some(v) => v
                .as_u64()
                .map(|m| m as usize)
                .ok_or_else(|| format!("limits.maxFrameSize is not an unsigned integer: {v}")),
        }
    }
}

fn str_field<'a>(v: &'a Value, key: &str) -> Result<&'a str, String> {
    v.get(key)
        .and_then(Value::as_str)
        .ok_or_else(|| format!("missing or non-string field {key:?}"))
}

fn u8_field(v: &Value, key: &str) -> Result<u8, String> {
    v.get(key)
        .and_then(Value::as_u64)
        .filter(|n| *n <= 255)
        .map(|n| n as u8)
        .ok_or_else(|| format!("missing field {key:?} or not an integer 0..255"))
}

/// Header entries as raw (key, value) bytes, in wire order.
type RawHeaders = Vec<(Vec<u8>, Vec<u8>)>;

/// Expected (type, flags, headers, payload) of a valid case, as raw values.
struct Expected {
    typ: u8,
    flags: u8,
    headers: RawHeaders,
    payload: Vec<u8>,
}

fn parse_headers(v: &Value) -> Result<RawHeaders, String> {
    let arr = v.as_array().ok_or("headers is not an array")?;
    arr.iter()
        .enumerate()
        .map(|(i, h)| {
            let k = hex_decode(str_field(h, "keyHex").map_err(|e| format!("headers[{i}]: {e}"))?)
                .map_err(|e| format!("headers[{i}].keyHex: {e}"))?;
            let v = hex_decode(str_field(h, "valueHex").map_err(|e| format!("headers[{i}]: {e}"))?)
                .map_err(|e| format!("headers[{i}].valueHex: {e}"))?;
            Ok((k, v))
        })
        .collect()
}

fn parse_expected(frame: &Value) -> Result<Expected, String> {
    Ok(Expected {
        typ: u8_field(frame, "type").map_err(|e| format!("frame: {e}"))?,
        flags: u8_field(frame, "flags").map_err(|e| format!("frame: {e}"))?,
        headers: parse_headers(frame.get("headers").unwrap_or(&Value::Array(vec![])))
            .map_err(|e| format!("frame: {e}"))?,
        payload: hex_decode(str_field(frame, "payloadHex").map_err(|e| format!("frame: {e}"))?)
            .map_err(|e| format!("frame.payloadHex: {e}"))?,
    })
}

/// Apply a valid case's `crate` object (fields where the crate decodes differently).
fn apply_crate_overrides(mut e: Expected, c: &Value) -> Result<Expected, String> {
    let obj = c.as_object().ok_or("crate is not an object")?;
    for (k, v) in obj {
        match k.as_str() {
            "type" => e.typ = u8_field(c, "type").map_err(|e| format!("crate: {e}"))?,
            "flags" => e.flags = u8_field(c, "flags").map_err(|e| format!("crate: {e}"))?,
            "headers" => e.headers = parse_headers(v).map_err(|e| format!("crate: {e}"))?,
            "payloadHex" => {
                e.payload = hex_decode(v.as_str().ok_or("crate.payloadHex is not a string")?)
                    .map_err(|e| format!("crate.payloadHex: {e}"))?
            }
            other => return Err(format!("crate: unknown field {other:?}")),
        }
    }
    Ok(e)
}

/// Build the frame with the crate's types. `Err` if the crate cannot represent the type.
fn build_crate_frame(e: &Expected) -> Result<Frame, String> {
    let typ = FrameType::from_u8(e.typ)
        .ok_or_else(|| format!("crate cannot represent frame type {}", e.typ))?;
    let mut f = Frame::new(typ);
    // `Flags` is a bitflags 2.x type; from_bits_retain keeps undefined bits too, and
    // encode_frame writes `flags.bits()` unchanged.
    f.flags = Flags::from_bits_retain(e.flags);
    f.headers = e
        .headers
        .iter()
        .map(|(k, v)| Header::new(k.clone(), v.clone()))
        .collect();
    f.payload = e.payload.clone();
    Ok(f)
}

fn compare_frame(got: &Frame, want: &Expected, what: &str) -> Vec<String> {
    let mut errs = Vec::new();
    if got.version != 1 {
        errs.push(format!("{what}: version {} (want 1)", got.version));
    }
    if type_code(got.typ) != want.typ {
        errs.push(format!(
            "{what}: type {} (want {})",
            type_code(got.typ),
            want.typ
        ));
    }
    if got.flags.bits() != want.flags {
        errs.push(format!(
            "{what}: flags 0x{:02x} (want 0x{:02x})",
            got.flags.bits(),
            want.flags
        ));
    }
    if got.headers.len() != want.headers.len() {
        errs.push(format!(
            "{what}: {} headers (want {})",
            got.headers.len(),
            want.headers.len()
        ));
    }
    for (i, (g, (wk, wv))) in got.headers.iter().zip(&want.headers).enumerate() {
        if &g.key != wk || &g.value != wv {
            errs.push(format!(
                "{what}: header[{i}] {}={} (want {}={})",
                hex_short(&g.key),
                hex_short(&g.value),
                hex_short(wk),
                hex_short(wv)
            ));
        }
    }
    if got.payload != want.payload {
        errs.push(format!(
            "{what}: payload {} (want {})",
            hex_short(&got.payload),
            hex_short(&want.payload)
        ));
    }
    errs
}

fn step_detail(step: &Step) -> String {
    match step {
        Step::Frame(f) => format!(
            "Ok(Some): type {} flags 0x{:02x} {} header(s) payload {} byte(s)",
            type_code(f.typ),
            f.flags.bits(),
            f.headers.len(),
            f.payload.len()
        ),
        Step::NeedMore => "Ok(None)".to_string(),
        Step::Error(e) => format!("Err({e:?})"),
    }
}

/// All calls, e.g. "Ok(Some): ...; then Ok(None); 3 byte(s) left buffered".
fn decoded_detail(d: &Decoded) -> String {
    let steps: Vec<String> = d.steps.iter().map(step_detail).collect();
    format!(
        "{}; {} byte(s) left buffered",
        steps.join("; then "),
        d.left
    )
}

fn check_valid(ctx: &Ctx, case: &Value) -> Result<Vec<String>, String> {
    let wire = hex_decode(str_field(case, "hex")?).map_err(|e| format!("hex: {e}"))?;
    let frame = case.get("frame").ok_or("missing field \"frame\"")?;
    let want = parse_expected(frame)?;
    let max = ctx.max_frame_size(case)?;
    let mut errs = Vec::new();

    // (a) Encode: build the frame from the case's fields with the crate's types and encode it.
    match build_crate_frame(&want) {
        Err(e) => errs.push(format!("encode: {e}")),
        Ok(f) => match encode_frame(&f) {
            Err(e) => errs.push(format!("encode: crate returned Err({e:?})")),
            Ok(bytes) => {
                if bytes.as_ref() != wire.as_slice() {
                    errs.push(format!(
                        "encode: crate wrote {} (want {})",
                        hex_short(&bytes),
                        hex_short(&wire)
                    ));
                }
            }
        },
    }

    // (b) Decode `hex` with the crate and compare with `frame`, overridden by `crate`.
    let decoded = crate_decode(&wire, max);
    // A string `crate` on a valid case records a decoder outcome other than accepts.
    if let Some(Value::String(word)) = case.get("crate") {
        if decoded.word() != word {
            errs.push(format!(
                "decode: crate {} (vector says crate {word}): {}",
                decoded.word(),
                decoded_detail(&decoded)
            ));
        }
        if word != "accepts" {
            return Ok(errs);
        }
    }
    let want = match case.get("crate") {
        Some(c @ Value::Object(_)) => apply_crate_overrides(want, c)?,
        _ => want,
    };
    match decoded.steps.as_slice() {
        [Step::Frame(f)] if decoded.left == 0 => errs.extend(compare_frame(f, &want, "decode")),
        _ => errs.push(format!(
            "decode: expected exactly one frame using all bytes, crate gave {}",
            decoded_detail(&decoded)
        )),
    }
    Ok(errs)
}

fn check_invalid(ctx: &Ctx, case: &Value) -> Result<Vec<String>, String> {
    let wire = hex_decode(str_field(case, "hex")?).map_err(|e| format!("hex: {e}"))?;
    let want = str_field(case, "crate")?;
    if !matches!(want, "rejects" | "accepts" | "incomplete") {
        return Err(format!("crate is {want:?}, not rejects|accepts|incomplete"));
    }
    let max = ctx.max_frame_size(case)?;
    let decoded = crate_decode(&wire, max);
    if decoded.word() == want {
        Ok(vec![])
    } else {
        Ok(vec![format!(
            "crate {} but vector says crate {want} (v1 error {}): {}",
            decoded.word(),
            case.get("error").and_then(Value::as_str).unwrap_or("?"),
            decoded_detail(&decoded)
        )])
    }
}

fn verify_vectors(path: &str) -> ExitCode {
    let text = match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("error: cannot read {path}: {e}");
            return ExitCode::from(1);
        }
    };
    let doc: Value = match serde_json::from_str(&text) {
        Ok(v) => v,
        Err(e) => {
            eprintln!("error: {path} is not valid JSON: {e}");
            return ExitCode::from(1);
        }
    };
    if doc.get("valid").and_then(Value::as_array).is_none()
        && doc.get("invalid").and_then(Value::as_array).is_none()
    {
        eprintln!("error: {path} has neither a \"valid\" nor an \"invalid\" array");
        return ExitCode::from(1);
    }
    let default_max_frame_size = match doc.get("defaultLimits").and_then(|l| l.get("maxFrameSize"))
    {
        None => DEFAULT_MAX_FRAME_SIZE,
        Some(v) => match v.as_u64() {
            Some(m) => m,
            None => {
                eprintln!("error: defaultLimits.maxFrameSize is not an unsigned integer: {v}");
                return ExitCode::from(1);
            }
        },
    };
    let ctx = Ctx {
        default_max_frame_size,
    };

    let empty = Vec::new();
    let mut passed = 0usize;
    let mut failed = 0usize;
    for (kind, check) in [
        (
            "valid",
            check_valid as fn(&Ctx, &Value) -> Result<Vec<String>, String>,
        ),
        ("invalid", check_invalid),
    ] {
        let cases = doc.get(kind).and_then(Value::as_array).unwrap_or(&empty);
        for (i, case) in cases.iter().enumerate() {
            let name = case
                .get("name")
                .and_then(Value::as_str)
                .map(str::to_owned)
                .unwrap_or_else(|| format!("{kind}[{i}]"));
            let errs = match check(&ctx, case) {
                Ok(errs) => errs,
                Err(e) => vec![format!("malformed case: {e}")],
            };
            if errs.is_empty() {
                passed += 1;
            } else {
                failed += 1;
                println!("FAIL {kind} {name}: {}", errs.join("; "));
            }
        }
    }
    println!("{passed} passed, {failed} failed");
    if failed > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}
