//! UDP interop with the real crate in both roles.
//!
//! * `udp-echo-server [--max-seconds N]`: the crate's own `vstp::VstpUdpServer` (`bind`, `local_addr`,
//!   `recv`, `send`). The crate's `recv()` itself answers every received frame that has the REQ_ACK flag and
//!   a `msg-id` header parsing as u64 with `ACK{flags 00, headers [msg-id], payload empty}` *before* it
//!   returns the frame; this program adds nothing to that. It then echoes DATA frames.
//! * `udp-client HOST PORT COUNT`: the crate's own `vstp::VstpUdpClient` (`bind`, `send_with_ack`).
//!   `send_with_ack` appends the header `msg-id` (decimal, 1, 2, ... per client), sets REQ_ACK and waits for
//!   the matching ACK, retransmitting per the crate's default `UdpConfig`.
//!
//! 0.2.1 has no `VstpUdpServer::run` (its README, examples and tests call one; they do not compile against
//! the published crate). Only the crate's public API is called; no code of the crate is copied here.
//! Diagnostics go to stderr so that stdout carries only the contract lines (`listening ...`, `N acked`,
//! `FAIL ...`).

use std::io::{Read, Write};
use std::net::{SocketAddr, ToSocketAddrs};
use std::process::ExitCode;
use std::time::Duration;

use vstp::{Flags, Frame, FrameType, VstpError, VstpUdpClient, VstpUdpServer};

/// Overall deadline of `udp-client`.
const CLIENT_TIMEOUT: Duration = Duration::from_secs(10);

fn runtime() -> Result<tokio::runtime::Runtime, String> {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| format!("cannot start the tokio runtime: {e}"))
}

// ---------------------------------------------------------------------------------------------
// udp-echo-server

/// Parses `[--max-seconds N]`.
pub fn echo_server_cmd(args: &[String]) -> ExitCode {
    let max_seconds = match args {
        [] => 60u64,
        [flag, n] if flag == "--max-seconds" => match n.parse::<u64>() {
            Ok(n) => n,
            Err(e) => {
                eprintln!("error: --max-seconds: {e}");
                return ExitCode::from(2);
            }
        },
        _ => {
            eprintln!("usage: vstp-interop udp-echo-server [--max-seconds N]");
            return ExitCode::from(2);
        }
    };
    let rt = match runtime() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(1);
        }
    };
    let code = rt.block_on(echo_server(max_seconds));
    rt.shutdown_background();
    code
}

async fn echo_server(max_seconds: u64) -> ExitCode {
    let server = match VstpUdpServer::bind("127.0.0.1:0").await {
        Ok(s) => s,
        Err(e) => {
            eprintln!("error: bind 127.0.0.1:0: {e}");
            return ExitCode::from(1);
        }
    };
    let addr = match server.local_addr() {
        Ok(a) => a,
        Err(e) => {
            eprintln!("error: local_addr: {e}");
            return ExitCode::from(1);
        }
    };
    {
        let mut out = std::io::stdout().lock();
        if writeln!(out, "listening 127.0.0.1:{}", addr.port())
            .and_then(|_| out.flush())
            .is_err()
        {
            return ExitCode::from(1);
        }
    }

    // stdin EOF (the parent closed it) stops the server. A plain thread, not tokio's stdin, so that a
    // blocked read never holds up the runtime's shutdown.
    let (eof_tx, eof_rx) = tokio::sync::oneshot::channel::<()>();
    std::thread::spawn(move || {
        let mut sink = [0u8; 1024];
        let mut stdin = std::io::stdin().lock();
        loop {
            match stdin.read(&mut sink) {
                Ok(0) => break,
                Ok(_) => continue,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(_) => break,
            }
        }
        let _ = eof_tx.send(());
    });

    let mut received = 0u64;
    let mut echoed = 0u64;
    let serve = async {
        loop {
            // recv() has already sent the ACK (if REQ_ACK + msg-id) when it returns. It silently skips
            // datagrams that do not decode (including ones truncated by its 2400-byte buffer); it returns
            // Err for I/O errors and for reassembly errors (duplicate fragment, bad index, too many sessions).
            let (frame, from) = match server.recv().await {
                Ok(x) => x,
                Err(e) => {
                    eprintln!("udp-echo-server: recv error (continuing): {e}");
                    if matches!(e, VstpError::Io(_)) {
                        tokio::time::sleep(Duration::from_millis(10)).await;
                    }
                    continue;
                }
            };
            received += 1;
            if frame.typ != FrameType::Data {
                continue;
            }
            // Same headers in the same order (msg-id included), same payload, flags 00 (so never REQ_ACK
            // or FRAG). The crate's send() never fragments: replies over 2400 bytes cannot be received by a
            // crate client, and over 65507 bytes the send fails (logged).
            let mut reply = Frame::new(FrameType::Data).with_payload(frame.payload);
            reply.headers = frame.headers;
            match server.send(reply, from).await {
                Ok(()) => echoed += 1,
                Err(e) => eprintln!("udp-echo-server: send to {from} failed: {e}"),
            }
        }
    };

    tokio::select! {
        _ = serve => {}
        _ = tokio::time::sleep(Duration::from_secs(max_seconds)) => {
            eprintln!("udp-echo-server: --max-seconds {max_seconds} reached, exiting");
        }
        _ = eof_rx => {
            eprintln!("udp-echo-server: stdin closed, exiting");
        }
    }
    eprintln!("udp-echo-server: {received} frame(s) received, {echoed} DATA frame(s) echoed");
    ExitCode::SUCCESS
}

// ---------------------------------------------------------------------------------------------
// udp-client

/// Parses `HOST PORT COUNT`.
pub fn client_cmd(args: &[String]) -> ExitCode {
    let usage = || {
        eprintln!("usage: vstp-interop udp-client HOST PORT COUNT");
        ExitCode::from(2)
    };
    let [host, port, count] = args else {
        return usage();
    };
    let Ok(port) = port.parse::<u16>() else {
        eprintln!("error: PORT: not a port number: {port}");
        return usage();
    };
    let Ok(count) = count.parse::<u32>() else {
        eprintln!("error: COUNT: not a non-negative integer: {count}");
        return usage();
    };
    let host = host.trim_start_matches('[').trim_end_matches(']');
    let dest = match (host, port).to_socket_addrs().map(|mut a| a.next()) {
        Ok(Some(a)) => a,
        Ok(None) => {
            println!("FAIL cannot resolve {host}: no address");
            return ExitCode::from(1);
        }
        Err(e) => {
            println!("FAIL cannot resolve {host}: {e}");
            return ExitCode::from(1);
        }
    };
    let rt = match runtime() {
        Ok(rt) => rt,
        Err(e) => {
            println!("FAIL {e}");
            return ExitCode::from(1);
        }
    };
    let result = rt.block_on(async {
        match tokio::time::timeout(CLIENT_TIMEOUT, client(dest, count)).await {
            Ok(r) => r,
            Err(_) => Err(format!(
                "timeout: not every frame acknowledged by {dest} within {} s",
                CLIENT_TIMEOUT.as_secs()
            )),
        }
    });
    rt.shutdown_background();
    match result {
        Ok(n) => {
            println!("{n} acked");
            ExitCode::SUCCESS
        }
        Err(e) => {
            println!("FAIL {e}");
            ExitCode::from(1)
        }
    }
}

async fn client(dest: SocketAddr, count: u32) -> Result<u32, String> {
    // The crate's client socket must have the destination's address family.
    let local = if dest.is_ipv4() {
        "0.0.0.0:0"
    } else {
        "[::]:0"
    };
    let mut client = VstpUdpClient::bind(local)
        .await
        .map_err(|e| format!("bind {local}: {e}"))?;
    for i in 1..=count {
        // send_with_ack appends `msg-id: i` (its per-client counter starts at 1) and sets REQ_ACK itself;
        // the flag is set here as well so that the frame is a REQ_ACK frame whatever the API does. It sends
        // the frame, waits up to 2 s for ACK type 07 from exactly `dest` with a msg-id equal to i, and
        // retransmits up to 3 times (100/200/400 ms backoff). Other frames received meanwhile (echoes,
        // non-matching ACKs) are consumed and ignored by the crate.
        let frame = Frame::new(FrameType::Data)
            .with_flag(Flags::REQ_ACK)
            .with_payload(format!("udp message {i}").into_bytes());
        client.send_with_ack(frame, dest).await.map_err(|e| {
            format!(
                "frame {i} (msg-id {i}): no matching ACK (type 07 from {dest} with msg-id {i}) after the \
                 crate's retries: {e}"
            )
        })?;
    }
    Ok(count)
}

// ---------------------------------------------------------------------------------------------
// udp-echo-check

/// `udp-echo-check HOST PORT PAYLOAD_BYTES`: one DATA frame of PAYLOAD_BYTES payload bytes sent the crate's
/// reliable way (`send_with_ack`, msg-id 1) with the crate's fragmentation off (`UdpConfig::allow_frag = false`),
/// so it leaves as a single datagram whatever its size; then one `recv()`, which reads at most 2400 bytes.
/// Prints `echo N` when the reply is DATA with the same payload (N bytes), `err NAME MESSAGE` when it is ERR
/// (NAME from its `error` header), and `FAIL reason` (exit 1) for anything else or nothing within 3 s.
pub fn echo_check_cmd(args: &[String]) -> ExitCode {
    let [host, port, size] = args else {
        eprintln!("usage: vstp-interop udp-echo-check HOST PORT PAYLOAD_BYTES");
        return ExitCode::from(2);
    };
    let Ok(size) = size.parse::<usize>() else {
        eprintln!("usage: vstp-interop udp-echo-check HOST PORT PAYLOAD_BYTES");
        return ExitCode::from(2);
    };
    run_check(host, port, CLIENT_TIMEOUT, |dest| echo_check(dest, size))
}

/// Resolves HOST PORT, runs `check` within `limit` and prints its line (exit 0) or `FAIL reason` (exit 1).
fn run_check<F, Fut>(host: &str, port: &str, limit: Duration, check: F) -> ExitCode
where
    F: FnOnce(SocketAddr) -> Fut,
    Fut: std::future::Future<Output = Result<String, String>>,
{
    let Ok(port) = port.parse::<u16>() else {
        eprintln!("error: PORT: not a port number: {port}");
        return ExitCode::from(2);
    };
    let dest = match (host, port).to_socket_addrs().map(|mut a| a.next()) {
        Ok(Some(a)) => a,
        _ => {
            println!("FAIL cannot resolve {host}");
            return ExitCode::from(1);
        }
    };
    let rt = match runtime() {
        Ok(rt) => rt,
        Err(e) => {
            println!("FAIL {e}");
            return ExitCode::from(1);
        }
    };
    let result = rt.block_on(async {
        match tokio::time::timeout(limit, check(dest)).await {
            Ok(r) => r,
            Err(_) => Err(format!("no answer from {dest} within {} s", limit.as_secs())),
        }
    });
    rt.shutdown_background();
    match result {
        Ok(line) => {
            println!("{line}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            println!("FAIL {e}");
            ExitCode::from(1)
        }
    }
}

async fn echo_check(dest: SocketAddr, size: usize) -> Result<String, String> {
    let local = if dest.is_ipv4() { "0.0.0.0:0" } else { "[::]:0" };
    let config = vstp::udp::client::UdpConfig { allow_frag: false, ..Default::default() };
    let mut client = VstpUdpClient::bind_with_config(local, config)
        .await
        .map_err(|e| format!("bind {local}: {e}"))?;
    let payload: Vec<u8> = (0..size).map(|i| (i % 251) as u8).collect();
    let frame = Frame::new(FrameType::Data).with_payload(payload.clone());
    client
        .send_with_ack(frame, dest)
        .await
        .map_err(|e| format!("no ACK for the {size}-byte frame: {e}"))?;
    let (reply, from) = tokio::time::timeout(Duration::from_secs(3), client.recv())
        .await
        .map_err(|_| "no reply the crate could read within 3 s".to_string())?
        .map_err(|e| format!("recv failed: {e}"))?;
    if from != dest {
        return Err(format!("reply from {from}, expected {dest}"));
    }
    let frag = reply.headers.iter().any(|h| h.key.starts_with(b"vf-") || h.key.starts_with(b"frag-"));
    match reply.typ {
        FrameType::Data if frag => Err("the reply is a fragment the crate cannot join".to_string()),
        FrameType::Data if reply.payload == payload => Ok(format!("echo {}", reply.payload.len())),
        FrameType::Data => Err(format!("echo of {} bytes differs from the {size} sent", reply.payload.len())),
        FrameType::Err => {
            let name = reply
                .headers
                .iter()
                .find(|h| h.key == b"error")
                .map(|h| String::from_utf8_lossy(&h.value).into_owned())
                .unwrap_or_default();
            Ok(format!("err {name} {}", String::from_utf8_lossy(&reply.payload)))
        }
        t => Err(format!("reply of type {t:?}")),
    }
}

// ---------------------------------------------------------------------------------------------
// udp-ack-check

/// `udp-ack-check HOST PORT MSG_ID`: one DATA frame with REQ_ACK and the header `msg-id: MSG_ID` (the text as
/// given, e.g. 9223372036854775808), built with the crate's `Frame` and sent with its plain `send`, since
/// `send_with_ack` numbers frames from 1 itself; then `recv()` until an ACK comes from HOST:PORT. Prints
/// `acked N` (N: the ACK's msg-id parsed as the crate's client parses it, a u64) and exits 0 when it equals MSG_ID
/// read the same way; `FAIL reason` and exit 1 otherwise or when nothing comes within 3 s.
pub fn ack_check_cmd(args: &[String]) -> ExitCode {
    let [host, port, msg_id] = args else {
        eprintln!("usage: vstp-interop udp-ack-check HOST PORT MSG_ID");
        return ExitCode::from(2);
    };
    run_check(host, port, Duration::from_secs(3), |dest| async move {
        ack_check(dest, msg_id).await.map(|n| format!("acked {n}"))
    })
}

async fn ack_check(dest: SocketAddr, msg_id: &str) -> Result<u64, String> {
    let want: u64 = msg_id.parse().map_err(|e| format!("MSG_ID {msg_id} is not a u64: {e}"))?;
    let local = if dest.is_ipv4() { "0.0.0.0:0" } else { "[::]:0" };
    let mut client = VstpUdpClient::bind(local).await.map_err(|e| format!("bind {local}: {e}"))?;
    let frame = Frame::new(FrameType::Data)
        .with_flag(Flags::REQ_ACK)
        .with_header("msg-id", msg_id)
        .with_payload(b"ack me".to_vec());
    client.send(frame, dest).await.map_err(|e| format!("send failed: {e}"))?;
    loop {
        let (reply, from) = client.recv().await.map_err(|e| format!("recv failed: {e}"))?;
        if from != dest || reply.typ != FrameType::Ack {
            continue;
        }
        let got = reply
            .headers
            .iter()
            .find(|h| h.key == b"msg-id")
            .and_then(|h| std::str::from_utf8(&h.value).ok())
            .and_then(|v| v.parse::<u64>().ok());
        return match got {
            Some(n) if n == want => Ok(n),
            Some(n) => Err(format!("ACK for msg-id {n}, expected {want}")),
            None => Err("ACK without a u64 msg-id".to_string()),
        };
    }
}
