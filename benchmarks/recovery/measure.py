#!/usr/bin/env python3
"""Starts Postino on a full spool and times its recovery (used by run.sh).

Usage: measure.py JAR CONF SPOOL_DIR SMTP_PORT [JAVA_OPTS...]

Prints one line of key=value figures, seconds from the moment the JVM was started:
  listening     the "listening for SMTP" log line
  accepted      a new message sent as soon as the port answers got its 250 (and how long its
                session took, from connect to 250: accept_session)
  new_done      that new message delivered
  recovered     the journal of the previous run replayed (the "recovered ... journal segment(s)"
                log line; the queue lists the spool from then on)
  first         the first message of the previous run delivered (its "done" log line)
  drained       the spool's incoming/ is empty: every recovered message and the new one delivered
  rss_max_mib   the JVM's peak resident memory (VmHWM)
"""
import atexit
import os
import signal
import socket
import subprocess
import sys
import threading
import time

jar, conf, spool, port = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
java_opts = sys.argv[5:]
incoming = os.path.join(spool, "incoming")

t0 = time.monotonic()
proc = subprocess.Popen(["java", *java_opts, "-jar", jar, "-conf", conf],
                        stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True, bufsize=1)
# the server goes with this script, however it ends
atexit.register(lambda: proc.poll() is None and proc.kill())
signal.signal(signal.SIGTERM, lambda *a: sys.exit(143))
marks = {}
new_id = []
done_count = [0]
log_tail = []


def mark(name):
    if name not in marks:
        marks[name] = time.monotonic() - t0
        print("  %-10s %.2f s" % (name, marks[name]), file=sys.stderr, flush=True)


def read_log():
    for line in proc.stderr:
        if "listening for SMTP" in line:
            mark("listening")
        elif "journal segment(s) of the previous run" in line:
            mark("recovered")
        elif line.rstrip().endswith(": done"):
            done_count[0] += 1
            queue_id = line.rstrip()[:-len(": done")].split()[-1]
            mark("new_done" if new_id and queue_id == new_id[0] else "first")
        elif " WARN " in line or " ERROR " in line:
            if len(log_tail) < 20:
                log_tail.append(line.rstrip())


def smtp_send():
    """One new message, as soon as the port takes connections; times its session."""
    while True:
        try:
            s = socket.create_connection(("127.0.0.1", port), timeout=600)
            break
        except OSError:
            time.sleep(0.01)
    start = time.monotonic()
    f = s.makefile("rwb", buffering=0)

    def reply():
        while True:
            line = f.readline().decode()
            if line[3:4] != "-":
                return line

    def cmd(c, want):
        f.write((c + "\r\n").encode())
        r = reply()
        if not r.startswith(want):
            raise SystemExit("unexpected reply to %s: %s" % (c, r))

    if not reply().startswith("220"):
        raise SystemExit("no greeting")
    cmd("EHLO bench.example", "250")
    cmd("MAIL FROM:<new@bench.example>", "250")
    cmd("RCPT TO:<new@sink.example>", "250")
    cmd("DATA", "354")
    f.write(b"Subject: sent during recovery\r\n\r\nhello\r\n.\r\n")
    r = reply()
    if not r.startswith("250"):
        raise SystemExit("message refused: " + r)
    new_id.append(r.split()[-1])
    mark("accepted")
    marks["accept_session"] = time.monotonic() - start
    cmd("QUIT", "221")
    s.close()


def sample_memory():
    while proc.poll() is None and "drained" not in marks:
        try:
            with open("/proc/%d/status" % proc.pid) as st:
                for line in st:
                    if line.startswith("VmHWM:"):
                        marks["rss_max_mib"] = int(line.split()[1]) // 1024
        except OSError:
            pass
        time.sleep(0.5)


threading.Thread(target=read_log, daemon=True).start()
threading.Thread(target=sample_memory, daemon=True).start()
sender = threading.Thread(target=smtp_send, daemon=True)
sender.start()
sender.join()
# drained: incoming/ empty (listing a million entries takes a moment: not too often)
while True:
    if proc.poll() is not None:
        raise SystemExit("postino exited: " + "\n".join(log_tail))
    with os.scandir(incoming) as it:
        if next(it, None) is None:
            mark("drained")
            break
    time.sleep(1 if done_count[0] > 0 else 0.2)
proc.terminate()
proc.wait()
print(" ".join("%s=%s" % (k, ("%.2f" % v) if isinstance(v, float) else v) for k, v in marks.items()))
print("delivered (done lines): %d" % done_count[0])
for line in log_tail:
    print("log: " + line)
