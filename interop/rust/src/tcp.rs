//! Plaintext TCP interop with the real crate in both roles.
//!
//! * `tcp-echo-server [--max-seconds N]`: the crate's own `vstp::VstpTcpServer` (`bind`, `local_addr`,
//!   `accept`) and its per-connection handle `vstp::tcp::server::VstpTcpConnection` (`recv`, `send`). The
//!   crate's `run(handler)` is not used because its handler gets no connection handle and so cannot reply.
//! * `tcp-client HOST PORT COUNT [--hello] [--session-frames]`: the crate's own `vstp::VstpTcpClient`
//!   (`connect`, `send_hello`, `send`, `recv`, `close`).
//!
//! Only the crate's public API is called; no code of the crate is copied here. Diagnostics go to stderr so
//! that stdout carries only the contract lines (`listening ...`, `N ok`, `FAIL ...`).

use std::collections::HashMap;
use std::io::{Read, Write};
use std::process::ExitCode;
use std::time::Duration;

use vstp::{Frame, FrameType, VstpTcpClient, VstpTcpServer};

/// Overall deadline of `tcp-client`, connect included.
const CLIENT_TIMEOUT: Duration = Duration::from_secs(10);
/// Payload size of the one large frame the client sends (req-id `big`).
const BIG_PAYLOAD_LEN: usize = 100_000;
/// Most requests the client has in flight before it reads a reply, so that neither side can block
/// forever writing into a full socket buffer whatever COUNT is.
const CLIENT_WINDOW: usize = 32;

fn runtime() -> Result<tokio::runtime::Runtime, String> {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| format!("cannot start the tokio runtime: {e}"))
}

// ---------------------------------------------------------------------------------------------
// tcp-echo-server

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
            eprintln!("usage: vstp-interop tcp-echo-server [--max-seconds N]");
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
    // Connection tasks may still be running; do not wait for them.
    rt.shutdown_background();
    code
}

async fn echo_server(max_seconds: u64) -> ExitCode {
    let server = match VstpTcpServer::bind("127.0.0.1:0").await {
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

    let accept_loop = async move {
        loop {
            match server.accept().await {
                Ok(conn) => {
                    tokio::spawn(serve_connection(conn));
                }
                Err(e) => {
                    eprintln!("tcp-echo-server: accept failed: {e}");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                }
            }
        }
    };

    tokio::select! {
        _ = accept_loop => {}
        _ = tokio::time::sleep(Duration::from_secs(max_seconds)) => {
            eprintln!("tcp-echo-server: --max-seconds {max_seconds} reached, exiting");
        }
        _ = eof_rx => {
            eprintln!("tcp-echo-server: stdin closed, exiting");
        }
    }
    ExitCode::SUCCESS
}

/// DATA -> DATA and PING -> PONG, with the same headers in the same order and the same payload; every
/// other frame type is ignored. Ends at EOF or at the first receive/decode or send error (logged).
async fn serve_connection(mut conn: vstp::tcp::server::VstpTcpConnection) {
    let peer = conn.peer_addr();
    loop {
        let frame = match conn.recv().await {
            Ok(Some(f)) => f,
            Ok(None) => break,
            Err(e) => {
                eprintln!("tcp-echo-server: {peer}: receive failed, closing: {e}");
                break;
            }
        };
        let reply_type = match frame.typ {
            FrameType::Data => FrameType::Data,
            FrameType::Ping => FrameType::Pong,
            _ => continue,
        };
        let mut reply = Frame::new(reply_type).with_payload(frame.payload);
        reply.headers = frame.headers;
        if let Err(e) = conn.send(reply).await {
            eprintln!("tcp-echo-server: {peer}: send failed, closing: {e}");
            break;
        }
    }
}

// ---------------------------------------------------------------------------------------------
// tcp-client

/// Parses `HOST PORT COUNT`.
pub fn client_cmd(args: &[String]) -> ExitCode {
    let usage = || {
        eprintln!("usage: vstp-interop tcp-client HOST PORT COUNT [--hello] [--session-frames]");
        ExitCode::from(2)
    };
    let mut options = ClientOptions::default();
    let mut positional: Vec<&String> = Vec::new();
    for a in args {
        match a.as_str() {
            "--hello" => options.hello = true,
            "--session-frames" => options.session_frames = true,
            _ if a.starts_with("--") => return usage(),
            _ => positional.push(a),
        }
    }
    let [host, port, count] = positional.as_slice() else {
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
    let rt = match runtime() {
        Ok(rt) => rt,
        Err(e) => {
            println!("FAIL {e}");
            return ExitCode::from(1);
        }
    };
    let addr = if host.contains(':') && !host.starts_with('[') {
        format!("[{host}]:{port}")
    } else {
        format!("{host}:{port}")
    };
    let result = rt.block_on(async {
        match tokio::time::timeout(CLIENT_TIMEOUT, client(&addr, count, options)).await {
            Ok(r) => r,
            Err(_) => Err(format!(
                "timeout: no complete exchange with {addr} within {} s",
                CLIENT_TIMEOUT.as_secs()
            )),
        }
    });
    rt.shutdown_background();
    match result {
        Ok(n) => {
            println!("{n} ok");
            ExitCode::SUCCESS
        }
        Err(e) => {
            println!("FAIL {e}");
            ExitCode::from(1)
        }
    }
}

/// One request and what its reply must carry.
struct Expect {
    payload: Vec<u8>,
    content_type: Option<&'static str>,
}

/// What `tcp-client` sends besides its requests.
#[derive(Default, Clone, Copy)]
struct ClientOptions {
    /// Start with the crate's `send_hello()` (an empty HELLO), as the crate's examples and tests do.
    hello: bool,
    /// Halfway through, send an empty HELLO, WELCOME and ERR as ordinary frames: the crate's server hands
    /// them to its application, and the session goes on.
    session_frames: bool,
}

async fn client(addr: &str, count: u32, options: ClientOptions) -> Result<u32, String> {
    let mut client = VstpTcpClient::connect(addr)
        .await
        .map_err(|e| format!("connect {addr}: {e}"))?;
    if options.hello {
        client
            .send_hello()
            .await
            .map_err(|e| format!("send_hello failed: {e}"))?;
    }

    let mut requests: Vec<(String, Frame, Expect)> = Vec::with_capacity(count as usize + 1);
    for i in 1..=count {
        let payload = format!("interop message {i}").into_bytes();
        let frame = Frame::new(FrameType::Data)
            .with_header("req-id", &i.to_string())
            .with_header("content-type", "text/plain")
            .with_payload(payload.clone());
        requests.push((
            i.to_string(),
            frame,
            Expect { payload, content_type: Some("text/plain") },
        ));
    }
    let big: Vec<u8> = (0..BIG_PAYLOAD_LEN).map(|i| (i % 251) as u8).collect();
    requests.push((
        "big".to_string(),
        Frame::new(FrameType::Data).with_header("req-id", "big").with_payload(big.clone()),
        Expect { payload: big, content_type: None },
    ));
    let total = requests.len() as u32;

    let mut pending: HashMap<String, Expect> = HashMap::new();
    let mut received = 0u32;
    let halfway = requests.len() / 2;
    for (n, (id, frame, expect)) in requests.into_iter().enumerate() {
        if options.session_frames && n == halfway {
            let others = [
                Frame::new(FrameType::Hello),
                Frame::new(FrameType::Welcome).with_header("session-id", "crate"),
                Frame::new(FrameType::Err).with_payload(b"crate says err".to_vec()),
            ];
            for f in others {
                let t = f.typ;
                client
                    .send(f)
                    .await
                    .map_err(|e| format!("send of a {t:?} frame failed: {e}"))?;
            }
        }
        while pending.len() >= CLIENT_WINDOW {
            receive_one(&mut client, &mut pending, received, total).await?;
            received += 1;
        }
        client
            .send(frame)
            .await
            .map_err(|e| format!("send of req-id {id} failed: {e}"))?;
        pending.insert(id, expect);
    }
    while !pending.is_empty() {
        receive_one(&mut client, &mut pending, received, total).await?;
        received += 1;
    }

    // The crate's close() sends an empty BYE and then shuts down the write half. Failing to close after
    // every reply checked out is not an interop failure; report it on stderr only.
    if let Err(e) = client.close().await {
        eprintln!("tcp-client: close failed (all replies were already checked): {e}");
    }
    Ok(total)
}

/// Receives one reply, matches it to a pending request by its `req-id` header and checks it.
async fn receive_one(
    client: &mut VstpTcpClient,
    pending: &mut HashMap<String, Expect>,
    received: u32,
    total: u32,
) -> Result<(), String> {
    let frame = match client.recv().await {
        Ok(Some(f)) => f,
        Ok(None) => {
            return Err(format!(
                "connection closed by the server after {received} of {total} replies"
            ))
        }
        Err(e) => {
            return Err(format!(
                "receive failed after {received} of {total} replies: {e}"
            ))
        }
    };
    let req_ids: Vec<&[u8]> = frame
        .headers
        .iter()
        .filter(|h| h.key == b"req-id")
        .map(|h| h.value.as_slice())
        .collect();
    let id = match req_ids.as_slice() {
        [one] => String::from_utf8_lossy(one).into_owned(),
        [] => {
            return Err(format!(
                "reply {} (type {:?}, {} payload bytes) has no req-id header",
                received + 1,
                frame.typ,
                frame.payload.len()
            ))
        }
        _ => {
            return Err(format!(
                "reply {} has {} req-id headers",
                received + 1,
                req_ids.len()
            ))
        }
    };
    if frame.typ != FrameType::Data {
        return Err(format!("reply for req-id {id}: type {:?}, expected Data", frame.typ));
    }
    let Some(expect) = pending.remove(&id) else {
        return Err(format!(
            "reply with req-id {id:?} matches no outstanding request (unknown or duplicate)"
        ));
    };
    if frame.payload != expect.payload {
        let first_diff = frame
            .payload
            .iter()
            .zip(&expect.payload)
            .position(|(a, b)| a != b)
            .unwrap_or_else(|| frame.payload.len().min(expect.payload.len()));
        return Err(format!(
            "reply for req-id {id}: payload differs ({} bytes, expected {}; first difference at offset {})",
            frame.payload.len(),
            expect.payload.len(),
            first_diff
        ));
    }
    if let Some(ct) = expect.content_type {
        match frame.get_header("content-type") {
            Some(got) if got == ct => {}
            got => {
                return Err(format!(
                    "reply for req-id {id}: content-type header {got:?}, expected {ct:?}"
                ))
            }
        }
    }
    Ok(())
}
