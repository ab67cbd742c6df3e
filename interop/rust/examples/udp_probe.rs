//! Reproductions behind docs/spec/udp.md (the crate analysis): runs the crate's UDP code (vstp 0.2.1,
//! `VstpUdpServer`, `VstpUdpClient`, `udp::reassembly::fragment_payload`) against plain std UDP sockets on
//! 127.0.0.1 and prints what happens, one fact per line.
//!
//!   cd interop/rust && cargo run --release --locked --example udp_probe        # about 20 s
//!   cargo run --release --locked --example udp_probe -- --slow                 # + retransmission timing, reassembly timeout (~40 s more)
//!
//! Only the crate's public API is called; no code of the crate is copied here.

use std::net::{SocketAddr, UdpSocket};
use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::BytesMut;
use tokio::sync::mpsc;
use vstp::udp::client::UdpConfig;
use vstp::{
    encode_frame, try_decode_frame, Flags, Frame, FrameType, Header, VstpUdpClient, VstpUdpServer,
};

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

fn enc(f: &Frame) -> Vec<u8> {
    encode_frame(f).expect("encode").to_vec()
}

/// A frame built from raw parts (flags kept as given).
fn frame(typ: FrameType, flags: u8, headers: &[(&str, &[u8])], payload: Vec<u8>) -> Frame {
    let mut f = Frame::new(typ).with_payload(payload);
    f.flags = Flags::from_bits_retain(flags);
    f.headers = headers
        .iter()
        .map(|(k, v)| Header::new(k.as_bytes().to_vec(), v.to_vec()))
        .collect();
    f
}

/// DATA frame with `extra` payload bytes so that the encoded total is exactly `total`.
fn data_of_total(total: usize, headers: &[(&str, &[u8])], flags: u8) -> Vec<u8> {
    let hdr: usize = headers.iter().map(|(k, v)| 2 + k.len() + v.len()).sum();
    let f = frame(
        FrameType::Data,
        flags,
        headers,
        vec![b'x'; total - 15 - hdr],
    );
    let b = enc(&f);
    assert_eq!(b.len(), total);
    b
}

fn describe(b: &[u8]) -> String {
    let mut buf = BytesMut::from(b);
    match try_decode_frame(&mut buf, usize::MAX) {
        Ok(Some(f)) => {
            let hs: Vec<String> = f
                .headers
                .iter()
                .map(|h| {
                    format!(
                        "{}={}",
                        String::from_utf8_lossy(&h.key),
                        String::from_utf8_lossy(&h.value)
                    )
                })
                .collect();
            format!(
                "{:?} flags {:02x} headers [{}] payload {} B",
                f.typ,
                f.flags.bits(),
                hs.join(", "),
                f.payload.len()
            )
        }
        Ok(None) => "incomplete".into(),
        Err(e) => format!("error {e}"),
    }
}

fn describe_frame(f: &Frame) -> String {
    describe(&enc(f))
}

fn raw() -> UdpSocket {
    let s = UdpSocket::bind("127.0.0.1:0").unwrap();
    s.set_read_timeout(Some(Duration::from_millis(300)))
        .unwrap();
    s
}

/// All datagrams arriving at `s` until `quiet` passes without one (blocking; run in a thread).
fn drain(s: &UdpSocket, quiet: Duration) -> Vec<(Instant, Vec<u8>, SocketAddr)> {
    s.set_read_timeout(Some(quiet)).unwrap();
    let mut out = Vec::new();
    let mut buf = vec![0u8; 70_000];
    while let Ok((n, from)) = s.recv_from(&mut buf) {
        out.push((Instant::now(), buf[..n].to_vec(), from));
    }
    out
}

type Event = Result<(Frame, SocketAddr), String>;

/// A crate server whose `recv()` results are forwarded to a channel.
async fn server() -> (
    Arc<VstpUdpServer>,
    SocketAddr,
    mpsc::UnboundedReceiver<Event>,
) {
    let s = Arc::new(VstpUdpServer::bind("127.0.0.1:0").await.unwrap());
    let addr = s.local_addr().unwrap();
    let (tx, rx) = mpsc::unbounded_channel();
    let s2 = s.clone();
    tokio::spawn(async move {
        loop {
            let ev = s2.recv().await.map_err(|e| e.to_string());
            if tx.send(ev).is_err() {
                break;
            }
        }
    });
    (s, addr, rx)
}

/// Events delivered within `d`.
async fn events(rx: &mut mpsc::UnboundedReceiver<Event>, d: Duration) -> Vec<Event> {
    let mut out = Vec::new();
    let end = tokio::time::Instant::now() + d;
    while let Ok(Some(ev)) = tokio::time::timeout_at(end, rx.recv()).await {
        out.push(ev);
    }
    out
}

fn show_events(tag: &str, evs: &[Event]) {
    if evs.is_empty() {
        println!("{tag}: server delivered nothing");
    }
    for ev in evs {
        match ev {
            Ok((f, _)) => println!("{tag}: server delivered {}", describe_frame(f)),
            Err(e) => println!("{tag}: server recv() returned Err: {e}"),
        }
    }
}

/// Datagrams `s` receives within 300 ms, described.
fn replies(s: &UdpSocket) -> Vec<Vec<u8>> {
    drain(s, Duration::from_millis(300))
        .into_iter()
        .map(|(_, b, _)| b)
        .collect()
}

fn short_client_config() -> UdpConfig {
    UdpConfig {
        max_retries: 0,
        ack_timeout: Duration::from_millis(500),
        ..UdpConfig::default()
    }
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let slow = std::env::args().any(|a| a == "--slow");

    // ---- P1: the server's ACK -------------------------------------------------------------------------
    let (_srv, saddr, mut rx) = server().await;
    let s = raw();
    let cases: Vec<(&str, Vec<u8>)> = vec![
        (
            "DATA flags 01, msg-id=1",
            enc(&frame(
                FrameType::Data,
                0x01,
                &[("msg-id", b"1")],
                b"hi".to_vec(),
            )),
        ),
        (
            "DATA flags 01, msg-id=007",
            enc(&frame(FrameType::Data, 0x01, &[("msg-id", b"007")], vec![])),
        ),
        (
            "DATA flags 01, msg-id=+5",
            enc(&frame(FrameType::Data, 0x01, &[("msg-id", b"+5")], vec![])),
        ),
        (
            "DATA flags 01, msg-id=abc",
            enc(&frame(FrameType::Data, 0x01, &[("msg-id", b"abc")], vec![])),
        ),
        (
            "DATA flags 01, msg-id=18446744073709551616",
            enc(&frame(
                FrameType::Data,
                0x01,
                &[("msg-id", b"18446744073709551616")],
                vec![],
            )),
        ),
        (
            "DATA flags 01, no msg-id",
            enc(&frame(FrameType::Data, 0x01, &[], vec![])),
        ),
        (
            "DATA flags 00, msg-id=4",
            enc(&frame(FrameType::Data, 0x00, &[("msg-id", b"4")], vec![])),
        ),
        (
            "DATA flags 05 (REQ_ACK|undefined 04), msg-id=6",
            enc(&frame(FrameType::Data, 0x05, &[("msg-id", b"6")], vec![])),
        ),
        (
            "DATA flags 03 (REQ_ACK|CRC), msg-id=8",
            enc(&frame(FrameType::Data, 0x03, &[("msg-id", b"8")], vec![])),
        ),
        (
            "DATA flags 01, msg-id=x then msg-id=3",
            enc(&frame(
                FrameType::Data,
                0x01,
                &[("msg-id", b"x"), ("msg-id", b"3")],
                vec![],
            )),
        ),
        (
            "DATA flags 01, msg-id=<ff> then msg-id=3",
            enc(&frame(
                FrameType::Data,
                0x01,
                &[("msg-id", b"\xff"), ("msg-id", b"3")],
                vec![],
            )),
        ),
        (
            "PING flags 01, msg-id=9",
            enc(&frame(FrameType::Ping, 0x01, &[("msg-id", b"9")], vec![])),
        ),
        (
            "ACK flags 01, msg-id=10",
            enc(&frame(FrameType::Ack, 0x01, &[("msg-id", b"10")], vec![])),
        ),
    ];
    for (name, bytes) in &cases {
        s.send_to(bytes, saddr).unwrap();
        let r = replies(&s);
        let evs = events(&mut rx, Duration::from_millis(50)).await;
        let delivered = evs.iter().filter(|e| e.is_ok()).count();
        if r.is_empty() {
            println!("P1 {name}: no ACK; delivered {delivered}x");
        }
        for b in r {
            println!(
                "P1 {name}: reply {} B hex {} = {}; delivered {delivered}x",
                b.len(),
                hex(&b),
                describe(&b)
            );
        }
    }

    // ---- P2: duplicates -------------------------------------------------------------------------------------
    let d = enc(&frame(
        FrameType::Data,
        0x01,
        &[("msg-id", b"42")],
        b"dup".to_vec(),
    ));
    s.send_to(&d, saddr).unwrap();
    s.send_to(&d, saddr).unwrap();
    let r = replies(&s);
    let evs = events(&mut rx, Duration::from_millis(50)).await;
    println!(
        "P2 same REQ_ACK datagram sent twice: {} ACKs, delivered {}x",
        r.len(),
        evs.iter().filter(|e| e.is_ok()).count()
    );

    // ---- P3: datagram sizes into the server ------------------------------------------------------------------
    for total in [1200usize, 1201, 2399, 2400, 2401, 5000, 65507] {
        let b = data_of_total(total, &[("msg-id", b"77")], 0x01);
        let r = match s.send_to(&b, saddr) {
            Ok(_) => replies(&s),
            Err(e) => {
                println!("P3 single datagram, frame total {total} B: send failed: {e}");
                continue;
            }
        };
        let evs = events(&mut rx, Duration::from_millis(50)).await;
        let what = match evs.first() {
            Some(Ok((f, _))) => format!("delivered (payload {} B)", f.payload.len()),
            Some(Err(e)) => format!("recv Err {e}"),
            None => "silently dropped".into(),
        };
        println!(
            "P3 single datagram, frame total {total} B: {what}, {} ACK(s)",
            r.len()
        );
    }
    let mut two = enc(&frame(FrameType::Data, 0, &[], b"first".to_vec()));
    two.extend(enc(&frame(FrameType::Data, 0, &[], b"second".to_vec())));
    s.send_to(&two, saddr).unwrap();
    show_events(
        "P3 two frames in one datagram",
        &events(&mut rx, Duration::from_millis(300)).await,
    );
    s.send_to(&[0x56, 0x54, 0x01], saddr).unwrap();
    let mut bad = enc(&frame(
        FrameType::Data,
        0x01,
        &[("msg-id", b"5")],
        b"x".to_vec(),
    ));
    let n = bad.len();
    bad[n - 1] ^= 1;
    s.send_to(&bad, saddr).unwrap();
    show_events(
        "P3 3-byte datagram, then a REQ_ACK frame with a bad CRC",
        &events(&mut rx, Duration::from_millis(300)).await,
    );
    println!("P3 ... ACK/ERR replies to those: {}", replies(&s).len());

    // ---- P4: what the client's send_with_ack puts on the wire; P5 what ACK it accepts ---------------------
    let peer = raw();
    let paddr = peer.local_addr().unwrap();
    let mut c = VstpUdpClient::bind_with_config("127.0.0.1:0", short_client_config())
        .await
        .unwrap();
    let caddr = c.local_addr().unwrap();
    let f = Frame::new(FrameType::Data)
        .with_flag(Flags::REQ_ACK)
        .with_payload(b"udp message 1".to_vec());
    let p2 = peer.try_clone().unwrap();
    let h = std::thread::spawn(move || {
        let mut buf = [0u8; 3000];
        let (n, from) = p2.recv_from(&mut buf).unwrap();
        p2.send_to(
            &enc(&frame(FrameType::Ack, 0, &[("msg-id", b"1")], vec![])),
            from,
        )
        .unwrap();
        buf[..n].to_vec()
    });
    let res = c.send_with_ack(f.clone(), paddr).await;
    let sent = h.join().unwrap();
    println!("P4 send_with_ack(DATA flags 01 payload \"udp message 1\") sent {} B hex {} = {}; result {res:?}", sent.len(), hex(&sent), describe(&sent));
    // Second call: msg-id 2. The peer answers with several wrong ACKs, then a right one; see which is taken.
    // (name, frame type, msg-id value for the call's msg-id n, answer from another port)
    type Answer = (&'static str, FrameType, fn(usize) -> Option<String>, bool);
    let variants: Vec<Answer> = vec![
        (
            "ACK msg-id=n from another port",
            FrameType::Ack,
            |n| Some(n.to_string()),
            true,
        ),
        (
            "DATA msg-id=n",
            FrameType::Data,
            |n| Some(n.to_string()),
            false,
        ),
        (
            "ACK msg-id=n-1 (stale)",
            FrameType::Ack,
            |n| Some((n - 1).to_string()),
            false,
        ),
        ("ACK without msg-id", FrameType::Ack, |_| None, false),
        (
            "ACK msg-id=0n (leading zero)",
            FrameType::Ack,
            |n| Some(format!("0{n}")),
            false,
        ),
    ];
    for (i, (name, typ, value, other_port)) in variants.into_iter().enumerate() {
        let msg_id = 2 + i; // each send_with_ack call takes the next msg-id
        let bytes = match value(msg_id) {
            Some(v) => enc(&frame(typ, 0, &[("msg-id", v.as_bytes())], vec![])),
            None => enc(&frame(typ, 0, &[], vec![])),
        };
        let p2 = peer.try_clone().unwrap();
        let h = std::thread::spawn(move || {
            let mut buf = [0u8; 3000];
            let (n, from) = p2.recv_from(&mut buf).unwrap();
            let sender = if other_port {
                raw()
            } else {
                p2.try_clone().unwrap()
            };
            sender.send_to(&bytes, from).unwrap();
            describe(&buf[..n])
        });
        let t = Instant::now();
        let res = c.send_with_ack(f.clone(), paddr).await;
        let sent = h.join().unwrap();
        let _ = drain(&peer, Duration::from_millis(50));
        println!(
            "P5 client sent {sent}; peer answered {name}: send_with_ack -> {res:?} after {} ms",
            t.elapsed().as_millis()
        );
    }
    // An echo (DATA) arriving before the ACK is swallowed by send_with_ack.
    let p2 = peer.try_clone().unwrap();
    let h = std::thread::spawn(move || {
        let mut buf = [0u8; 3000];
        let (_, from) = p2.recv_from(&mut buf).unwrap();
        p2.send_to(
            &enc(&frame(FrameType::Data, 0, &[], b"echo".to_vec())),
            from,
        )
        .unwrap();
        p2.send_to(
            &enc(&frame(FrameType::Ack, 0, &[("msg-id", b"7")], vec![])),
            from,
        )
        .unwrap();
        p2.send_to(
            &enc(&frame(FrameType::Data, 0, &[], b"after".to_vec())),
            from,
        )
        .unwrap();
    });
    let res = c.send_with_ack(f.clone(), paddr).await;
    h.join().unwrap();
    let next = tokio::time::timeout(Duration::from_millis(300), c.recv()).await;
    println!(
        "P5 peer sent DATA \"echo\", ACK msg-id=7, DATA \"after\": send_with_ack -> {res:?}; next recv() -> {}",
        match next {
            Ok(Ok((f, _))) => format!("DATA {:?}", String::from_utf8_lossy(&f.payload)),
            Ok(Err(e)) => format!("Err {e}"),
            Err(_) => "nothing within 300 ms".into(),
        }
    );
    // Any source may send to the client: recv() does not filter.
    raw()
        .send_to(
            &enc(&frame(FrameType::Data, 0, &[], b"stranger".to_vec())),
            caddr,
        )
        .unwrap();
    let next = tokio::time::timeout(Duration::from_millis(300), c.recv()).await;
    println!(
        "P5 client recv() from an unrelated socket: {}",
        match next {
            Ok(Ok((f, a))) => format!(
                "accepted {:?} from {a}",
                String::from_utf8_lossy(&f.payload)
            ),
            _ => "nothing".into(),
        }
    );

    // ---- P6: fragmentation on the wire ----------------------------------------------------------------------
    let c2 = VstpUdpClient::bind("127.0.0.1:0").await.unwrap();
    for plen in [1185usize, 1186, 2000, 5000, 65_000, 70_000] {
        let f = Frame::new(FrameType::Data).with_payload(vec![0x42; plen]);
        let total = enc(&f).len();
        let res = c2.send(f, paddr).await;
        let got = drain(&peer, Duration::from_millis(200));
        let sizes: Vec<usize> = got.iter().map(|(_, b, _)| b.len()).collect();
        println!(
            "P6 send(payload {plen} B, frame {total} B) -> {res:?}; {} datagram(s), sizes {:?}{}",
            got.len(),
            if sizes.len() > 6 {
                sizes[..3].to_vec()
            } else {
                sizes.clone()
            },
            got.first()
                .map(|(_, b, _)| format!("; first = {}", describe(b)))
                .unwrap_or_default()
        );
        if plen == 2000 {
            for (_, b, _) in &got {
                println!("P6   fragment: {}", describe(b));
            }
            println!(
                "P6   first fragment hex (prefix+headers): {}",
                hex(&got[0].1[..11 + 36])
            );
        }
    }
    let frags = vstp::udp::reassembly::fragment_payload(&vec![0u8; 400_000], 1).unwrap();
    println!(
        "P6 reassembly::fragment_payload(400000 B): Ok, {} fragments, frag_total {} , last frag_index {}",
        frags.len(),
        frags[0].frag_total,
        frags.last().unwrap().frag_index
    );
    let frags = vstp::udp::reassembly::fragment_payload(&vec![0u8; 306_001], 1).unwrap();
    println!(
        "P6 reassembly::fragment_payload(306001 B): Ok, {} fragments, frag_total {}",
        frags.len(),
        frags[0].frag_total
    );
    // frag-id used by plain send() and by send_with_ack
    let mut c3 = VstpUdpClient::bind_with_config("127.0.0.1:0", short_client_config())
        .await
        .unwrap();
    let big = Frame::new(FrameType::Data).with_payload(vec![1; 1300]);
    c3.send(big.clone(), paddr).await.unwrap();
    c3.send(big.clone(), paddr).await.unwrap();
    let ids: Vec<String> = drain(&peer, Duration::from_millis(200))
        .iter()
        .map(|(_, b, _)| describe(b))
        .collect();
    println!("P6 two plain send()s of 1300 B: {ids:?}");
    let _ = c3.send_with_ack(big.clone(), paddr).await;
    let ids: Vec<String> = drain(&peer, Duration::from_millis(200))
        .iter()
        .map(|(_, b, _)| describe(b))
        .collect();
    println!("P6 send_with_ack (msg-id 1) of 1300 B, no ACK, max_retries 0: {ids:?}");

    // ---- P7: crate client -> crate server with fragmentation ------------------------------------------------
    let (srv2, s2addr, mut rx2) = server().await;
    for plen in [1185usize, 1186, 2000, 2300, 5000] {
        let f = Frame::new(FrameType::Data).with_payload(vec![0x42; plen]);
        c2.send(f, s2addr).await.unwrap();
        let evs = events(&mut rx2, Duration::from_millis(300)).await;
        show_events(
            &format!("P7 crate send(payload {plen} B) -> crate server"),
            &evs,
        );
    }
    let mut c4 = VstpUdpClient::bind_with_config("127.0.0.1:0", short_client_config())
        .await
        .unwrap();
    let t = Instant::now();
    let f = Frame::new(FrameType::Data)
        .with_header("file-name", "massive-dataset.bin")
        .with_payload(vec![0x42; 50_000])
        .with_flag(Flags::REQ_ACK);
    let res = c4.send_with_ack(f, s2addr).await;
    let evs = events(&mut rx2, Duration::from_millis(300)).await;
    println!("P7 README example send_with_ack(50000 B) -> crate server (ack_timeout 500 ms, no retry): {res:?} after {} ms; server events {}", t.elapsed().as_millis(), evs.len());
    // server -> client sizes (server.send never fragments)
    let mut c5 = VstpUdpClient::bind("127.0.0.1:0").await.unwrap();
    let c5addr = c5.local_addr().unwrap();
    for total in [2400usize, 2401, 65_507, 65_508] {
        let b = data_of_total(total, &[], 0);
        let mut buf = BytesMut::from(&b[..]);
        let f = try_decode_frame(&mut buf, usize::MAX).unwrap().unwrap();
        let res = srv2.send(f, c5addr).await;
        let got = tokio::time::timeout(Duration::from_millis(300), c5.recv()).await;
        println!(
            "P7 server.send(frame {total} B) -> {}; crate client recv(): {}",
            match &res {
                Ok(()) => "Ok".to_string(),
                Err(e) => format!("Err {e}"),
            },
            match got {
                Ok(Ok((f, _))) => format!("got payload {} B", f.payload.len()),
                Ok(Err(e)) => format!("Err {e}"),
                Err(_) => "nothing".into(),
            }
        );
    }

    // ---- P8: frag-id collision mixes two messages ------------------------------------------------------------
    let c6 = VstpUdpClient::bind("127.0.0.1:0").await.unwrap();
    c6.send(
        Frame::new(FrameType::Data).with_payload(vec![b'A'; 2000]),
        paddr,
    )
    .await
    .unwrap();
    c6.send(
        Frame::new(FrameType::Data).with_payload(vec![b'B'; 2000]),
        paddr,
    )
    .await
    .unwrap();
    let got = drain(&peer, Duration::from_millis(200));
    println!(
        "P8 captured {} datagrams: {:?}",
        got.len(),
        got.iter().map(|(_, b, _)| describe(b)).collect::<Vec<_>>()
    );
    let (_srv3, s3addr, mut rx3) = server().await;
    let replay = raw();
    for i in [0usize, 2, 3] {
        replay.send_to(&got[i].1, s3addr).unwrap();
    }
    let evs = events(&mut rx3, Duration::from_millis(300)).await;
    for ev in &evs {
        match ev {
            Ok((f, _)) => {
                let a = f.payload.iter().filter(|&&x| x == b'A').count();
                let b = f.payload.iter().filter(|&&x| x == b'B').count();
                println!(
                    "P8 replay A0,B0,B1 (A1 lost): delivered {} ({a} x 'A' then {b} x 'B')",
                    describe_frame(f)
                );
            }
            Err(e) => println!("P8 replay A0,B0,B1 (A1 lost): recv() Err: {e}"),
        }
    }

    // ---- P9-P10: reassembly state ---------------------------------------------------------------------------
    let (srv4, s4addr, mut rx4) = server().await;
    let frag = |id: &str, idx: &str, tot: &str, flags: u8, p: &[u8]| {
        enc(&frame(
            FrameType::Data,
            flags,
            &[
                ("frag-id", id.as_bytes()),
                ("frag-index", idx.as_bytes()),
                ("frag-total", tot.as_bytes()),
            ],
            p.to_vec(),
        ))
    };
    let a = raw();
    a.send_to(&frag("9", "0", "0", 0x10, b"z"), s4addr).unwrap();
    show_events(
        "P9 fragment frag-total=0",
        &events(&mut rx4, Duration::from_millis(200)).await,
    );
    println!(
        "P9 reassembly_session_count after it: {}",
        srv4.reassembly_session_count().await
    );
    a.send_to(&frag("3", "0", "1", 0x00, b"no FRAG flag"), s4addr)
        .unwrap();
    show_events(
        "P9 frag headers 3/0/1, flags 00",
        &events(&mut rx4, Duration::from_millis(200)).await,
    );
    a.send_to(
        &enc(&frame(
            FrameType::Data,
            0x10,
            &[],
            b"FRAG flag only".to_vec(),
        )),
        s4addr,
    )
    .unwrap();
    show_events(
        "P9 flags 10, no frag headers",
        &events(&mut rx4, Duration::from_millis(200)).await,
    );
    a.send_to(&frag("1", "0", "300", 0x10, b"total 300"), s4addr)
        .unwrap();
    show_events(
        "P9 frag-total=300 (not a u8)",
        &events(&mut rx4, Duration::from_millis(200)).await,
    );
    a.send_to(&frag("4", "0", "2", 0x11, b"first;"), s4addr)
        .unwrap();
    a.send_to(
        &enc(&frame(
            FrameType::Data,
            0x11,
            &[
                ("msg-id", b"55"),
                ("x", b"last"),
                ("frag-id", b"4"),
                ("frag-index", b"1"),
                ("frag-total", b"2"),
            ],
            b"second".to_vec(),
        )),
        s4addr,
    )
    .unwrap();
    show_events(
        "P9 two fragments, only the last has msg-id/x headers, both REQ_ACK",
        &events(&mut rx4, Duration::from_millis(200)).await,
    );
    println!(
        "P9 ... replies: {:?}",
        replies(&a).iter().map(|b| describe(b)).collect::<Vec<_>>()
    );
    // A sender that puts *payload chunks* (not the whole payload) into the fragments, with the same headers
    // on every fragment, sent out of order: the crate's receiver reassembles it correctly.
    let whole: Vec<u8> = (0..5000u32).map(|i| (i % 251) as u8).collect();
    let chunks: Vec<&[u8]> = whole.chunks(2000).collect();
    for idx in [2usize, 0, 1] {
        let f = frame(
            FrameType::Data,
            0x11,
            &[
                ("msg-id", b"77"),
                ("content-type", b"application/octet-stream"),
                ("frag-id", b"200"),
                ("frag-index", idx.to_string().as_bytes()),
                ("frag-total", b"3"),
            ],
            chunks[idx].to_vec(),
        );
        a.send_to(&enc(&f), s4addr).unwrap();
    }
    let evs = events(&mut rx4, Duration::from_millis(200)).await;
    show_events(
        "P9 payload chunks 2000+2000+1000 B, sent as index 2,0,1, same headers + REQ_ACK on each",
        &evs,
    );
    if let Some(Ok((f, _))) = evs.first() {
        println!(
            "P9 ... payload equals the original 5000 B: {}",
            f.payload == whole
        );
    }
    println!(
        "P9 ... replies: {:?}",
        replies(&a).iter().map(|b| describe(b)).collect::<Vec<_>>()
    );
    a.send_to(&frag("5", "0", "3", 0x10, b"a"), s4addr).unwrap();
    a.send_to(&frag("5", "0", "3", 0x10, b"a"), s4addr).unwrap();
    show_events(
        "P9 same fragment twice",
        &events(&mut rx4, Duration::from_millis(200)).await,
    );

    let (srv5, s5addr, mut rx5) = server().await;
    let socks: Vec<UdpSocket> = (0..4).map(|_| raw()).collect();
    for (k, so) in socks.iter().enumerate() {
        for id in 0..250 {
            so.send_to(&frag(&id.to_string(), "0", "2", 0x10, &[k as u8]), s5addr)
                .unwrap();
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let evs = events(&mut rx5, Duration::from_millis(300)).await;
    println!("P10 1000 first fragments (4 sockets x 250 frag-ids, 1-byte payload): {} server events, reassembly_session_count {}", evs.len(), srv5.reassembly_session_count().await);
    let victim = VstpUdpClient::bind("127.0.0.1:0").await.unwrap();
    victim
        .send(
            Frame::new(FrameType::Data).with_payload(vec![7; 2000]),
            s5addr,
        )
        .await
        .unwrap();
    show_events(
        "P10 then a legitimate 2-fragment frame from another client",
        &events(&mut rx5, Duration::from_millis(300)).await,
    );
    socks[0]
        .send_to(&frag("0", "1", "2", 0x10, b"!"), s5addr)
        .unwrap();
    show_events(
        "P10 then the missing fragment of an already open session",
        &events(&mut rx5, Duration::from_millis(300)).await,
    );
    victim
        .send(
            Frame::new(FrameType::Data).with_payload(b"small".to_vec()),
            s5addr,
        )
        .await
        .unwrap();
    show_events(
        "P10 then a small unfragmented frame",
        &events(&mut rx5, Duration::from_millis(300)).await,
    );

    // ---- P11: one bad fragment stops the easy API's UDP server for good -------------------------------------
    let port = UdpSocket::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port(); // free port (racy, fine here)
    let easy = vstp::VstpServer::bind_udp(format!("127.0.0.1:{port}"))
        .await
        .unwrap();
    tokio::spawn(easy.serve(|v: serde_json::Value| async move { Ok::<_, vstp::VstpError>(v) }));
    let eaddr: SocketAddr = format!("127.0.0.1:{port}").parse().unwrap();
    tokio::time::sleep(Duration::from_millis(100)).await;
    let json = enc(&frame(FrameType::Data, 0, &[], br#"{"n":1}"#.to_vec()));
    a.send_to(&json, eaddr).unwrap();
    println!(
        "P11 easy UDP server, JSON DATA: replies {:?}",
        replies(&a).iter().map(|b| describe(b)).collect::<Vec<_>>()
    );
    a.send_to(&frag("6", "0", "2", 0x10, b"{}"), eaddr).unwrap();
    a.send_to(&frag("6", "0", "2", 0x10, b"{}"), eaddr).unwrap();
    let _ = replies(&a);
    a.send_to(&json, eaddr).unwrap();
    println!(
        "P11 same fragment twice, then the JSON DATA again: replies {:?}",
        replies(&a).iter().map(|b| describe(b)).collect::<Vec<_>>()
    );

    // ---- P12 (slow): retransmission timing of the default UdpConfig -----------------------------------------
    if slow {
        let mut c7 = VstpUdpClient::bind("127.0.0.1:0").await.unwrap();
        let p2 = peer.try_clone().unwrap();
        let h = std::thread::spawn(move || drain(&p2, Duration::from_secs(3)));
        let t0 = Instant::now();
        let res = c7
            .send_with_ack(
                Frame::new(FrameType::Data).with_payload(b"nobody acks".to_vec()),
                paddr,
            )
            .await;
        let total = t0.elapsed();
        let got = h.join().unwrap();
        let times: Vec<u128> = got
            .iter()
            .map(|(t, _, _)| t.duration_since(t0).as_millis())
            .collect();
        let same = got.windows(2).all(|w| w[0].1 == w[1].1);
        println!("P12 default UdpConfig, no ACK: {} datagrams at {times:?} ms, all identical: {same}; send_with_ack -> {res:?} after {} ms", got.len(), total.as_millis());
        // Reassembly timeout: 30 s from creation, but only enforced when another fragment arrives.
        let (srv6, s6addr, mut rx6) = server().await;
        a.send_to(&frag("1", "0", "2", 0x10, b"x"), s6addr).unwrap();
        let _ = events(&mut rx6, Duration::from_millis(100)).await;
        tokio::time::sleep(Duration::from_secs(31)).await;
        let before = srv6.reassembly_session_count().await;
        raw()
            .send_to(&frag("2", "0", "1", 0x10, b"y"), s6addr)
            .unwrap(); // a complete 1-fragment message
        let _ = events(&mut rx6, Duration::from_millis(100)).await;
        println!("P13 one open session, 31 s idle: reassembly_session_count {before}; after a 1-fragment message from elsewhere (cleanup runs, nothing new stays open): {}", srv6.reassembly_session_count().await);
    }
}
