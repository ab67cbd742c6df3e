#!/usr/bin/env python3
"""File transfer as a user runs it (issue 18): `vstp put` and `vstp get` against `vstp serve`, separate processes on
127.0.0.1, TLS 1.3 with the launcher's defaults, against baselines run in the same minutes:

- a raw TLS 1.3 pipe: socat on OpenSSL, file to file (the fastest a TLS stream of these bytes can go here);
- scp and sftp with aes128-gcm@openssh.com against a throwaway sshd bound to 127.0.0.1 (when sshd is installed).

    vstp-bench/suite/transfer.py                      # 1 GiB and 64 MiB, 3 runs each, medians (about 5 minutes)
    vstp-bench/suite/transfer.py --sizes 64 --runs 1  # one quick look (sizes in MiB)

Sizes up to 256 MiB also run `vstp demo --size N` and set its put/tls and get/tls figures beside the script's own.
    vstp-bench/suite/transfer.py --smoke              # CI: one small put/get, checks it works; never judges timings

Every figure is the wall time of the whole command (JVM start, handshake and the end-to-end SHA-256 check
included), so MiB/s is what a user sees; `vstp` also reports its own transfer time (`--json`), given beside it.
Peak RSS is each process's high-water mark (VmHWM; the client's from wait4). Results: vstp-bench/target/transfer/
results.json and results.md. Standard library only; uses ./vstp, which builds its jar when needed.
"""

import argparse
import json
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
OUT = ROOT / "vstp-bench" / "target" / "transfer"
VSTP = ROOT / "vstp"
MIB = 1024 * 1024
JAVA_OPTS = {"server": None, "client": None}  # VSTP_JAVA_OPTS of each side, for experiments (None: as inherited)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_port(port, proc, seconds=60):
    deadline = time.time() + seconds
    while time.time() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited with {proc.returncode} before listening")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"nothing listens on {port} after {seconds} s")


def status_kib(pid, field):
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1])
    except OSError:
        pass
    return None


def cpu_seconds(pid):
    """User plus system CPU time a process has used so far (/proc/PID/stat), or None when it is gone."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, IndexError, ValueError):
        return None


def timed(cmd, env=None):
    """Runs cmd, returning (seconds, peak RSS in MiB of that process, stdout, CPU seconds it used)."""
    start = time.perf_counter()
    # Peak RSS from GNU time when there is one: wait4's ru_maxrss of a child of this Python starts at this Python's
    # own peak (Linux carries it over the exec), which hides any smaller figure.
    rss_file = None
    if os.path.exists("/usr/bin/time"):
        fd, rss_file = tempfile.mkstemp(prefix="vstp-rss-")
        os.close(fd)
        cmd = ["/usr/bin/time", "-f", "%M", "-o", rss_file, *cmd]
    p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
    # Read the pipes while waiting, then reap with wait4 for this process's own peak RSS.
    chunks = {"out": [], "err": []}

    def drain(stream, key):
        for block in iter(lambda: stream.read(65536), b""):
            chunks[key].append(block)

    threads = [threading.Thread(target=drain, args=(p.stdout, "out")),
               threading.Thread(target=drain, args=(p.stderr, "err"))]
    for t in threads:
        t.start()
    _, status, usage = os.wait4(p.pid, 0)
    seconds = time.perf_counter() - start
    for t in threads:
        t.join()
    p.returncode = os.waitstatus_to_exitcode(status)
    out, err = b"".join(chunks["out"]), b"".join(chunks["err"])
    if p.returncode != 0:
        raise RuntimeError(f"{' '.join(map(str, cmd))} exited {p.returncode}: {err.decode(errors='replace')[-2000:]}")
    rss = usage.ru_maxrss / 1024
    if rss_file:
        rss = int(Path(rss_file).read_text().split()[-1]) / 1024
        os.unlink(rss_file)
    # ru_*time of a child include the children it waited for: GNU time's figure is the command's.
    return seconds, rss, out.decode(errors="replace"), usage.ru_utime + usage.ru_stime


def make_file(path, size):
    if path.exists() and path.stat().st_size == size:
        return
    with open(path, "wb") as f:
        left = size
        while left:
            n = min(left, 8 * MIB)
            f.write(os.urandom(n))
            left -= n


def same(a, b):
    with open(a, "rb") as x, open(b, "rb") as y:
        while True:
            p, q = x.read(8 * MIB), y.read(8 * MIB)
            if p != q:
                return False
            if not p:
                return True


class VstpServer:
    """`vstp serve` with its defaults (TLS 1.3, access token), in a home of its own."""

    def __init__(self, work, name):
        self.home = work / f"server-home-{name}"
        self.dir = work / f"served-{name}"
        self.port = free_port()
        self.proc = None

    def __enter__(self):
        shutil.rmtree(self.dir, ignore_errors=True)
        self.dir.mkdir(parents=True)
        env = dict(os.environ, VSTP_HOME=str(self.home))
        if JAVA_OPTS["server"] is not None:
            env["VSTP_JAVA_OPTS"] = JAVA_OPTS["server"]
        self.log_path = work_log = self.home.parent / f"{self.home.name}.log"
        self.log = open(work_log, "wb")
        self.proc = subprocess.Popen([str(VSTP), "serve", "--host", "127.0.0.1", "--port", str(self.port),
                                      "--dir", str(self.dir), "--no-udp"],
                                     stdout=self.log, stderr=self.log, env=env)
        wait_port(self.port, self.proc)
        time.sleep(6)  # idle: past start-up's compilations and one trim of the native heap (every 5 s)
        self.idle_rss = (status_kib(self.proc.pid, "VmRSS") or 0) / 1024
        return self

    def peak_rss(self):
        return (status_kib(self.proc.pid, "VmHWM") or 0) / 1024

    def __exit__(self, *exc):
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        self.log.close()

    def pin(self):
        """The certificate's fingerprint, as the server's start-up line prints it."""
        text = self.log_path.read_text(errors="replace")
        found = re.findall(r"certificate (sha256:[0-9a-f]{64})", text)
        if not found:
            raise RuntimeError("the server printed no certificate fingerprint:\n" + text[-2000:])
        return found[-1]


def vstp_client_env(work, server):
    env = dict(os.environ, VSTP_HOME=str(work / "client-home"))
    if JAVA_OPTS["client"] is not None:
        env["VSTP_JAVA_OPTS"] = JAVA_OPTS["client"]
    env["VSTP_TOKEN"] = (server.home / "access-token").read_text().strip()
    return env


def vstp_transfer(work, src, direction, server):
    env = vstp_client_env(work, server)
    target = f"127.0.0.1:{server.port}/{src.name}"
    if direction == "put":
        cmd = [str(VSTP), "put", str(src), target, "--pin", server.pin(), "--json", "--force"]
    else:
        dest = work / "got" / src.name
        dest.parent.mkdir(exist_ok=True)
        if dest.exists():
            dest.unlink()
        cmd = [str(VSTP), "get", target, str(dest), "--pin", server.pin(), "--json"]
    server_cpu = cpu_seconds(server.proc.pid)
    seconds, rss, out, cpu = timed(cmd, env)
    server_cpu_after = cpu_seconds(server.proc.pid)
    own = None
    try:
        own = json.loads(out.strip().splitlines()[-1]).get("seconds")
    except (ValueError, IndexError, AttributeError):
        pass
    landed = server.dir / src.name if direction == "put" else work / "got" / src.name
    if not same(src, landed):
        raise RuntimeError(f"vstp {direction} of {src.name}: the copy differs")
    return dict(seconds=seconds, own_seconds=own, client_rss=rss, server_idle_rss=server.idle_rss, client_cpu=cpu,
                server_cpu=None if server_cpu is None or server_cpu_after is None else server_cpu_after - server_cpu)


def socat_pipe(work, src):
    """A raw TLS 1.3 pipe on OpenSSL: socat file to file through 127.0.0.1."""
    cert, key = work / "pipe-cert.pem", work / "pipe-key.pem"
    if not cert.exists():
        subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                        "-keyout", str(key), "-out", str(cert), "-days", "1", "-subj", "/CN=localhost"],
                       check=True, capture_output=True)
    dest = work / "pipe-out"
    if dest.exists():
        dest.unlink()
    port = free_port()
    server = subprocess.Popen(["socat", "-u", f"OPENSSL-LISTEN:{port},bind=127.0.0.1,reuseaddr,cert={cert},"
                               f"key={key},verify=0,openssl-min-proto-version=TLS1.3", f"CREATE:{dest}"],
                              stderr=subprocess.PIPE)
    deadline = time.time() + 10
    while time.time() < deadline:
        if subprocess.run(["ss", "-ltn", f"sport = :{port}"], capture_output=True, text=True).stdout.count("LISTEN"):
            break
        time.sleep(0.02)
    start = time.perf_counter()
    seconds, rss, _, cpu = timed(["socat", "-u", f"FILE:{src}",
                                  f"OPENSSL:127.0.0.1:{port},verify=0,openssl-min-proto-version=TLS1.3"])
    _, _, usage = os.wait4(server.pid, 0)
    server.returncode = 0
    seconds = time.perf_counter() - start  # until the receiving side has written everything
    if not same(src, dest):
        raise RuntimeError("socat pipe: the copy differs")
    return dict(seconds=seconds, client_rss=rss, client_cpu=cpu, server_cpu=usage.ru_utime + usage.ru_stime)


class Sshd:
    """A throwaway sshd on 127.0.0.1 with its own host key and one authorised key (ours)."""

    def __init__(self, work):
        self.dir = work / "sshd"
        self.port = free_port()

    def __enter__(self):
        d = self.dir
        d.mkdir(exist_ok=True)
        for name in ("host", "client"):
            if not (d / name).exists():
                subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(d / name)], check=True)
        shutil.copy(d / "client.pub", d / "authorized_keys")
        os.chmod(d / "authorized_keys", 0o600)
        Path("/run/sshd").mkdir(exist_ok=True)
        (d / "sshd_config").write_text(
            f"ListenAddress 127.0.0.1\nPort {self.port}\nHostKey {d / 'host'}\nAuthorizedKeysFile {d}/authorized_keys\n"
            "PasswordAuthentication no\nKbdInteractiveAuthentication no\nPermitRootLogin prohibit-password\n"
            "UsePAM no\nStrictModes no\nSubsystem sftp internal-sftp\nPidFile none\n")
        self.proc = subprocess.Popen([shutil.which("sshd") or "/usr/sbin/sshd", "-D", "-e", "-f",
                                      str(d / "sshd_config")], stderr=subprocess.DEVNULL)
        wait_port(self.port, self.proc, 20)
        return self

    def __exit__(self, *exc):
        self.proc.terminate()
        self.proc.wait(timeout=10)

    def opts(self):
        return ["-i", str(self.dir / "client"), "-o", "StrictHostKeyChecking=no", "-o",
                f"UserKnownHostsFile={self.dir / 'known_hosts'}", "-o", "BatchMode=yes",
                "-c", "aes128-gcm@openssh.com"]


def scp(work, sshd, src, direction):
    remote_dir = work / "scp-remote"
    remote_dir.mkdir(exist_ok=True)
    user = os.environ.get("USER") or "root"
    if direction == "put":
        dest = remote_dir / src.name
        cmd = ["scp", "-q", "-P", str(sshd.port), *sshd.opts(), str(src), f"{user}@127.0.0.1:{dest}"]
    else:
        remote = remote_dir / src.name
        if not remote.exists():
            shutil.copy(src, remote)
        dest = work / "scp-got"
        cmd = ["scp", "-q", "-P", str(sshd.port), *sshd.opts(), f"{user}@127.0.0.1:{remote}", str(dest)]
    if dest.exists():
        dest.unlink()
    seconds, rss, _, cpu = timed(cmd)
    if not same(src, dest):
        raise RuntimeError(f"scp {direction}: the copy differs")
    return dict(seconds=seconds, client_rss=rss, client_cpu=cpu)  # sshd's side runs in a process it forks


DEMO_LINE = re.compile(r"^(put|get)/tls .* = ([0-9.]+) MiB/s", re.M)


def demo(mib):
    """`vstp demo --size MIB`, as a user runs it: the MiB/s its put/tls and get/tls lines report."""
    env = dict(os.environ)
    if JAVA_OPTS["client"] is not None:  # as vstp put/get get them (vstp_client_env)
        env["VSTP_JAVA_OPTS"] = JAVA_OPTS["client"]
    done = subprocess.run([str(VSTP), "demo", "--size", str(mib)], capture_output=True, text=True, timeout=900,
                          env=env)
    found = dict((op, float(v)) for op, v in DEMO_LINE.findall(done.stdout))
    if done.returncode != 0 or len(found) != 2:
        raise RuntimeError(f"vstp demo --size {mib} failed ({done.returncode}): {(done.stdout + done.stderr)[-800:]}")
    return found


def med(samples, key):
    values = [s[key] for s in samples if s.get(key) is not None]
    return statistics.median(values) if values else None


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", default="1024,64", help="file sizes in MiB, comma-separated (default 1024,64)")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--smoke", action="store_true", help="one 4 MiB put and get; checks they work, judges nothing")
    ap.add_argument("--work", default=None, help="scratch directory (default: a temporary one on /tmp)")
    ap.add_argument("--server-java-opts", help="VSTP_JAVA_OPTS of the server (experiments: what a flag changes)")
    ap.add_argument("--client-java-opts", help="VSTP_JAVA_OPTS of vstp put/get")
    ap.add_argument("--only", choices=["vstp", "baselines"], help="run only vstp, or only the baselines")
    args = ap.parse_args(argv)
    JAVA_OPTS.update(server=args.server_java_opts, client=args.client_java_opts)
    sizes = [4] if args.smoke else [int(s) for s in args.sizes.split(",")]
    runs = 1 if args.smoke else args.runs
    subprocess.run([str(VSTP), "--version"], check=True, capture_output=True)  # builds the jar if needed
    work = Path(args.work) if args.work else Path(tempfile.mkdtemp(prefix="vstp-transfer-"))
    work.mkdir(parents=True, exist_ok=True)
    have_socat = shutil.which("socat") is not None and not args.smoke
    have_sshd = (shutil.which("sshd") or os.path.exists("/usr/sbin/sshd")) and shutil.which("scp") and not args.smoke
    results = dict(date=time.strftime("%Y-%m-%d %H:%M"), cpus=os.cpu_count(), runs=runs, cases=[])
    try:
        for mib in sizes:
            src = work / f"data-{mib}MiB"
            make_file(src, mib * MIB)
            samples = {k: [] for k in ("vstp put", "vstp get", "tls pipe", "scp put", "scp get")}
            # One server for the puts and one for the gets, running through all runs as a server does: the first
            # run meets its cold JIT and the get server's first hash of the file, the median the steady state.
            with VstpServer(work, "put") as put_server, VstpServer(work, "get") as get_server:
                shutil.copy(src, get_server.dir / src.name)
                for r in range(runs):
                    if args.only != "baselines":
                        samples["vstp put"].append(vstp_transfer(work, src, "put", put_server))
                        samples["vstp get"].append(vstp_transfer(work, src, "get", get_server))
                    if have_socat and args.only != "vstp":
                        samples["tls pipe"].append(socat_pipe(work, src))
                    if have_sshd and args.only != "vstp":
                        with Sshd(work) as sshd:
                            samples["scp put"].append(scp(work, sshd, src, "put"))
                            samples["scp get"].append(scp(work, sshd, src, "get"))
                    print(f"{mib} MiB run {r + 1}/{runs}: " + ", ".join(
                        f"{k} {mib / v[-1]['seconds']:.0f} MiB/s" for k, v in samples.items() if v), file=sys.stderr)
                for name, server in (("vstp put", put_server), ("vstp get", get_server)):
                    for sample in samples[name]:
                        sample["server_rss"] = server.peak_rss()  # the peak over all its runs
            if mib <= 256 and args.only != "baselines" and not args.smoke:
                # The demo's figures against the script's own (issue 18 item 3): same size, same minutes.
                shown = [demo(mib) for _ in range(runs)]
                for op in ("put", "get"):
                    own = med(samples[f"vstp {op}"], "own_seconds")
                    value = statistics.median(d[op] for d in shown)
                    results["cases"].append(dict(case=f"demo {op}/tls", mib=mib, mib_s=value,
                                                 spread=[d[op] for d in shown],
                                                 vs_own=round(value / (mib / own), 2) if own else None))
            for name, s in samples.items():
                if not s:
                    continue
                secs = med(s, "seconds")
                row = dict(case=name, mib=mib, seconds=secs, mib_s=mib / secs,
                           spread=[round(mib / x["seconds"], 1) for x in s],
                           own_mib_s=(mib / med(s, "own_seconds")) if med(s, "own_seconds") else None,
                           client_rss=med(s, "client_rss"), server_rss=med(s, "server_rss"),
                           client_cpu=med(s, "client_cpu"), server_cpu=med(s, "server_cpu"),
                           server_idle_rss=med(s, "server_idle_rss"))
                results["cases"].append(row)
    finally:
        if not args.work:
            shutil.rmtree(work, ignore_errors=True)
    by = {(c["case"], c["mib"]): c for c in results["cases"]}
    for c in results["cases"]:
        for base in ("tls pipe", "scp put" if "put" in c["case"] else "scp get"):
            b = by.get((base, c["mib"]))
            if b and c["case"].startswith("vstp"):
                # Paired: each run's ratio against the baseline run in the same minute, then their median. This
                # machine's speed drifts between runs (its memory bandwidth by up to 2x), the pairs much less.
                pairs = [mine / theirs for mine, theirs in zip(c["spread"], b["spread"])]
                c[f"vs {base}"] = round(statistics.median(pairs), 2)
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "results.json").write_text(json.dumps(results, indent=1))
    lines = [f"Transfer, {results['date']}, {results['cpus']} CPUs, {runs} run(s), medians (MiB/s of wall time; vs columns: median of each run's ratio to the baseline "
             "run beside it)", "",
             "| case | size | MiB/s | runs | vstp's own MiB/s | vs tls pipe | vs scp | client RSS MiB | server RSS MiB "
             "| idle server MiB | client / server CPU s |", "|---|---:|---:|---|---:|---:|---:|---:|---:|---:|---|"]
    for c in results["cases"]:
        f = lambda v, d=0: "" if v is None else f"{v:.{d}f}"
        if c["case"].startswith("demo"):
            lines.append(f"| {c['case']} (÷ vstp's own: {f(c['vs_own'], 2)}) | {c['mib']} MiB | {f(c['mib_s'])} "
                         f"| {c['spread']} | | | | | | | |")
            continue
        vs_scp = c.get("vs scp put", c.get("vs scp get"))
        lines.append(f"| {c['case']} | {c['mib']} MiB | {f(c['mib_s'])} | {c['spread']} | {f(c['own_mib_s'])} "
                     f"| {f(c.get('vs tls pipe'), 2)} | {f(vs_scp, 2)} | {f(c['client_rss'])} | {f(c['server_rss'])} "
                     f"| {f(c['server_idle_rss'])} | {f(c['client_cpu'], 1)} / {f(c['server_cpu'], 1)} |")
    (OUT / "results.md").write_text("\n".join(lines) + "\n")
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
