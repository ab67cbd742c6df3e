#!/usr/bin/env python3
"""The loopback benchmark suite (docs/benchmarks.md): runs `vstp bench` over a fixed set of workloads, several
times each, and writes the medians, their spread and the ratios to baselines measured in the same run.

    vstp-bench/suite/run.py                 # full run: 5 s per measurement, 3 runs each (~3 min)
    vstp-bench/suite/run.py --smoke         # CI smoke: tiny counts, checks that everything runs, never timings

Results: vstp-bench/target/suite/results.json and results.md. Standard library only.
"""

import argparse
import json
import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
OUT = ROOT / "vstp-bench" / "target" / "suite"

# (name, transport, payload size, what it is compared with)
WORKLOADS = [
    ("netty-1KiB", "netty", "1KiB", None),
    ("tcp-1KiB", "tcp", "1KiB", "netty-1KiB"),
    ("tls-1KiB", "tls", "1KiB", "tcp-1KiB"),
    ("netty-64KiB", "netty", "64KiB", None),
    ("tcp-64KiB", "tcp", "64KiB", "netty-64KiB"),
    ("tls-64KiB", "tls", "64KiB", "tcp-64KiB"),
    ("udp-1KiB", "udp", "1KiB", None),
    ("dtls-1KiB", "dtls", "1KiB", "udp-1KiB"),
]


def bench(transport, size, smoke, duration):
    cmd = [str(ROOT / "vstp"), "bench", "--local", "--transport", transport, "--size", size, "--json"]
    cmd += ["--count", "300"] if smoke else ["--duration", duration]
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=600)
    if done.returncode != 0:
        raise SystemExit(f"bench {transport} {size} failed ({done.returncode}): {done.stderr.strip()}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--smoke", action="store_true", help="tiny runs that only check everything works")
    ap.add_argument("--runs", type=int, default=3, help="runs per workload (default 3; 1 with --smoke)")
    ap.add_argument("--duration", default="5s", help="measurement per run (default 5s)")
    args = ap.parse_args(argv)
    runs = 1 if args.smoke else args.runs

    results = {}
    for name, transport, size, _ in WORKLOADS:
        samples = [bench(transport, size, args.smoke, args.duration) for _ in range(runs)]
        fps = [s["frames_per_second"] for s in samples]
        p99 = [s["latency_us"]["p99"] for s in samples]
        results[name] = {
            "transport": transport, "size": size, "runs": runs,
            "frames_per_second": {"median": statistics.median(fps), "min": min(fps), "max": max(fps)},
            "mib_per_second": statistics.median(s["mib_per_second"] for s in samples),
            "p50_us": statistics.median(s["latency_us"]["p50"] for s in samples),
            "p99_us": {"median": statistics.median(p99), "min": min(p99), "max": max(p99)},
            "errors": sum(s["errors"] for s in samples),
            "security": samples[0].get("tls_protocol"), "cipher": samples[0].get("tls_cipher"),
        }
        print(f"{name:12} {results[name]['frames_per_second']['median']:>10.0f} frames/s  "
              f"p99 {results[name]['p99_us']['median']:.0f} us", flush=True)
    for name, _, _, base in WORKLOADS:
        if base:
            r, b = results[name], results[base]
            r["baseline"] = base
            r["ratio_frames_per_second"] = r["frames_per_second"]["median"] / b["frames_per_second"]["median"]
            r["ratio_p99"] = r["p99_us"]["median"] / b["p99_us"]["median"]

    OUT.mkdir(parents=True, exist_ok=True)
    doc = {"smoke": args.smoke, "runs": runs, "duration": None if args.smoke else args.duration,
           "results": results}
    (OUT / "results.json").write_text(json.dumps(doc, indent=1) + "\n")
    lines = ["| workload | frames/s (median, min-max) | MiB/s | p50 µs | p99 µs (median, min-max) | vs | ratio frames/s | ratio p99 |",
             "|---|---|---:|---:|---|---|---:|---:|"]
    for name, _, _, base in WORKLOADS:
        r = results[name]
        f, p = r["frames_per_second"], r["p99_us"]
        lines.append(f"| {name} | {f['median']:.0f} ({f['min']:.0f}-{f['max']:.0f}) | {r['mib_per_second']:.1f} | "
                     f"{r['p50_us']:.0f} | {p['median']:.0f} ({p['min']:.0f}-{p['max']:.0f}) | {base or ''} | "
                     + (f"{r['ratio_frames_per_second']:.2f}x | {r['ratio_p99']:.2f}x |" if base else " | |"))
    (OUT / "results.md").write_text("\n".join(lines) + "\n")
    print(f"wrote {OUT / 'results.json'} and {OUT / 'results.md'}")
    if any(r["errors"] for r in results.values()):
        raise SystemExit("some frames failed: see results.json")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
