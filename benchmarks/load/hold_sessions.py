#!/usr/bin/env python3
"""Holds many idle SMTP sessions open on a server and measures what they cost it.

Opens --sessions connections to 127.0.0.1:PORT, each one greeted and past EHLO, spread over
several source addresses 127.0.0.2.. (so that no single address runs out of ephemeral ports).
While they are all held it measures:
  - the server's resident memory (VmRSS from /proc/PID/status) and proportional set size (Pss
    from /proc/PID/smaps_rollup) before and while held, and their differences per session; for a
    JVM (--pid with --jcmd) also the live heap after a full GC (jcmd GC.class_histogram) before
    and while held (--histograms keeps both histograms, to see what each session holds);
  - the time a new session waits for its greeting: --probes sequential connections, from connect()
    to the end of the 220 line, each followed by QUIT.
For Postfix (--postfix-master PID) the memory is that of its smtpd processes (children of the
master), one per held session: the sum of their VmRSS and of their Pss (proportional set size:
shared pages divided among the processes that map them) while held, divided by their number (idle
smtpd processes left from earlier runs serve some of the sessions, so a difference with the
memory before would undercount).

Loopback only, bounded in count and time: every socket has a timeout, and all are closed at the
end. Needs RLIMIT_NOFILE above --sessions (raised here as far as the hard limit allows; root can
raise the hard limit too).
"""
import argparse
import os
import resource
import socket
import statistics
import subprocess
import sys
import time

CHUNK = 200


def rss_kib(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def pss_kib(pid):
    try:
        with open(f"/proc/{pid}/smaps_rollup") as f:
            for line in f:
                if line.startswith("Pss:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def smtpd_children(master):
    pids = []
    for d in os.listdir("/proc"):
        if not d.isdigit():
            continue
        try:
            with open(f"/proc/{d}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
            with open(f"/proc/{d}/comm") as f:
                comm = f.read().strip()
        except OSError:
            continue
        if int(fields[1]) == master and comm == "smtpd":
            pids.append(int(d))
    return pids


def postfix_memory(master):
    pids = smtpd_children(master)
    return len(pids), sum(rss_kib(p) for p in pids), sum(pss_kib(p) for p in pids)


def live_heap_kib(pid, keep=None):
    """Live objects after a full GC, from jcmd's class histogram (its 'Total' line); the whole
    histogram goes to the file `keep` when given."""
    try:
        out = subprocess.run(["jcmd", str(pid), "GC.class_histogram"], capture_output=True, text=True,
                             timeout=300).stdout
    except (OSError, subprocess.TimeoutExpired):
        return None
    if keep:
        with open(keep, "w") as f:
            f.write(out)
    for line in out.splitlines():
        if line.startswith("Total"):
            return int(line.split()[2]) // 1024
    return None


def read_reply(sock, buf=b""):
    """Reads one whole (possibly multi-line) reply; returns (code, rest of buffer)."""
    while True:
        while b"\r\n" in buf:
            line, buf = buf.split(b"\r\n", 1)
            if len(line) < 4 or line[3:4] != b"-":
                return line[:3], buf
        data = sock.recv(4096)
        if not data:
            raise ConnectionError("connection closed by the server")
        buf += data


def open_sessions(port, n, sources, timeout):
    held = []
    for start in range(0, n, CHUNK):
        batch = []
        for i in range(start, min(n, start + CHUNK)):
            s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            s.settimeout(timeout)
            s.bind((f"127.0.0.{2 + i % sources}", 0))
            s.connect(("127.0.0.1", port))
            batch.append(s)
        for s in batch:
            code, _ = read_reply(s)
            if code != b"220":
                raise RuntimeError(f"greeting {code!r}")
            s.sendall(b"EHLO hold.bench.client\r\n")
        for s in batch:
            code, _ = read_reply(s)
            if code != b"250":
                raise RuntimeError(f"EHLO answered {code!r}")
        held.extend(batch)
    return held


def probe_greetings(port, probes, timeout):
    times = []
    for i in range(probes):
        t0 = time.perf_counter()
        s = socket.create_connection(("127.0.0.1", port), timeout=timeout, source_address=("127.0.0.1", 0))
        code, _ = read_reply(s)
        times.append((time.perf_counter() - t0) * 1000)
        if code != b"220":
            raise RuntimeError(f"greeting {code!r}")
        s.sendall(b"QUIT\r\n")
        s.close()
        time.sleep(0.01)
    return times


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--sessions", type=int, default=10000)
    ap.add_argument("--pid", type=int, help="the server process (a single process, e.g. Postino's JVM)")
    ap.add_argument("--jcmd", action="store_true", help="also measure the JVM's live heap with jcmd")
    ap.add_argument("--histograms", metavar="PREFIX",
                    help="with --jcmd: keep the class histograms in PREFIX-before.txt and PREFIX-held.txt")
    ap.add_argument("--postfix-master", type=int, help="Postfix's master process: measure its smtpd children")
    ap.add_argument("--sources", type=int, default=50, help="source addresses 127.0.0.2..")
    ap.add_argument("--probes", type=int, default=200)
    ap.add_argument("--timeout", type=float, default=30.0)
    ap.add_argument("--settle", type=float, default=3.0, help="seconds to wait before measuring memory")
    ap.add_argument("--label", default="server")
    ap.add_argument("--markdown", action="store_true", help="print one Markdown table row")
    args = ap.parse_args()
    if not args.pid and not args.postfix_master:
        ap.error("--pid or --postfix-master")

    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    want = args.sessions + 1000
    if soft < want:
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (max(want, hard), max(want, hard)))
        except (ValueError, OSError):
            resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
            if hard < want:
                sys.exit(f"RLIMIT_NOFILE hard limit {hard} is below {want}: raise it (ulimit -Hn)")

    def memory():
        if args.postfix_master:
            return postfix_memory(args.postfix_master)
        return 1, rss_kib(args.pid), pss_kib(args.pid)

    def histogram(when):
        return f"{args.histograms}-{when}.txt" if args.histograms else None

    heap_before = live_heap_kib(args.pid, histogram("before")) if args.pid and args.jcmd else None
    time.sleep(args.settle)
    procs0, rss0, pss0 = memory()
    t0 = time.perf_counter()
    held = open_sessions(args.port, args.sessions, args.sources, args.timeout)
    opened_s = time.perf_counter() - t0
    time.sleep(args.settle)
    procs1, rss1, pss1 = memory()
    greet = probe_greetings(args.port, args.probes, args.timeout)
    heap_held = live_heap_kib(args.pid, histogram("held")) if args.pid and args.jcmd else None
    # still all there?
    alive = 0
    for s in held:
        try:
            s.sendall(b"NOOP\r\n")
            code, _ = read_reply(s)
            alive += code == b"250"
        except OSError:
            pass
    for s in held:
        s.close()

    n = args.sessions
    per_rss = (rss1 - rss0) / n
    if args.postfix_master:
        per_rss = rss1 / max(1, procs1)
    greet.sort()
    p50 = statistics.median(greet)
    p99 = greet[min(len(greet) - 1, int(len(greet) * 0.99))]
    report = {
        "sessions": n, "alive_after": alive, "open_seconds": round(opened_s, 2),
        "rss_before_kib": rss0, "rss_held_kib": rss1, "rss_per_session_kib": round(per_rss, 1),
        "greeting_ms_p50": round(p50, 2), "greeting_ms_p99": round(p99, 2), "greeting_ms_max": round(greet[-1], 2),
    }
    if not args.postfix_master:
        report.update(pss_before_kib=pss0, pss_held_kib=pss1, pss_per_session_kib=round((pss1 - pss0) / n, 1))
    if args.postfix_master:
        report.update(smtpd_before=procs0, smtpd_held=procs1, pss_before_kib=pss0, pss_held_kib=pss1,
                      pss_per_session_kib=round(pss1 / max(1, procs1), 1))
    if heap_before is not None and heap_held is not None:
        report.update(live_heap_before_kib=heap_before, live_heap_held_kib=heap_held,
                      live_heap_per_session_kib=round((heap_held - heap_before) / n, 1))
    print(" ".join(f"{k}={v}" for k, v in report.items()), file=sys.stderr)
    if alive != n:
        sys.exit(f"only {alive} of {n} sessions still answered NOOP")
    if args.markdown:
        mib = lambda k: f"{k / 1024:,.0f} MiB"
        per = f"{per_rss:,.1f} KiB"
        if args.postfix_master:
            per += f" (Pss {pss1 / max(1, procs1):,.1f} KiB), per smtpd"
        else:
            per += f" (Pss {report['pss_per_session_kib']:,.1f} KiB)"
        if "live_heap_per_session_kib" in report:
            per += f" (live heap {report['live_heap_per_session_kib']:,.1f} KiB)"
        print(f"| {args.label} | {n:,} | {mib(rss0)} | {mib(rss1)} | {per} | {p50:.2f} ms | {p99:.2f} ms | {greet[-1]:.2f} ms |")
    else:
        print(report)


if __name__ == "__main__":
    main()
