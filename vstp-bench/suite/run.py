#!/usr/bin/env python3
"""The loopback benchmark suite (docs/benchmarks.md, issue 6).

Runs every case below several times, each in a fresh process on 127.0.0.1, and writes medians, their spread and
ratios to baselines measured in the same run:

    vstp-bench/suite/run.py                   # full run: 3 runs x 5 s per case (about 40 minutes)
    vstp-bench/suite/run.py --only tcp-bulk   # one group (see GROUPS)
    vstp-bench/suite/run.py --smoke           # CI: tiny runs that check every case works; never judges timings

Results: vstp-bench/target/suite/results.json and results.md. Builds vstp-bench/target/vstp-suite.jar (Maven) and
interop/rust/target/release/vstp-interop (cargo) when they are missing, or with --rebuild. Standard library only.

A case is one peer (a system: VSTP over a transport, or a baseline) under one workload. The Java peers run in
vstp-suite.jar (io.vstp.bench.suite.SuiteCommand); the Rust crate's cases run in interop/rust (`bench`). Both print
one JSON line with the same fields.
"""

import argparse
import json
import os
import re
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
OUT = ROOT / "vstp-bench" / "target" / "suite"
JAR = ROOT / "vstp-bench" / "target" / "vstp-suite.jar"
RUST = ROOT / "interop" / "rust" / "target" / "release" / "vstp-interop"
KIB, MIB = 1024, 1024 * 1024
FIXED_RATE = 10_000  # requests/s offered in the fixed-rate latency cases: well inside every peer's capacity
SMOKE_RATE = 1_000  # the fixed rate of a smoke run


def case(cid, group, peer, workload, size=64, connections=1, vs=(), variant="", loss=0.0, rate=None,
         seconds=None, note=""):
    return dict(id=cid, group=group, peer=peer, workload=workload, size=size, connections=connections,
                vs=list(vs), variant=variant, loss=loss, rate=rate, seconds=seconds, note=note)


def cases():
    c = []
    # a. TCP plaintext bulk: one connection streaming 64 KiB and 1 MiB frames.
    for size, label in ((64 * KIB, "64KiB"), (MIB, "1MiB")):
        base = f"bulk-{label}-netty"
        c.append(case(base, "tcp-bulk", "netty-tcp", "stream", size))
        c.append(case(f"bulk-{label}-vstp", "tcp-bulk", "vstp-tcp", "stream", size,
                      vs=[base, f"bulk-{label}-rust", f"bulk-{label}-grpc", f"bulk-{label}-rsocket"]))
        c.append(case(f"bulk-{label}-rust", "tcp-bulk", "rust-crate", "stream", size))
        c.append(case(f"bulk-{label}-grpc", "tcp-bulk", "grpc", "stream", size))
        c.append(case(f"bulk-{label}-rsocket", "tcp-bulk", "rsocket", "stream", size))
    # b. TCP small frames: one-way pipelined on 1 and 4 connections.
    for n in (1, 4):
        p = f"small-{n}c"
        c.append(case(f"{p}-netty", "tcp-small", "netty-tcp", "stream", connections=n))
        c.append(case(f"{p}-vstp", "tcp-small", "vstp-tcp", "stream", connections=n,
                      vs=[f"{p}-netty", f"{p}-rust", f"{p}-grpc", f"{p}-rsocket"]))
        c.append(case(f"{p}-vstp-tls", "tcp-small", "vstp-tls", "stream", connections=n,
                      vs=[f"{p}-vstp", f"{p}-grpc-tls"]))
        c.append(case(f"{p}-rust", "tcp-small", "rust-crate", "stream", connections=n))
        c.append(case(f"{p}-grpc", "tcp-small", "grpc", "stream", connections=n))
        c.append(case(f"{p}-grpc-tls", "tcp-small", "grpc-tls", "stream", connections=n))
        c.append(case(f"{p}-rsocket", "tcp-small", "rsocket", "stream", connections=n))
    # b. Request/response latency at a fixed offered rate (coordinated omission corrected), and max sustained rate.
    c.append(case("rate-netty", "tcp-rr", "netty-tcp", "rr-rate", rate=FIXED_RATE))
    c.append(case("rate-vstp", "tcp-rr", "vstp-tcp", "rr-rate", rate=FIXED_RATE,
                  vs=["rate-netty", "rate-rust", "rate-grpc", "rate-grpc-stream", "rate-rsocket"]))
    c.append(case("rate-vstp-tls", "tcp-rr", "vstp-tls", "rr-rate", rate=FIXED_RATE, vs=["rate-vstp", "rate-grpc-tls"]))
    c.append(case("rate-rust", "tcp-rr", "rust-crate", "rr-rate", rate=FIXED_RATE))
    c.append(case("rate-grpc", "tcp-rr", "grpc", "rr-rate", rate=FIXED_RATE, variant="unary"))
    c.append(case("rate-grpc-stream", "tcp-rr", "grpc", "rr-rate", rate=FIXED_RATE, variant="streaming"))
    c.append(case("rate-grpc-tls", "tcp-rr", "grpc-tls", "rr-rate", rate=FIXED_RATE, variant="unary"))
    c.append(case("rate-rsocket", "tcp-rr", "rsocket", "rr-rate", rate=FIXED_RATE))
    c.append(case("max-netty", "tcp-max", "netty-tcp", "rr-max"))
    c.append(case("max-vstp", "tcp-max", "vstp-tcp", "rr-max",
                  vs=["max-netty", "max-rust", "max-grpc", "max-grpc-stream", "max-rsocket"]))
    c.append(case("max-vstp-tls", "tcp-max", "vstp-tls", "rr-max", vs=["max-vstp", "max-grpc-tls"]))
    c.append(case("max-rust", "tcp-max", "rust-crate", "rr-max"))
    c.append(case("max-grpc", "tcp-max", "grpc", "rr-max", variant="unary"))
    c.append(case("max-grpc-stream", "tcp-max", "grpc", "rr-max", variant="streaming"))
    c.append(case("max-grpc-tls", "tcp-max", "grpc-tls", "rr-max", variant="unary"))
    c.append(case("max-rsocket", "tcp-max", "rsocket", "rr-max"))
    # c. TLS 1.3 bulk, both suites, both providers, against plaintext.
    c.append(case("tls-bulk-plain", "tls-bulk", "vstp-tcp", "stream", 64 * KIB))
    for v in ("openssl", "openssl-chacha20", "jdk-aes128", "jdk-chacha20"):
        c.append(case(f"tls-bulk-{v}", "tls-bulk", "vstp-tls", "stream", 64 * KIB, variant=v,
                      vs=["tls-bulk-plain", "tls-bulk-grpc-tls"]))
    c.append(case("tls-bulk-grpc-tls", "tls-bulk", "grpc-tls", "stream", 64 * KIB))
    # d. UDP: unreliable small datagrams; reliable 100 MiB with 0 % and 1 % loss; DTLS bulk.
    c.append(case("udp-small-vstp", "udp", "vstp-udp", "stream", vs=["udp-small-aeron", "udp-small-rust"]))
    c.append(case("udp-small-aeron", "udp", "aeron", "stream"))
    c.append(case("udp-small-rust", "udp", "rust-crate", "udp"))
    c.append(case("udp-100MiB", "udp", "vstp-udp", "transfer", 100 * MIB, seconds=1))
    c.append(case("udp-100MiB-loss1", "udp", "vstp-udp", "transfer", 100 * MIB, loss=0.01, seconds=1,
                  vs=["udp-100MiB"]))
    c.append(case("udp-8MiB", "udp", "vstp-udp", "transfer", 8 * MIB))
    c.append(case("dtls-8MiB", "udp", "vstp-dtls", "transfer", 8 * MIB, vs=["udp-8MiB"]))
    # e. Wire v2 against v1 on the same plaintext TCP peer: frames/s, bytes on the wire, request rate, bulk.
    c.append(case("wire-small-v1", "wire", "vstp-tcp", "stream", variant="v1"))
    c.append(case("wire-small-v2", "wire", "vstp-tcp", "stream", variant="v2", vs=["wire-small-v1"]))
    c.append(case("wire-rr-v1", "wire", "vstp-tcp", "rr", variant="v1"))
    c.append(case("wire-rr-v2", "wire", "vstp-tcp", "rr", variant="v2", vs=["wire-rr-v1"]))
    c.append(case("wire-bulk-v1", "wire", "vstp-tcp", "stream", 64 * KIB, variant="v1"))
    c.append(case("wire-bulk-v2", "wire", "vstp-tcp", "stream", 64 * KIB, variant="v2", vs=["wire-bulk-v1"]))
    c.append(case("wire-bulk-v2-nocomp", "wire", "vstp-tcp", "stream", 64 * KIB, variant="v2-nocomp",
                  vs=["wire-bulk-v1"]))
    return c


GROUPS = ["tcp-bulk", "tcp-small", "tcp-rr", "tcp-max", "tls-bulk", "udp", "wire", "memory"]


def java_cmd(k, seconds, rate=None, workload=None):
    cmd = ["java", "-jar", str(JAR), "--peer", k["peer"], "--workload", workload or k["workload"],
           "--size", str(k["size"]), "--connections", str(k["connections"]), "--duration", f"{seconds:g}"]
    if k["variant"]:
        cmd += ["--variant", k["variant"]]
    if k["loss"]:
        cmd += ["--loss", str(k["loss"])]
    if k.get("payload"):
        cmd += ["--payload", k["payload"]]
    if rate is not None:
        cmd += ["--rate", f"{rate:.0f}"]
    return cmd


def rust_cmd(k, seconds, rate=None, workload=None):
    cmd = [str(RUST), "bench", "--workload", workload or k["workload"], "--size", str(k["size"]),
           "--connections", str(k["connections"]), "--duration", f"{int(seconds * 1000)}ms"]
    if rate is not None:
        cmd += ["--rate", f"{rate:.0f}"]
    return cmd


def smoke_measure(k, seconds, rate):
    """A smoke run, once more for 1 s if the first measured nothing.

    Unreliable UDP has no flow control: while a cold server JVM compiles (2 cores, the JIT takes about half the CPU),
    its socket buffer overflows and a 0.3 s window can see no datagram at all although the path works. A second,
    longer window tells a slow start from a broken workload; a broken one fails twice.
    """
    try:
        return measure(k, seconds, rate=rate)
    except RuntimeError as e:
        if "nothing measured" not in str(e):
            raise
        print(f"{k['id']:24} measured nothing in {seconds} s; once more for 1 s", flush=True)
        return measure(k, 1.0, rate=rate)


def measure(k, seconds, rate=None, workload=None, tolerate_errors=False):
    build = rust_cmd if k["peer"] == "rust-crate" else java_cmd
    cmd = build(k, seconds, rate, workload)
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=seconds * 3 + 120)
    lines = [l for l in done.stdout.splitlines() if l.startswith("{")]
    if done.returncode != 0 or not lines:
        raise RuntimeError(f"{' '.join(cmd)} failed ({done.returncode}): "
                           f"{(done.stderr.strip() or done.stdout.strip())[-800:]}")
    result = json.loads(lines[-1])
    if not tolerate_errors and not result.get("frames"):
        raise RuntimeError(f"{' '.join(cmd)}: nothing measured: {lines[-1][:600]}")
    if result.get("errors") and not tolerate_errors:
        raise RuntimeError(f"{' '.join(cmd)}: {result['errors']} errors, first: {result.get('first_error')}")
    return result


def max_sustainable(k, seconds):
    """Closed-loop capacity first, then fixed rates from 90 % of it down, until one is sustained: at least 98 %
    of the offered rate achieved, nothing lost, p99 under 10 ms. Each step is a fresh process."""
    closed = measure(k, seconds / 2, workload="rr")
    capacity = closed["frames_per_second"]
    steps = []
    for share in (0.9, 0.75, 0.6, 0.45, 0.3, 0.15):
        offered = max(1.0, capacity * share)
        try:
            r = measure(k, seconds / 2, rate=offered, workload="rr-rate", tolerate_errors=True)
        except RuntimeError as e:
            # The crate's program exits with an error when a rate overloads it before anything was measured:
            # that rate is not sustained, the next lower one is tried.
            if "overloaded" not in str(e):
                raise
            steps.append({"offered_rate": offered, "overloaded": True})
            continue
        steps.append({"offered_rate": r["offered_rate"], "achieved_rate": r["achieved_rate"],
                      "p99_us": r["latency_us"]["p99"]})
        if (not r.get("overloaded") and not r.get("errors") and r["achieved_rate"] >= 0.98 * r["offered_rate"]
                and r["latency_us"]["p99"] <= 10_000):
            r.update(closed_loop_frames_per_second=capacity, max_sustainable_rate=r["offered_rate"], steps=steps)
            return r
    return dict(closed, closed_loop_frames_per_second=capacity, max_sustainable_rate=0.0,
                steps=steps)


def headline(r, workload):
    """The one number a case is judged by, and whether higher is better."""
    if workload == "rr-rate":
        return r["latency_us"]["p99"], False
    if workload == "rr-max":
        return r["max_sustainable_rate"], True
    if workload == "transfer":
        return r["bytes_per_second"], True
    return r["frames_per_second"], True


def summarise(k, samples):
    values = [headline(s, k["workload"])[0] for s in samples]
    med = statistics.median(values)
    rep = min(samples, key=lambda s: abs(headline(s, k["workload"])[0] - med))  # the run closest to the median
    out = dict(k, runs=len(samples), value=med, value_min=min(values), value_max=max(values),
               higher_is_better=headline(rep, k["workload"])[1], sample=rep)
    for key in ("frames_per_second", "bytes_per_second", "cpu_seconds_per_million_frames",
                "allocated_bytes_per_frame", "serverBytesPerMessage"):
        vals = [s[key] for s in samples if s.get(key) is not None]
        out[key] = statistics.median(vals) if vals else None
    if "latency_us" in rep:
        out["p50_us"] = statistics.median(s["latency_us"]["p50"] for s in samples)
        out["p99_us"] = statistics.median(s["latency_us"]["p99"] for s in samples)
    return out


def memory(runs, smoke):
    """Server RSS and heap at idle, with 1 connection and with N idle connections (server and clients in separate
    processes); TLS and plaintext."""
    n = 200 if smoke else 10_000
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < 2 * n + 1000:
        resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, 4 * n + 1000), hard))
    results = []
    for mode in ("tls", "plain"):
        samples = []
        for _ in range(runs):
            samples.append(memory_once(mode, n))
        m = {stage: {key: statistics.median(s[stage][key] for s in samples) for key in samples[0][stage]}
             for stage in samples[0]}
        for stage in m:
            m[stage]["rss_min_bytes"] = min(s[stage]["rss_bytes"] for s in samples)
            m[stage]["rss_max_bytes"] = max(s[stage]["rss_bytes"] for s in samples)
        results.append({"id": f"memory-{mode}", "group": "memory", "mode": mode, "connections": n, "runs": runs,
                        "server_jvm_opts": server_jvm_opts(), "stages": m})
    return results


def server_jvm_opts():
    """The JVM flags the `vstp` launcher gives every process (so the memory case measures the server as
    `vstp serve` runs it): read from the launcher, the one place they are written."""
    m = re.search(r"^jvm_opts=\(([^)]*)\)", (ROOT / "vstp").read_text(), re.M)
    if not m:
        raise SystemExit("run.py: the launcher ./vstp no longer sets jvm_opts=(...); update server_jvm_opts()")
    return m.group(1).split()


def memory_once(mode, n):
    cp = ["java", "-cp", str(JAR), "io.vstp.bench.suite.MemoryProbe"]
    server = subprocess.Popen(["java"] + server_jvm_opts() + cp[1:] + ["server", mode], stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, text=True)
    try:
        first = server.stdout.readline().split()
        if not first or first[0] != "listening":
            raise RuntimeError(f"memory server did not start: {first}")
        port, fingerprint = first[1], first[2]

        def ask():
            server.stdin.write("measure\n")
            server.stdin.flush()
            return json.loads(server.stdout.readline())

        stages = {"idle": ask()}
        for count in (1, n):
            clients = subprocess.Popen(cp + ["clients", mode, port, fingerprint, str(count)], stdin=subprocess.PIPE,
                                       stdout=subprocess.PIPE, text=True)
            try:
                line = clients.stdout.readline().strip()
                if line != f"connected {count}":
                    raise RuntimeError(f"memory clients: expected 'connected {count}', got {line!r}")
                stage = ask()
                if stage["open_connections"] != count:
                    raise RuntimeError(f"server holds {stage['open_connections']} connections, expected {count}")
                stages[f"connections_{count}" if count > 1 else "connection_1"] = stage
            finally:
                clients.stdin.close()
                clients.wait(timeout=60)
        return stages
    finally:
        server.stdin.close()
        server.wait(timeout=60)


def ratios(results):
    by_id = {r["id"]: r for r in results if "value" in r}
    for r in by_id.values():
        r["ratios"] = {}
        for b in r["vs"]:
            base = by_id.get(b)
            if base and base["value"]:
                # Always "this / baseline" of the headline; for latency (lower is better) < 1 means better.
                r["ratios"][b] = r["value"] / base["value"]


def fmt(v):
    if v is None:
        return ""
    if isinstance(v, float) and v >= 1000 or isinstance(v, int):
        return f"{v:,.0f}"
    return f"{v:.3g}"


def unit(r):
    return {"rr-rate": "p99 µs", "rr-max": "req/s sustained", "transfer": "bytes/s"}.get(r["workload"], "frames/s")


def markdown(doc):
    lines = [f"Suite run {doc['started']} — {doc['runs']} run(s) per case, {doc['seconds']} s each, "
             f"{doc.get('payload', 'text')} payloads"
             + (" (SMOKE: checks only, numbers meaningless)" if doc["smoke"] else "") + ".", ""]
    for group in GROUPS:
        rows = [r for r in doc["results"] if r["group"] == group]
        if not rows:
            continue
        lines += [f"### {group}", ""]
        if group == "memory":
            lines += [f"Server JVM flags (as the `vstp` launcher sets them): {' '.join(rows[0].get('server_jvm_opts', []))}",
                      "", "| server | stage | RSS MiB (median, min-max) | heap used after GC MiB | open connections |",
                      "|---|---|---:|---:|---:|"]
            for r in rows:
                for stage, m in r["stages"].items():
                    spread = (f" ({m['rss_min_bytes'] / MIB:.0f}-{m['rss_max_bytes'] / MIB:.0f})"
                              if "rss_min_bytes" in m else "")
                    lines.append(f"| {r['mode']} | {stage} | {m['rss_bytes'] / MIB:.1f}{spread} | "
                                 f"{m['heap_used_bytes'] / MIB:.1f} | {m['open_connections']:.0f} |")
            lines.append("")
            continue
        lines += ["| case | peer | workload | headline (median, min-max) | MB/s | p99 µs | CPU s / M frames | "
                  "alloc B / frame | ratios (this ÷ baseline) |", "|---|---|---|---|---:|---:|---:|---:|---|"]
        for r in rows:
            if "error" in r:
                lines.append(f"| {r['id']} | {r['peer']} | {r['workload']} | FAILED: {r['error'][:120]} | | | | | |")
                continue
            rat = ", ".join(f"{b}: {x:.2f}×" for b, x in r.get("ratios", {}).items())
            mbs = r["bytes_per_second"] / 1e6 if r.get("bytes_per_second") else None
            wire = (f", {r['serverBytesPerMessage']:.1f} B/message on the wire"
                    if r.get("serverBytesPerMessage") else "")
            lines.append(f"| {r['id']} | {r['peer']}{' ' + r['variant'] if r['variant'] else ''}{wire} | {r['workload']} | "
                         f"{fmt(r['value'])} {unit(r)} ({fmt(r['value_min'])}-{fmt(r['value_max'])}) | {fmt(mbs)} | "
                         f"{fmt(r.get('p99_us'))} | {fmt(r.get('cpu_seconds_per_million_frames'))} | "
                         f"{fmt(r.get('allocated_bytes_per_frame'))} | {rat} |")
        lines.append("")
    return "\n".join(lines) + "\n"


def build(force):
    """Builds what the suite runs, when missing (a clean clone) or when asked: the one command does everything."""
    if force or not JAR.exists():
        print("building vstp-bench/target/vstp-suite.jar (mvn package)...", flush=True)
        subprocess.run(["mvn", "-B", "-q", "-ntp", "package", "-pl", "vstp-bench", "-am", "-DskipTests",
                        "-DskipFuzz=true"], cwd=ROOT, check=True)
    if force or not RUST.exists():
        print("building interop/rust (cargo build --release)...", flush=True)
        subprocess.run(["cargo", "build", "--release", "--locked", "--quiet"], cwd=ROOT / "interop" / "rust",
                       check=True)


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--smoke", action="store_true", help="tiny runs that only check every case works")
    ap.add_argument("--runs", type=int, default=3, help="runs per case (default 3; 1 with --smoke)")
    ap.add_argument("--seconds", type=float, default=5.0, help="measured seconds per run (default 5)")
    ap.add_argument("--only", action="append", choices=GROUPS, help="run only these groups (repeatable)")
    ap.add_argument("--case", action="append", help="run only cases whose id starts with this (repeatable)")
    ap.add_argument("--rebuild", action="store_true", help="rebuild the jar and the Rust program first")
    ap.add_argument("--payload", choices=["random", "text"], default="random",
                    help="what the Java peers' payloads are: random bytes (default) or text, which wire v2 compresses "
                         "to almost nothing (the suite's payload before 2026-12-08); the crate never compresses")
    ap.add_argument("--merge", action="store_true",
                    help="keep the other cases of the existing results.json (re-run some cases into a full run)")
    args = ap.parse_args(argv)
    runs = 1 if args.smoke else args.runs
    seconds = 0.3 if args.smoke else args.seconds
    if args.merge and (OUT / "results.json").exists():
        sent = json.loads((OUT / "results.json").read_text()).get("payload", "text")
        if sent != args.payload:
            raise SystemExit(f"--merge: the existing run sent {sent} payloads, this one would send {args.payload}")
    build(args.rebuild)

    selected = [k for k in cases() if (not args.only or k["group"] in args.only)
                and (not args.case or any(k["id"].startswith(p) for p in args.case))]
    for k in selected:
        k["payload"] = args.payload
    results, failures = [], []
    started = time.strftime("%Y-%m-%d %H:%M:%S")
    for k in selected:
        secs = k["seconds"] if k["seconds"] and not args.smoke else seconds
        try:
            if k["workload"] == "rr-max":
                samples = [max_sustainable(k, secs) for _ in range(runs)]
            else:
                # A smoke run only checks that the workload runs: a cold JVM at 10 000 req/s for 0.3 s can meet its
                # in-flight limit during one JIT or GC pause, which says nothing about the system.
                rate = min(k["rate"], SMOKE_RATE) if args.smoke and k["rate"] else k["rate"]
                samples = [smoke_measure(k, secs, rate) if args.smoke else measure(k, secs, rate=rate)
                           for _ in range(runs)]
            r = summarise(k, samples)
            print(f"{k['id']:24} {fmt(r['value']):>14} {unit(r)}", flush=True)
        except (RuntimeError, subprocess.TimeoutExpired, KeyError, ValueError) as e:
            r = dict(k, error=str(e))
            failures.append(k["id"])
            print(f"{k['id']:24} FAILED: {e}", flush=True)
        results.append(r)
    if not args.case and (not args.only or "memory" in args.only):
        try:
            for m in memory(runs, args.smoke):
                results.append(m)
                s = m["stages"]
                last = list(s)[-1]
                print(f"{m['id']:24} idle {s['idle']['rss_bytes'] / MIB:.0f} MiB RSS, {last}: "
                      f"{s[last]['rss_bytes'] / MIB:.0f} MiB RSS", flush=True)
        except (RuntimeError, subprocess.TimeoutExpired, ValueError) as e:
            failures.append("memory")
            print(f"memory FAILED: {e}", flush=True)
    if args.merge and (OUT / "results.json").exists():
        previous = json.loads((OUT / "results.json").read_text())
        fresh = {r["id"] for r in results}
        results = [r for r in previous["results"] if r["id"] not in fresh] + results
        order = {k["id"]: i for i, k in enumerate(cases())}
        results.sort(key=lambda r: order.get(r["id"], len(order)))
        runs, seconds, started = previous["runs"], previous["seconds"], previous["started"]
    ratios(results)

    doc = {"started": started, "smoke": args.smoke, "runs": runs, "seconds": seconds, "payload": args.payload,
           "machine": {"cpus": os.cpu_count(), "uname": " ".join(os.uname())}, "results": results}
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "results.json").write_text(json.dumps(doc, indent=1) + "\n")
    (OUT / "results.md").write_text(markdown(doc))
    print(f"wrote {OUT / 'results.json'} and {OUT / 'results.md'}")
    if failures:
        raise SystemExit(f"{len(failures)} case(s) failed: {', '.join(failures)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
