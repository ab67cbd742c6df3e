//! `bench`: the Rust crate's side of the loopback benchmark suite.
//!
//! One process runs a crate server **and** crate clients on 127.0.0.1 (tokio multi-thread runtime, 2 worker
//! threads: the benchmark machine has 2 cores), measures one workload and prints exactly one JSON line on stdout.
//! Progress and diagnostics go to stderr.
//!
//! Workloads (`--workload`):
//!
//! * `stream`: `--connections` `VstpTcpClient`s send DATA frames back to back (no response) to a
//!   `VstpTcpServer` that counts them. `frames` = what the server received in the window.
//! * `rr`: closed loop, `--concurrency` requests in flight per connection; the server echoes every DATA frame.
//!   Latency = send of a request to its response.
//! * `rr-rate`: open loop at `--rate` requests/s in total. Request i is due at start + i/R and its latency runs
//!   from that due time (not from when it was really sent), so a stalled sender cannot hide latency
//!   (coordinated omission). More than 10 000 requests outstanding stops the run: `"overloaded": true`.
//! * `udp`: `VstpUdpClient::send` of single-datagram DATA frames, as fast as it goes, to a `VstpUdpServer` that
//!   counts them; reports frames received per second and the loss.
//!
//! Every frame is DATA, flags 0, with exactly three headers (`topic: bench`,
//! `content-type: application/octet-stream`, `trace-id: 4bf92f3577b34da6`) and `--size` payload bytes. The crate
//! writes and checks a CRC-32 on every frame whatever the flags say, so no CRC flag is set.
//!
//! Only the crate's public API is called; what it costs to drive (copies, one write per frame, no split of a
//! TCP client into a reader and a writer, no TCP_NODELAY) is part of what is measured and is listed in the
//! JSON `detail` field.

use std::collections::VecDeque;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use hdrhistogram::Histogram;
use serde_json::{json, Value};
use tokio::time::{sleep_until, timeout_at, Instant};
use vstp::{
    encode_frame, Frame, FrameType, VstpTcpClient, VstpTcpServer, VstpUdpClient, VstpUdpServer,
};

const PEER: &str = "rust-crate";
/// The crate's TCP codec limit (`VstpFrameCodec::default()`): a larger frame is rejected by the receiver.
const TCP_MAX_FRAME: usize = 8 * 1024 * 1024;
/// The crate's UDP `MAX_DATAGRAM_SIZE`: a larger encoded frame is "fragmented" by `VstpUdpClient::send`, and
/// its fragmentation is broken (every fragment carries the whole payload; see docs/spec/udp.md), so the UDP
/// workload keeps every frame in one datagram.
const UDP_MAX_FRAME: usize = 1200;
/// rr-rate gives up (`"overloaded": true`) above this many requests outstanding in total.
const MAX_OUTSTANDING: u64 = 10_000;
/// After the window, how long rr-rate waits for the responses to requests that were due in the window, and how
/// long any client may be stuck in a send or receive before it is counted as an error and abandoned.
const GRACE: Duration = Duration::from_secs(2);
/// Hard stop: the whole run (set-up, warm-up, window, drain) must end within --duration + this.
const HARD_STOP_MARGIN: Duration = Duration::from_secs(10);
const SMOKE_DURATION: Duration = Duration::from_millis(200);
const DEFAULT_RATE: f64 = 10_000.0;

const USAGE: &str =
    "usage: vstp-interop bench --workload stream|rr|rr-rate|udp [--size BYTES] [--connections C] \
                     [--concurrency N] [--rate R] [--duration 5s|500ms] [--smoke]";

// ---------------------------------------------------------------------------------------------
// Options

#[derive(Clone, Copy, PartialEq, Eq)]
enum Workload {
    Stream,
    Rr,
    RrRate,
    Udp,
}

impl Workload {
    fn name(self) -> &'static str {
        match self {
            Workload::Stream => "stream",
            Workload::Rr => "rr",
            Workload::RrRate => "rr-rate",
            Workload::Udp => "udp",
        }
    }
}

struct Options {
    workload: Workload,
    size: usize,
    connections: usize,
    concurrency: usize,
    rate: f64,
    duration: Duration,
    warmup: Duration,
    smoke: bool,
}

fn parse_duration(s: &str) -> Result<Duration, String> {
    let (num, unit) = if let Some(n) = s.strip_suffix("ms") {
        (n, 1e-3)
    } else if let Some(n) = s.strip_suffix('s') {
        (n, 1.0)
    } else {
        (s, 1.0)
    };
    match num.parse::<f64>() {
        Ok(v) if v.is_finite() && v > 0.0 && v * unit <= 3600.0 => {
            Ok(Duration::from_secs_f64(v * unit))
        }
        _ => Err(format!(
            "--duration: expected e.g. 5s or 500ms (at most 1 h), got {s:?}"
        )),
    }
}

/// A byte count: a plain integer, or with a KiB / MiB suffix.
fn parse_size(s: &str) -> Result<usize, String> {
    let (num, mult) = if let Some(n) = s.strip_suffix("MiB") {
        (n, 1024 * 1024)
    } else if let Some(n) = s.strip_suffix("KiB") {
        (n, 1024)
    } else {
        (s, 1)
    };
    num.parse::<usize>()
        .ok()
        .and_then(|n| n.checked_mul(mult))
        .ok_or_else(|| {
            format!("--size: expected a byte count such as 64, 65536 or 1MiB, got {s:?}")
        })
}

fn parse_options(args: &[String]) -> Result<Options, String> {
    let mut workload = None;
    let mut size = 64usize;
    let mut connections = 1usize;
    let mut concurrency = 16usize;
    let mut rate = None;
    let mut duration = Duration::from_secs(5);
    let mut smoke = false;
    let mut it = args.iter();
    while let Some(flag) = it.next() {
        if flag == "--smoke" {
            smoke = true;
            continue;
        }
        let value = it.next().ok_or_else(|| format!("{flag}: missing value"))?;
        let count = |what: &str| -> Result<usize, String> {
            match value.parse::<usize>() {
                Ok(n) if (1..=10_000).contains(&n) => Ok(n),
                _ => Err(format!(
                    "{what}: expected an integer 1..10000, got {value:?}"
                )),
            }
        };
        match flag.as_str() {
            "--workload" => {
                workload = Some(match value.as_str() {
                    "stream" => Workload::Stream,
                    "rr" => Workload::Rr,
                    "rr-rate" => Workload::RrRate,
                    "udp" => Workload::Udp,
                    other => return Err(format!("--workload: unknown workload {other:?}")),
                })
            }
            "--size" => size = parse_size(value)?,
            "--connections" => connections = count("--connections")?,
            "--concurrency" => concurrency = count("--concurrency")?,
            "--rate" => match value.parse::<f64>() {
                Ok(r) if r.is_finite() && r > 0.0 => rate = Some(r),
                _ => return Err(format!("--rate: expected requests/s > 0, got {value:?}")),
            },
            "--duration" => duration = parse_duration(value)?,
            other => return Err(format!("unknown option {other:?}")),
        }
    }
    let workload = workload.ok_or("--workload is required")?;
    if smoke {
        duration = SMOKE_DURATION;
    }
    let opts = Options {
        workload,
        size,
        connections,
        concurrency,
        rate: rate.unwrap_or(DEFAULT_RATE),
        // A tenth of the window, at most 1 s.
        warmup: (duration / 10).min(Duration::from_secs(1)),
        duration,
        smoke,
    };
    // Refuse sizes the crate cannot carry rather than measure its failure. The frame is the 15 fixed bytes and
    // the headers (encoded once, without payload) plus the payload.
    let overhead = encode_frame(&bench_frame(0))
        .map_err(|e| e.to_string())?
        .len();
    let encoded = overhead.saturating_add(opts.size);
    let limit = if workload == Workload::Udp {
        UDP_MAX_FRAME
    } else {
        TCP_MAX_FRAME
    };
    if encoded > limit {
        return Err(format!(
            "--size {}: the frame would be {encoded} bytes, over the crate's {} limit of {limit} bytes \
             (--size at most {})",
            opts.size,
            if workload == Workload::Udp { "single-datagram" } else { "TCP codec" },
            limit - overhead
        ));
    }
    Ok(opts)
}

/// The frame every workload sends: DATA, flags 0, the three benchmark headers, `size` payload bytes.
fn bench_frame(size: usize) -> Frame {
    // A non-constant pattern so that nothing along the way can shortcut an all-zero payload.
    let payload: Vec<u8> = (0..size).map(|i| (i % 251) as u8).collect();
    Frame::new(FrameType::Data)
        .with_header("topic", "bench")
        .with_header("content-type", "application/octet-stream")
        .with_header("trace-id", "4bf92f3577b34da6")
        .with_payload(payload)
}

// ---------------------------------------------------------------------------------------------
// Entry point

pub fn bench_cmd(args: &[String]) -> std::process::ExitCode {
    let opts = match parse_options(args) {
        Ok(o) => o,
        Err(e) => {
            eprintln!("error: {e}\n{USAGE}");
            return std::process::ExitCode::from(2);
        }
    };

    // Hard stop: whatever hangs (a crate call that never returns, a runtime that does not shut down), the
    // process ends after duration + 10 s with a message and exit code 1. A normal run needs at most
    // warm-up (<= 1 s) + duration + GRACE (2 s) + set-up.
    let bound = opts.duration + HARD_STOP_MARGIN;
    std::thread::spawn(move || {
        std::thread::sleep(bound);
        eprintln!(
            "bench: hard stop: the run did not finish within {:.1} s",
            bound.as_secs_f64()
        );
        std::process::exit(1);
    });

    let rt = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: cannot start the tokio runtime: {e}");
            return std::process::ExitCode::from(1);
        }
    };
    eprintln!(
        "bench: {} size {} connections {}{}: warm-up {:.3} s, window {:.3} s{}",
        opts.workload.name(),
        opts.size,
        opts.connections,
        match opts.workload {
            Workload::Rr => format!(" concurrency {}", opts.concurrency),
            Workload::RrRate => format!(" rate {}/s", opts.rate),
            _ => String::new(),
        },
        opts.warmup.as_secs_f64(),
        opts.duration.as_secs_f64(),
        if opts.smoke { " (smoke)" } else { "" }
    );
    let result = rt.block_on(async {
        match opts.workload {
            Workload::Stream => run_stream(&opts).await,
            Workload::Rr => run_rr(&opts).await,
            Workload::RrRate => run_rr_rate(&opts).await,
            Workload::Udp => run_udp(&opts).await,
        }
    });
    // Client and server tasks may still be running (senders that never stop by themselves); they are dropped.
    rt.shutdown_background();

    match result {
        Ok(m) => {
            println!("{}", report_json(&opts, &m));
            if let Some(e) = &m.first_error {
                eprintln!("bench: {} error(s); first: {e}", m.errors);
            }
            if m.frames == 0 {
                eprintln!("bench: FAIL nothing was measured");
                return std::process::ExitCode::from(1);
            }
            eprintln!("bench: done");
            std::process::ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("bench: FAIL {e}");
            std::process::ExitCode::from(1)
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Shared measurement state

/// The run's time line, fixed once every connection is set up, so that set-up is neither warm-up nor window.
#[derive(Clone, Copy)]
struct Timeline {
    /// Warm-up starts (and rr-rate's request 0 is due).
    t0: Instant,
    /// Window [start, end).
    start: Instant,
    end: Instant,
}

impl Timeline {
    fn new(o: &Options) -> Self {
        let t0 = Instant::now();
        Timeline {
            t0,
            start: t0 + o.warmup,
            end: t0 + o.warmup + o.duration,
        }
    }

    fn in_window(&self, t: Instant) -> bool {
        t >= self.start && t < self.end
    }
}

/// Counters shared by all tasks. Atomics, so the main task can read them at the window's edges.
#[derive(Default)]
struct Counters {
    /// Frames and payload bytes the server received (stream, udp).
    server_frames: AtomicU64,
    server_bytes: AtomicU64,
    /// Frames the clients handed to the crate's send (stream, udp).
    sent: AtomicU64,
    errors: AtomicU64,
    first_error: Mutex<Option<String>>,
    /// Set once the errors were read for the report: what happens after that (connections torn down at
    /// the end of the run) is not an error of the measurement.
    finished: AtomicBool,
}

impl Counters {
    /// Counts an error; the first few are also printed on stderr.
    fn error(&self, what: String) {
        if self.finished.load(Ordering::Relaxed) {
            return;
        }
        let n = self.errors.fetch_add(1, Ordering::Relaxed);
        if n < 5 {
            eprintln!("bench: error: {what}");
        }
        let mut first = self.first_error.lock().unwrap();
        if first.is_none() {
            *first = Some(what);
        }
    }

    /// Ends error counting and returns the count and the first error.
    fn finish(&self) -> (u64, Option<String>) {
        self.finished.store(true, Ordering::Relaxed);
        (
            self.errors.load(Ordering::Relaxed),
            self.first_error.lock().unwrap().clone(),
        )
    }
}

fn cpu_seconds() -> f64 {
    // SAFETY: getrusage only writes into the struct it is given.
    let mut ru: libc::rusage = unsafe { std::mem::zeroed() };
    if unsafe { libc::getrusage(libc::RUSAGE_SELF, &mut ru) } != 0 {
        return f64::NAN;
    }
    let tv = |t: libc::timeval| t.tv_sec as f64 + t.tv_usec as f64 / 1e6;
    tv(ru.ru_utime) + tv(ru.ru_stime)
}

fn new_histogram() -> Histogram<u64> {
    // Nanoseconds, 1 ns .. 1 h, 3 significant digits.
    Histogram::new_with_bounds(1, 3_600_000_000_000, 3).expect("valid histogram bounds")
}

fn nanos(d: Duration) -> u64 {
    u64::try_from(d.as_nanos()).unwrap_or(u64::MAX).max(1)
}

/// What a workload measured.
struct Measured {
    frames: u64,
    payload_bytes: u64,
    seconds: f64,
    cpu_seconds: f64,
    sent: u64,
    errors: u64,
    first_error: Option<String>,
    latency: Option<Histogram<u64>>,
    overloaded: bool,
    detail: String,
}

/// CPU time and instant at one edge of the window.
struct Edge {
    at: Instant,
    cpu: f64,
}

impl Edge {
    fn now() -> Self {
        Edge {
            at: Instant::now(),
            cpu: cpu_seconds(),
        }
    }
}

// ---------------------------------------------------------------------------------------------
// TCP: server and connection set-up

const TCP_DETAIL: &str = "vstp 0.2.1 (crate) tcp plaintext; frames DATA flags 0 + 3 headers, CRC-32 (crc-any, \
     table-driven, ~0.4 GB/s here) always written and checked by the crate (no flag needed), most of the CPU for \
     large frames; no TCP_NODELAY (the crate sets none and exposes no socket: Nagle on, so request/response sees \
     Nagle + delayed-ACK stalls of ~1 ms and up to ~40 ms); \
     VstpTcpClient::send and VstpTcpConnection::send = SinkExt::send = encode + flush, so at least one write syscall \
     per frame, no batching; send takes the Frame by value, so every send clones the template (7 allocations + a \
     payload copy), then encode_frame copies headers and payload into a fresh buffer and the codec copies that into \
     the write buffer; recv copies the payload and every header key/value out of the read buffer into Vecs";

/// Binds a `VstpTcpServer` on 127.0.0.1:0 and serves every connection in its own task with the crate's
/// `accept()` + `VstpTcpConnection::recv/send` (the crate's `run()` gives its handler no way to reply).
async fn start_tcp_server(echo: bool, counters: Arc<Counters>) -> Result<String, String> {
    let server = VstpTcpServer::bind("127.0.0.1:0")
        .await
        .map_err(|e| format!("bind 127.0.0.1:0: {e}"))?;
    let addr = server
        .local_addr()
        .map_err(|e| format!("local_addr: {e}"))?
        .to_string();
    tokio::spawn(async move {
        loop {
            match server.accept().await {
                Ok(conn) => {
                    tokio::spawn(serve_tcp_connection(conn, echo, counters.clone()));
                }
                Err(e) => {
                    counters.error(format!("server accept: {e}"));
                    tokio::time::sleep(Duration::from_millis(10)).await;
                }
            }
        }
    });
    Ok(addr)
}

async fn serve_tcp_connection(
    mut conn: vstp::tcp::server::VstpTcpConnection,
    echo: bool,
    counters: Arc<Counters>,
) {
    loop {
        match conn.recv().await {
            Ok(Some(frame)) => {
                counters.server_frames.fetch_add(1, Ordering::Relaxed);
                counters
                    .server_bytes
                    .fetch_add(frame.payload.len() as u64, Ordering::Relaxed);
                // The echo is the received frame itself: same type, headers (in order) and payload; the
                // decoded flags are 0. send() flushes, so the server writes once per reply.
                if echo && frame.typ == FrameType::Data {
                    if let Err(e) = conn.send(frame).await {
                        counters.error(format!("server send: {e}"));
                        return;
                    }
                }
            }
            // The client closed (the benchmark ended and dropped it).
            Ok(None) => return,
            Err(e) => {
                counters.error(format!("server recv/decode: {e}"));
                return;
            }
        }
    }
}

/// Connects all clients before the time line starts, so connection set-up is not measured. A failed
/// connection is counted as an error; the run goes on with the others.
async fn connect_clients(
    addr: &str,
    n: usize,
    counters: &Counters,
) -> Result<Vec<VstpTcpClient>, String> {
    let mut clients = Vec::with_capacity(n);
    for i in 0..n {
        match VstpTcpClient::connect(addr).await {
            Ok(c) => clients.push(c),
            Err(e) => counters.error(format!("connect {i} to {addr}: {e}")),
        }
    }
    if clients.is_empty() {
        return Err(format!("no client could connect to {addr}"));
    }
    Ok(clients)
}

// ---------------------------------------------------------------------------------------------
// stream

async fn run_stream(o: &Options) -> Result<Measured, String> {
    let counters = Arc::new(Counters::default());
    let addr = start_tcp_server(false, counters.clone()).await?;
    let clients = connect_clients(&addr, o.connections, &counters).await?;
    let template = bench_frame(o.size);
    let stop = Arc::new(AtomicBool::new(false));
    let tl = Timeline::new(o);
    for mut client in clients {
        let (template, stop, counters) = (template.clone(), stop.clone(), counters.clone());
        tokio::spawn(async move {
            // As fast as the crate allows: each send returns once the frame was written to the socket.
            while !stop.load(Ordering::Relaxed) {
                if let Err(e) = client.send(template.clone()).await {
                    counters.error(format!("client send: {e}"));
                    return;
                }
                counters.sent.fetch_add(1, Ordering::Relaxed);
            }
        });
    }
    let (a, b, sent) = measure_counters(&tl, &counters).await;
    let (errors, first_error) = counters.finish();
    stop.store(true, Ordering::Relaxed);
    Ok(Measured {
        frames: b.0 - a.0,
        payload_bytes: b.1 - a.1,
        seconds: (b.2.at - a.2.at).as_secs_f64(),
        cpu_seconds: b.2.cpu - a.2.cpu,
        sent,
        errors,
        first_error,
        latency: None,
        overloaded: false,
        detail: format!(
            "{TCP_DETAIL}; stream: {} client task(s), one per connection, each looping on send; server counts \
             frames in recv, one task per connection",
            o.connections
        ),
    })
}

/// Reads the server counters at the window's start and end (after sleeping until each). Returns
/// (frames, bytes, edge) at both edges and the frames sent in the window.
async fn measure_counters(
    tl: &Timeline,
    c: &Counters,
) -> ((u64, u64, Edge), (u64, u64, Edge), u64) {
    let snap = || {
        (
            c.server_frames.load(Ordering::Relaxed),
            c.server_bytes.load(Ordering::Relaxed),
            c.sent.load(Ordering::Relaxed),
        )
    };
    sleep_until(tl.start).await;
    let edge_a = Edge::now();
    let a = snap();
    eprintln!("bench: warm-up done, measuring");
    sleep_until(tl.end).await;
    let edge_b = Edge::now();
    let b = snap();
    ((a.0, a.1, edge_a), (b.0, b.1, edge_b), b.2 - a.2)
}

// ---------------------------------------------------------------------------------------------
// rr: closed loop

/// What one request/response client measured.
struct ClientResult {
    /// The connection, kept open until the report's errors are read: dropping it while the server still
    /// echoes would show up as a server-side "broken pipe" error.
    conn: Option<VstpTcpClient>,
    hist: Histogram<u64>,
    /// Responses that count (arrived in the window for rr; request due in the window for rr-rate).
    frames: u64,
    /// Requests sent in the window (rr-rate: requests due in the window that were sent).
    sent: u64,
}

impl ClientResult {
    fn new() -> Self {
        ClientResult {
            conn: None,
            hist: new_histogram(),
            frames: 0,
            sent: 0,
        }
    }
}

/// Checks that a response is the echo of a benchmark request.
fn check_echo(f: &Frame, size: usize) -> Result<(), String> {
    if f.typ != FrameType::Data || f.payload.len() != size || f.headers.len() != 3 {
        return Err(format!(
            "unexpected response: type {:?}, {} header(s), {} payload bytes (want Data, 3, {size})",
            f.typ,
            f.headers.len(),
            f.payload.len()
        ));
    }
    Ok(())
}

async fn run_rr(o: &Options) -> Result<Measured, String> {
    let counters = Arc::new(Counters::default());
    let addr = start_tcp_server(true, counters.clone()).await?;
    let clients = connect_clients(&addr, o.connections, &counters).await?;
    let template = bench_frame(o.size);
    let tl = Timeline::new(o);
    let tasks: Vec<_> = clients
        .into_iter()
        .map(|c| {
            tokio::spawn(rr_client(
                c,
                o.concurrency,
                o.size,
                tl,
                template.clone(),
                counters.clone(),
            ))
        })
        .collect();
    sleep_until(tl.start).await;
    let a = Edge::now();
    eprintln!("bench: warm-up done, measuring");
    sleep_until(tl.end).await;
    let b = Edge::now();
    let (hist, frames, sent, conns) = join_clients(tasks, &counters).await;
    let (errors, first_error) = counters.finish();
    drop(conns);
    Ok(Measured {
        frames,
        payload_bytes: frames * o.size as u64,
        seconds: o.duration.as_secs_f64(),
        cpu_seconds: b.cpu - a.cpu,
        sent,
        errors,
        first_error,
        latency: Some(hist),
        overloaded: false,
        detail: format!(
            "{TCP_DETAIL}; rr: VstpTcpClient has no reader/writer split (send and recv both take &mut self), so \
             one task per connection alternates: it tops up to {} requests (written back to back), then reads one \
             response; requests are pipelined on the wire but the client never reads while it writes (concurrency x \
             size beyond what both socket buffers hold could deadlock; not seen with 16 x 1 MiB on loopback, and \
             caught by the stall timeout); \
             responses matched FIFO (the server answers in order); server echo = recv + send (flush) per frame",
            o.concurrency
        ),
    })
}

async fn rr_client(
    client: VstpTcpClient,
    concurrency: usize,
    size: usize,
    tl: Timeline,
    template: Frame,
    counters: Arc<Counters>,
) -> ClientResult {
    let mut res = ClientResult::new();
    let client = res.conn.insert(client);
    // Send instants of the requests in flight, oldest first.
    let mut in_flight: VecDeque<Instant> = VecDeque::with_capacity(concurrency);
    // No send or receive may block past this (a stalled connection ends the task with an error).
    let stall = tl.end + GRACE;
    loop {
        while in_flight.len() < concurrency {
            let frame = template.clone();
            let t0 = Instant::now();
            if t0 >= tl.end {
                return res;
            }
            if !send_before(client, frame, stall, &counters).await {
                return res;
            }
            in_flight.push_back(t0);
            if tl.in_window(t0) {
                res.sent += 1;
            }
        }
        let frame = match timeout_at(stall, client.recv()).await {
            Ok(Ok(Some(f))) => f,
            Ok(Ok(None)) => {
                counters.error("connection closed by the server".to_string());
                return res;
            }
            Ok(Err(e)) => {
                counters.error(format!("client recv/decode: {e}"));
                return res;
            }
            Err(_) => {
                counters.error(format!(
                    "no response within {} s after the window ({} in flight)",
                    GRACE.as_secs(),
                    in_flight.len()
                ));
                return res;
            }
        };
        let now = Instant::now();
        let t0 = in_flight
            .pop_front()
            .expect("a response implies a request in flight");
        if let Err(e) = check_echo(&frame, size) {
            counters.error(e);
        } else if tl.in_window(now) {
            res.hist.saturating_record(nanos(now - t0));
            res.frames += 1;
        }
        if now >= tl.end {
            return res;
        }
    }
}

/// Waits for the client tasks (each ends by itself within the grace period) and merges their results.
async fn join_clients(
    tasks: Vec<tokio::task::JoinHandle<ClientResult>>,
    counters: &Counters,
) -> (Histogram<u64>, u64, u64, Vec<VstpTcpClient>) {
    let mut hist = new_histogram();
    let (mut frames, mut sent, mut conns) = (0, 0, Vec::new());
    for t in tasks {
        match t.await {
            Ok(r) => {
                hist.add(&r.hist).expect("histograms with the same bounds");
                frames += r.frames;
                sent += r.sent;
                conns.extend(r.conn);
            }
            Err(e) => counters.error(format!("client task failed: {e}")),
        }
    }
    (hist, frames, sent, conns)
}

// ---------------------------------------------------------------------------------------------
// rr-rate: open loop at a fixed rate

/// State shared by the pacer and the rr-rate clients.
#[derive(Default)]
struct RateShared {
    /// Requests issued (due) and not yet answered, all connections.
    outstanding: AtomicU64,
    overloaded: AtomicBool,
}

/// A request that is due: when it was due, and whether that was in the window.
type Due = (Instant, bool);

async fn run_rr_rate(o: &Options) -> Result<Measured, String> {
    let counters = Arc::new(Counters::default());
    let addr = start_tcp_server(true, counters.clone()).await?;
    let clients = connect_clients(&addr, o.connections, &counters).await?;
    let n = clients.len();
    let template = bench_frame(o.size);
    let shared = Arc::new(RateShared::default());
    let tl = Timeline::new(o);
    let mut queues = Vec::with_capacity(n);
    let tasks: Vec<_> = clients
        .into_iter()
        .map(|c| {
            let (tx, rx) = tokio::sync::mpsc::unbounded_channel::<Due>();
            queues.push(tx);
            tokio::spawn(rate_client(
                c,
                rx,
                o.size,
                tl,
                template.clone(),
                shared.clone(),
                counters.clone(),
            ))
        })
        .collect();
    let pacer = {
        let (shared, rate) = (shared.clone(), o.rate);
        std::thread::spawn(move || pace(queues, rate, tl, &shared))
    };
    sleep_until(tl.start).await;
    let a = Edge::now();
    eprintln!("bench: warm-up done, measuring");
    sleep_until(tl.end).await;
    let b = Edge::now();
    let (hist, frames, sent, conns) = join_clients(tasks, &counters).await;
    let (errors, first_error) = counters.finish();
    drop(conns);
    // The pacer stops at the window's end (or on overload); it has nothing left to wait for.
    let _ = pacer.join();
    let overloaded = shared.overloaded.load(Ordering::Relaxed);
    if overloaded {
        eprintln!("bench: overloaded: more than {MAX_OUTSTANDING} requests outstanding, stopped");
    }
    Ok(Measured {
        frames,
        payload_bytes: frames * o.size as u64,
        seconds: o.duration.as_secs_f64(),
        cpu_seconds: b.cpu - a.cpu,
        sent,
        errors,
        first_error,
        latency: Some(hist),
        overloaded,
        detail: format!(
            "{TCP_DETAIL}; rr-rate: request i due at start + i/R, round-robin over {n} connection(s); a pacer \
             thread (std::thread::sleep; tokio's timer has only 1 ms resolution) hands each request to its \
             connection's task when due, and the task sends it or reads a response, whichever is ready (one at a \
             time: no reader/writer split, and a crate send is not cancel-safe, so it always runs to the end); \
             latency from the due time; frames = responses to requests due in the window (waited for up to {} s \
             after it)",
            GRACE.as_secs()
        ),
    })
}

/// The pacer (a plain thread): issues request i at its due time start + i/R to connection i mod n. It never
/// waits for a response, so the offered rate holds however slow the responses are; a request whose
/// connection is busy waits in that connection's queue, its latency already running. Stops at the window's
/// end, or when more than MAX_OUTSTANDING requests are unanswered.
fn pace(
    queues: Vec<tokio::sync::mpsc::UnboundedSender<Due>>,
    rate: f64,
    tl: Timeline,
    shared: &RateShared,
) {
    // The default 50 us timer slack would let every sleep overshoot by that much.
    // SAFETY: PR_SET_TIMERSLACK only changes this thread's timer slack.
    unsafe { libc::prctl(libc::PR_SET_TIMERSLACK, 1 as libc::c_ulong) };
    let (t0, end) = (tl.t0.into_std(), tl.end.into_std());
    for i in 0u64.. {
        let due = t0 + Duration::from_secs_f64(i as f64 / rate);
        if due >= end {
            return;
        }
        let now = std::time::Instant::now();
        if due > now {
            // Wakes up some tens of microseconds late; requests due meanwhile then go out at once.
            std::thread::sleep(due - now);
        }
        if shared.outstanding.fetch_add(1, Ordering::Relaxed) + 1 > MAX_OUTSTANDING {
            shared.overloaded.store(true, Ordering::Relaxed);
            return;
        }
        let due = Instant::from_std(due);
        // A closed queue: that connection failed (already counted as an error).
        if queues[(i % queues.len() as u64) as usize]
            .send((due, tl.in_window(due)))
            .is_err()
        {
            shared.outstanding.fetch_sub(1, Ordering::Relaxed);
        }
    }
}

async fn rate_client(
    client: VstpTcpClient,
    mut due_rx: tokio::sync::mpsc::UnboundedReceiver<Due>,
    size: usize,
    tl: Timeline,
    template: Frame,
    shared: Arc<RateShared>,
    counters: Arc<Counters>,
) -> ClientResult {
    let mut res = ClientResult::new();
    let client = res.conn.insert(client);
    // Due instants of the requests sent and not answered, oldest first (the server answers in order).
    let mut in_flight: VecDeque<Due> = VecDeque::new();
    let drain_deadline = tl.end + GRACE;
    // Until the pacer is done: send each request as it becomes due, read responses in between. The crate's
    // client cannot do both at once (send and recv both take &mut self), so select! picks one; recv and the
    // queue are cancel-safe, and the chosen send is awaited to its end.
    let mut pacing = true;
    while pacing {
        if shared.overloaded.load(Ordering::Relaxed) {
            return res;
        }
        tokio::select! {
            r = client.recv(), if !in_flight.is_empty() => {
                let Some(frame) = received(r, &counters) else { return res };
                on_response(frame, &mut in_flight, &mut res.hist, &mut res.frames, size, &shared, &counters);
            }
            due = due_rx.recv() => match due {
                Some(due) => {
                    if !send_before(client, template.clone(), drain_deadline, &counters).await {
                        return res;
                    }
                    in_flight.push_back(due);
                    if due.1 {
                        res.sent += 1;
                    }
                }
                None => pacing = false,
            },
        }
    }
    if shared.overloaded.load(Ordering::Relaxed) {
        return res;
    }
    // Drain: the responses to requests due in the window count, however late (up to the grace period).
    while !in_flight.is_empty() {
        match timeout_at(drain_deadline, client.recv()).await {
            Ok(r) => {
                let Some(frame) = received(r, &counters) else {
                    return res;
                };
                on_response(
                    frame,
                    &mut in_flight,
                    &mut res.hist,
                    &mut res.frames,
                    size,
                    &shared,
                    &counters,
                );
            }
            Err(_) => {
                let missing = in_flight.iter().filter(|(_, w)| *w).count();
                if missing > 0 {
                    counters.error(format!(
                        "{missing} request(s) due in the window unanswered {} s after it",
                        GRACE.as_secs()
                    ));
                }
                return res;
            }
        }
    }
    res
}

/// A received frame, or None (error counted) when the connection failed or closed.
/// Sends one frame unless that blocks past `deadline`; a failure or a stall is counted as an error and ends the
/// caller's loop (false).
async fn send_before(client: &mut VstpTcpClient, frame: Frame, deadline: Instant, counters: &Counters) -> bool {
    match timeout_at(deadline, client.send(frame)).await {
        Ok(Ok(())) => true,
        Ok(Err(e)) => {
            counters.error(format!("client send: {e}"));
            false
        }
        Err(_) => {
            counters.error("client send stalled past the window".to_string());
            false
        }
    }
}

fn received(r: Result<Option<Frame>, vstp::VstpError>, counters: &Counters) -> Option<Frame> {
    match r {
        Ok(Some(f)) => Some(f),
        Ok(None) => {
            counters.error("connection closed by the server".to_string());
            None
        }
        Err(e) => {
            counters.error(format!("client recv/decode: {e}"));
            None
        }
    }
}

/// Matches a response to the oldest request in flight and records its latency from the due time.
fn on_response(
    frame: Frame,
    in_flight: &mut VecDeque<Due>,
    hist: &mut Histogram<u64>,
    frames: &mut u64,
    size: usize,
    shared: &RateShared,
    counters: &Counters,
) {
    let now = Instant::now();
    let Some((due, in_window)) = in_flight.pop_front() else {
        counters.error("response without a request in flight".to_string());
        return;
    };
    shared.outstanding.fetch_sub(1, Ordering::Relaxed);
    if let Err(e) = check_echo(&frame, size) {
        counters.error(e);
    } else if in_window {
        hist.saturating_record(nanos(now - due));
        *frames += 1;
    }
}

// ---------------------------------------------------------------------------------------------
// udp

async fn run_udp(o: &Options) -> Result<Measured, String> {
    let counters = Arc::new(Counters::default());
    let server = VstpUdpServer::bind("127.0.0.1:0")
        .await
        .map_err(|e| format!("udp bind 127.0.0.1:0: {e}"))?;
    let dest: SocketAddr = server
        .local_addr()
        .map_err(|e| format!("local_addr: {e}"))?;
    {
        let counters = counters.clone();
        tokio::spawn(async move {
            loop {
                // recv() skips datagrams that do not decode; Err is an I/O or reassembly error.
                match server.recv().await {
                    Ok((frame, _from)) => {
                        counters.server_frames.fetch_add(1, Ordering::Relaxed);
                        counters
                            .server_bytes
                            .fetch_add(frame.payload.len() as u64, Ordering::Relaxed);
                    }
                    Err(e) => counters.error(format!("udp server recv: {e}")),
                }
            }
        });
    }
    let mut clients = Vec::with_capacity(o.connections);
    for i in 0..o.connections {
        match VstpUdpClient::bind("127.0.0.1:0").await {
            Ok(c) => clients.push(c),
            Err(e) => counters.error(format!("udp client {i} bind: {e}")),
        }
    }
    if clients.is_empty() {
        return Err("no UDP client could bind".to_string());
    }
    let template = bench_frame(o.size);
    let datagram = encode_frame(&template).map_err(|e| e.to_string())?.len();
    let stop = Arc::new(AtomicBool::new(false));
    let tl = Timeline::new(o);
    for client in clients {
        let (template, stop, counters) = (template.clone(), stop.clone(), counters.clone());
        tokio::spawn(async move {
            // No REQ_ACK: plain send(), one send_to per frame, nothing comes back.
            while !stop.load(Ordering::Relaxed) {
                match client.send(template.clone(), dest).await {
                    Ok(()) => {
                        counters.sent.fetch_add(1, Ordering::Relaxed);
                    }
                    Err(e) => {
                        counters.error(format!("udp client send: {e}"));
                        // Keep going (e.g. a transient ENOBUFS), without spinning on a hard failure.
                        tokio::time::sleep(Duration::from_millis(1)).await;
                    }
                }
            }
        });
    }
    let (a, b, sent) = measure_counters(&tl, &counters).await;
    let (errors, first_error) = counters.finish();
    stop.store(true, Ordering::Relaxed);
    let frames = b.0 - a.0;
    Ok(Measured {
        frames,
        payload_bytes: b.1 - a.1,
        seconds: (b.2.at - a.2.at).as_secs_f64(),
        cpu_seconds: b.2.cpu - a.2.cpu,
        sent,
        errors,
        first_error,
        latency: None,
        overloaded: false,
        detail: format!(
            "vstp 0.2.1 (crate) udp plaintext; {} VstpUdpClient(s) send {datagram}-byte single-datagram DATA frames \
             (flags 0, no REQ_ACK so no ACKs, CRC-32 always written and checked) without pacing; one send_to per \
             frame, and send takes the Frame by value (a clone per send); one VstpUdpServer task: recv allocates \
             and zeroes a 2400-byte buffer and copies each datagram again before decoding, one recv_from per frame, \
             no batching; frames over the crate's 1200-byte MAX_DATAGRAM_SIZE would be fragmented (broken), so \
             --size is limited to one datagram; loss = sent - received in the same window (datagrams dropped by the \
             full socket buffer of the server)",
            o.connections
        ),
    })
}

// ---------------------------------------------------------------------------------------------
// Report

fn round(v: f64, decimals: i32) -> Value {
    if !v.is_finite() {
        return Value::Null;
    }
    if decimals == 0 {
        return json!(v.round() as u64);
    }
    let p = 10f64.powi(decimals);
    json!((v * p).round() / p)
}

fn report_json(o: &Options, m: &Measured) -> String {
    let per_s = |n: f64| {
        if m.seconds > 0.0 {
            n / m.seconds
        } else {
            f64::NAN
        }
    };
    let fps = per_s(m.frames as f64);
    let rr = matches!(o.workload, Workload::Rr | Workload::RrRate);
    let latency = match &m.latency {
        Some(h) if !h.is_empty() => {
            let us = |ns: u64| round(ns as f64 / 1000.0, 1);
            json!({
                "p50": us(h.value_at_quantile(0.50)),
                "p90": us(h.value_at_quantile(0.90)),
                "p99": us(h.value_at_quantile(0.99)),
                "p999": us(h.value_at_quantile(0.999)),
                "max": us(h.max()),
            })
        }
        _ => Value::Null,
    };
    // Field order as documented (serde_json's own maps would sort the keys).
    let mut fields: Vec<(&str, Value)> = vec![
        ("peer", json!(PEER)),
        ("workload", json!(o.workload.name())),
        ("size", json!(o.size)),
        ("connections", json!(o.connections)),
        (
            "concurrency",
            if o.workload == Workload::Rr {
                json!(o.concurrency)
            } else {
                Value::Null
            },
        ),
        (
            "offered_rate",
            if o.workload == Workload::RrRate {
                json!(o.rate)
            } else {
                Value::Null
            },
        ),
        ("frames", json!(m.frames)),
        ("seconds", round(m.seconds, 6)),
        ("frames_per_second", round(fps, 1)),
        ("bytes_per_second", round(per_s(m.payload_bytes as f64), 0)),
        ("cpu_seconds", round(m.cpu_seconds, 6)),
        (
            "cpu_seconds_per_million_frames",
            if m.frames > 0 {
                round(m.cpu_seconds / m.frames as f64 * 1e6, 3)
            } else {
                Value::Null
            },
        ),
    ];
    if rr {
        fields.push(("latency_us", latency));
    }
    if o.workload == Workload::RrRate {
        fields.push(("achieved_rate", round(fps, 1)));
    }
    fields.push(("overloaded", json!(m.overloaded)));
    fields.push(("sent", json!(m.sent)));
    if o.workload == Workload::Udp {
        fields.push(("lost", json!(m.sent as i64 - m.frames as i64)));
    }
    fields.push(("errors", json!(m.errors)));
    fields.push(("smoke", json!(o.smoke)));
    fields.push(("detail", json!(m.detail)));
    let body: Vec<String> = fields
        .iter()
        .map(|(k, v)| format!("{}:{}", Value::from(*k), v))
        .collect();
    format!("{{{}}}", body.join(","))
}
