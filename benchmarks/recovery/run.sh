#!/usr/bin/env bash
# Postino restart benchmark: how long a restart takes on a full spool, how soon the first message
# goes out, and that new mail is taken meanwhile. A benchmark, not a test: it prints figures.
#
# Usage (from anywhere in the repository; smtp-sink from Debian's postfix package, java, mvn and
# python3 needed; as root, smtp-sink runs as nobody):
#
#   benchmarks/recovery/run.sh                 # 100,000 then 1,000,000 messages of 1 KiB
#   COUNTS="20000" benchmarks/recovery/run.sh  # a smoke run
#
# For each count, under $BENCH_DIR (default /var/tmp/postino-recovery; on a real disk):
#   1. fills a fresh spool with COUNT messages of $SIZE octets (1024) for sink.example through
#      Postino's own spool writer (FillSpool.java: journal, group commit, files in incoming/, as
#      the listener writes them), then stops: the spool is what a stop right after a burst of mail
#      leaves, the newest journal segments (up to 64 MiB) still to replay. The writer fsyncs each
#      file that waits past its journal segment's 30 s (as the server does), about 600 messages/s
#      on a small virtual disk: past $WRITE_MAX (100,000) messages, clone_spool.py copies the
#      files written under new queue ids (same format, checksums intact) up to COUNT, then sync;
#   2. starts Postino on it (java -Xmx$HEAP -jar target/postino.jar, benchmarks/recovery config
#      written below: the queue's defaults, sink.example routed to smtp-sink on 127.0.0.1:2727),
#      and measure.py times from the JVM's start: listening (the port is open), accepted (a new
#      message sent as soon as the port answers has its 250), first (the first delivery done),
#      drained (incoming/ empty: everything delivered), and the peak resident memory;
#   3. deletes the spool.
# SKIP_BUILD=1 uses target/postino.jar as it is; JAR=FILE runs another copy.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
HERE="$ROOT/benchmarks/recovery"
BENCH_DIR=${BENCH_DIR:-/var/tmp/postino-recovery}
COUNTS=${COUNTS:-"100000 1000000"}
SIZE=${SIZE:-1024}
HEAP=${HEAP:-1g}
WRITE_MAX=${WRITE_MAX:-100000}
SMTP_PORT=2725
SINK_PORT=2727

for t in smtp-sink java python3; do
  command -v "$t" >/dev/null || { echo "run.sh: $t is needed (smtp-sink: apt-get install postfix)" >&2; exit 1; }
done
if [ "${SKIP_BUILD:-0}" != 1 ]; then
  (cd "$ROOT" && mvn -B -q package -DskipTests -Dinvoker.skip)
fi
JAR=${JAR:-"$ROOT/target/postino.jar"}
mkdir -p "$BENCH_DIR"

SINK_PID=
cleanup() {
  [ -n "$SINK_PID" ] && kill "$SINK_PID" 2>/dev/null || true
  rm -rf "$BENCH_DIR/spool" "$BENCH_DIR/maildir"
}
trap cleanup EXIT
sink_user=()
[ "$(id -u)" = 0 ] && sink_user=(-u nobody)
smtp-sink "${sink_user[@]}" "127.0.0.1:$SINK_PORT" 1024 &
SINK_PID=$!

cat > "$BENCH_DIR/postino.json" <<JSON
{
  "hostname": "recovery.bench",
  "smtp": { "host": "127.0.0.1", "port": $SMTP_PORT },
  "localDomains": ["bench.local"],
  "trustedNetworks": ["127.0.0.0/8"],
  "spool": { "directory": "$BENCH_DIR/spool" },
  "maildir": { "root": "$BENCH_DIR/maildir" },
  "tls": { "enabled": false },
  "auth": { "enabled": false },
  "dns": { "servers": ["127.0.0.1:9"], "routes": { "sink.example": "127.0.0.1:$SINK_PORT" } }
}
JSON

echo "Postino $(git -C "$ROOT" rev-parse --short HEAD), $(nproc) CPUs, $(uname -r), $(findmnt -no FSTYPE -T "$BENCH_DIR") at $BENCH_DIR"
for n in $COUNTS; do
  rm -rf "$BENCH_DIR/spool" "$BENCH_DIR/maildir"
  echo "== $n messages of $SIZE octets"
  java -cp "$JAR" "$HERE/FillSpool.java" "$BENCH_DIR/spool" "$((n < WRITE_MAX ? n : WRITE_MAX))" "$SIZE" \
    sink.example 2>&1 | grep -E '^(spooled|  [0-9])' || true
  if [ "$n" -gt "$WRITE_MAX" ]; then
    python3 "$HERE/clone_spool.py" "$BENCH_DIR/spool" "$n"
  fi
  echo "   journal left to replay: $(du -sh "$BENCH_DIR/spool/journal" | cut -f1)"
  sync
  python3 "$HERE/measure.py" "$JAR" "$BENCH_DIR/postino.json" "$BENCH_DIR/spool" "$SMTP_PORT" "-Xmx$HEAP"
done
