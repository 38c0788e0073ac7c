#!/usr/bin/env python3
"""Floods an SMTP server with content that has no line end, and measures its resident memory.

--clients connections to 127.0.0.1:PORT, each greeted and past EHLO, send --megabytes MiB
without a line end at the same time, in one of two forms (--mode):
  line  as a command line: then CRLF; the server must answer 500 (line too long);
  data  as message content: MAIL FROM, RCPT TO, DATA, then the bytes, then CRLF "." CRLF; the
        server must answer 552 (message too big), possibly early, closing the connection.
While they run, a probe session (its own connection: greeting, EHLO, NOOP, QUIT, one after the
other) checks that the server still answers everyone else; each probe's time is kept.

Memory: the server's VmRSS and Pss (/proc/PID/status, smaps_rollup) before the floods, sampled
every 50 ms while they run (the peak), and after they end (--settle seconds later).

Loopback only, bounded: every socket has a timeout, every loop a count. Exits non-zero when a
flooding client did not get the expected reply or a probe failed.
"""
import argparse
import socket
import statistics
import sys
import threading
import time

CHUNK = 64 * 1024


def status_kib(pid, key, path="status"):
    try:
        with open(f"/proc/{pid}/{path}") as f:
            for line in f:
                if line.startswith(key + ":"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def rss(pid):
    return status_kib(pid, "VmRSS")


def pss(pid):
    return status_kib(pid, "Pss", "smaps_rollup")


class Replies:
    """Reads replies from a socket; a multi-line reply is returned whole (its last line)."""

    def __init__(self, sock):
        self.sock = sock
        self.buf = b""

    def next(self):
        while True:
            while b"\r\n" in self.buf:
                line, self.buf = self.buf.split(b"\r\n", 1)
                if len(line) < 4 or line[3:4] != b"-":
                    return line.decode("ascii", "replace")
            data = self.sock.recv(4096)
            if not data:
                raise ConnectionError("connection closed by the server")
            self.buf += data


def expect(replies, code, what):
    line = replies.next()
    if not line.startswith(code):
        raise RuntimeError(f"{what}: expected {code}, got {line!r}")
    return line


def flood(port, mode, megabytes, timeout, results, index, start):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.settimeout(timeout)
    s.bind((f"127.0.0.{2 + index % 50}", 0))
    try:
        s.connect(("127.0.0.1", port))
        r = Replies(s)
        expect(r, "220", "greeting")
        s.sendall(b"EHLO flood.bench.client\r\n")
        expect(r, "250", "EHLO")
        if mode == "data":
            s.sendall(b"MAIL FROM:<flood@bench.client>\r\n")
            expect(r, "250", "MAIL")
            s.sendall(b"RCPT TO:<flood@relay.example>\r\n")
            expect(r, "250", "RCPT")
            s.sendall(b"DATA\r\n")
            expect(r, "354", "DATA")
        start.wait()
        chunk = b"x" * CHUNK
        left = megabytes * 1024 * 1024
        try:
            while left > 0:
                n = min(left, CHUNK)
                s.sendall(chunk[:n])
                left -= n
            s.sendall(b"\r\n" if mode == "line" else b"\r\n.\r\n")
        except (BrokenPipeError, ConnectionResetError):
            # the server may refuse the content and close before it is all sent: its reply is read below
            pass
        results[index] = r.next()
        s.sendall(b"QUIT\r\n")
    except Exception as e:  # noqa: BLE001 - reported per client
        results[index] = f"error: {e!r}"
    finally:
        s.close()


def probe(port, timeout, stop, times, failures):
    while not stop.is_set() and len(times) < 100000:
        t0 = time.perf_counter()
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=timeout,
                                          source_address=("127.0.0.1", 0)) as s:
                r = Replies(s)
                expect(r, "220", "probe greeting")
                s.sendall(b"EHLO probe.bench.client\r\n")
                expect(r, "250", "probe EHLO")
                s.sendall(b"NOOP\r\n")
                expect(r, "250", "probe NOOP")
                s.sendall(b"QUIT\r\n")
                expect(r, "221", "probe QUIT")
            times.append((time.perf_counter() - t0) * 1000)
        except Exception as e:  # noqa: BLE001 - reported
            failures.append(repr(e))
        stop.wait(0.1)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--pid", type=int, required=True, help="the server process")
    ap.add_argument("--mode", choices=["line", "data"], required=True)
    ap.add_argument("--clients", type=int, default=1)
    ap.add_argument("--megabytes", type=int, default=100, help="MiB each client sends without a line end")
    ap.add_argument("--timeout", type=float, default=900.0,
                    help="seconds: for each socket operation and for the whole flood")
    ap.add_argument("--settle", type=float, default=2.0)
    ap.add_argument("--label", default="")
    ap.add_argument("--markdown", action="store_true", help="print one Markdown table row")
    args = ap.parse_args()

    rss0, pss0 = rss(args.pid), pss(args.pid)
    results = [None] * args.clients
    start = threading.Event()
    threads = [threading.Thread(target=flood, args=(args.port, args.mode, args.megabytes, args.timeout, results, i,
                                                    start), daemon=True) for i in range(args.clients)]
    for t in threads:
        t.start()
    stop = threading.Event()
    times, failures = [], []
    prober = threading.Thread(target=probe, args=(args.port, 30.0, stop, times, failures), daemon=True)
    peak_rss, peak_pss = rss0, pss0
    t0 = time.perf_counter()
    start.set()
    prober.start()
    deadline = time.monotonic() + args.timeout
    while any(t.is_alive() for t in threads) and time.monotonic() < deadline:
        peak_rss = max(peak_rss, rss(args.pid))
        peak_pss = max(peak_pss, pss(args.pid))
        time.sleep(0.05)
    seconds = time.perf_counter() - t0
    stop.set()
    prober.join(35)
    time.sleep(args.settle)
    rss1, pss1 = rss(args.pid), pss(args.pid)

    want = "500" if args.mode == "line" else "552"
    wrong = [r for r in results if r is None or not r.startswith(want)]
    times.sort()
    report = {
        "mode": args.mode, "clients": args.clients, "mib_each": args.megabytes, "seconds": round(seconds, 1),
        "rss_before_kib": rss0, "rss_peak_kib": peak_rss, "rss_after_kib": rss1,
        "rss_growth_peak_mib": round((peak_rss - rss0) / 1024, 1),
        "pss_before_kib": pss0, "pss_peak_kib": peak_pss, "pss_after_kib": pss1,
        "replies": sorted(set(r.split(" ", 2)[0] + " " + r.split(" ", 2)[1] if r and " " in r else str(r)
                              for r in results)),
        "probes": len(times), "probe_failures": len(failures),
        "probe_ms_p50": round(statistics.median(times), 1) if times else None,
        "probe_ms_max": round(times[-1], 1) if times else None,
    }
    print(" ".join(f"{k}={v}" for k, v in report.items()), file=sys.stderr)
    if args.markdown:
        mib = lambda k: f"{k / 1024:,.0f} MiB"
        print(f"| {args.label} | {args.mode} | {args.clients} x {args.megabytes} MiB | {seconds:.1f} s | {mib(rss0)} | "
              f"{mib(peak_rss)} | +{(peak_rss - rss0) / 1024:,.0f} MiB | {mib(rss1)} | "
              f"{', '.join(report['replies'])} | {len(times)} ok, max {report['probe_ms_max']} ms |")
    if wrong:
        sys.exit(f"{len(wrong)} of {args.clients} flooding clients did not get {want}: {wrong[:3]}")
    if failures or not times:
        sys.exit(f"probe sessions failed during the floods: {failures[:3]}")


if __name__ == "__main__":
    main()
