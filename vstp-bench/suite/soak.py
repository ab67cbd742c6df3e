#!/usr/bin/env python3
"""Soak: a `vstp serve`-like server (MemoryProbe, TLS) holding N connections with steady echo traffic for M minutes;
its RSS and heap after GC are sampled every 30 s. Flat means: the median of the second half is within 5 % of the
median of the first half. A benchmark, not a test: it prints and writes numbers, it never fails a build.

    vstp-bench/suite/soak.py [--connections 10000] [--minutes 10] [--rate 2000] [--out FILE]

Needs the suite jar (vstp-bench/suite/run.py --rebuild builds it).
"""
import argparse
import json
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import run  # noqa: E402  (the suite: its jar and the launcher's JVM flags)

MIB = 1024 * 1024


def soak(connections, minutes, rate, interval=30):
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < 2 * connections + 1000:
        resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, 4 * connections + 1000), hard))
    cp = ["java", "-cp", str(run.JAR), "io.vstp.bench.suite.MemoryProbe"]
    server = subprocess.Popen(["java"] + run.server_jvm_opts() + cp[1:] + ["server", "tls"], stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, text=True)
    samples = []
    try:
        first = server.stdout.readline().split()
        port, fingerprint = first[1], first[2]

        def ask():
            server.stdin.write("measure\n")
            server.stdin.flush()
            return json.loads(server.stdout.readline())

        clients = subprocess.Popen(cp + ["clients", "tls", port, fingerprint, str(connections), str(rate)],
                                   stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        try:
            line = clients.stdout.readline().strip()
            if line != f"connected {connections}":
                raise RuntimeError(f"soak clients: expected 'connected {connections}', got {line!r}")
            start = time.monotonic()
            while time.monotonic() - start < minutes * 60:
                m = ask()
                m["seconds"] = round(time.monotonic() - start)
                samples.append(m)
                print(f"{m['seconds']:5d} s  RSS {m['rss_bytes'] / MIB:7.1f} MiB  heap after GC "
                      f"{m['heap_used_bytes'] / MIB:6.1f} MiB  connections {m['open_connections']}", flush=True)
                time.sleep(interval)
        finally:
            clients.stdin.close()
            clients.wait(timeout=120)
    finally:
        server.stdin.close()
        server.wait(timeout=60)
    half = len(samples) // 2
    early = statistics.median(s["rss_bytes"] for s in samples[:half]) if half else None
    late = statistics.median(s["rss_bytes"] for s in samples[half:]) if half else None
    return {"connections": connections, "minutes": minutes, "rate": rate, "samples": samples,
            "rss_first_half_median": early, "rss_second_half_median": late,
            "flat": bool(early and late and late <= early * 1.05)}


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--connections", type=int, default=10_000)
    ap.add_argument("--minutes", type=float, default=10)
    ap.add_argument("--rate", type=int, default=2000, help="echo requests of 1 KiB per second, all connections")
    ap.add_argument("--out", type=Path, default=run.ROOT / "vstp-bench" / "target" / "soak.json")
    args = ap.parse_args(argv)
    result = soak(args.connections, args.minutes, args.rate)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2))
    early, late = result["rss_first_half_median"], result["rss_second_half_median"]
    if early and late:
        print(f"RSS median first half {early / MIB:.1f} MiB, second half {late / MIB:.1f} MiB: "
              f"{'flat' if result['flat'] else 'GROWING'} ({args.out})")


if __name__ == "__main__":
    main(sys.argv[1:])
