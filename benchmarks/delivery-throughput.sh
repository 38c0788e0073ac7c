#!/usr/bin/env bash
# Delivery throughput of Postino against Postfix's smtp-sink on loopback.
# usage: benchmarks/delivery-throughput.sh JAR [MESSAGES] [SIZE] [DOMAINS] [INSTANCES]
# Needs smtp-sink and smtp-source (Debian package postfix); uses ports 2525 and 2600 on 127.0.0.1.
# Fills a spool while every delivery fails, then restarts Postino with the route pointing at
# smtp-sink and times the delivery of the whole spool. EXTRA adds keys to "delivery", e.g.
# EXTRA=",\"maxConnectionsPerDomain\":100".
set -euo pipefail
JAR=$1; N=${2:-20000}; SIZE=${3:-1024}; DOMAINS=${4:-1}; INSTANCES=${5:-1}
W=${WORK:-/tmp/postino-throughput}; rm -rf "$W"; mkdir -p "$W"
conf() { # $1 route target, $2 backoff
  cat > "$W/postino.json" <<JSON
{"hostname":"bench.test","smtp":{"host":"127.0.0.1","port":2525},"localDomains":["localhost"],
 "spool":{"directory":"$W/spool"},"maildir":{"root":"$W/maildir"},
 "dns":{"servers":["127.0.0.1:1"],"routes":{"*":"$1"}},
 "queue":{"minBackoff":$2,"maxBackoff":$2},
 "delivery":{"instances":$INSTANCES${EXTRA:-}}}
JSON
}
wait_listen() { for i in $(seq 1 200); do grep -q "listening for SMTP" "$W/postino.log" && return; sleep 0.1; done; echo "no start"; exit 1; }
# 1. fill the spool: every remote delivery fails (nothing on port 1) and waits an hour
conf 127.0.0.1:1 3600
java -jar "$JAR" -conf "$W/postino.json" > "$W/postino.log" 2>&1 & PID=$!
wait_listen
for d in $(seq 1 "$DOMAINS"); do
  smtp-source -d -s 10 -m $((N / DOMAINS)) -l "$SIZE" -f sender@localhost -t "rcpt@d$d.sink.test" 127.0.0.1:2525
done
while [ "$(grep -c 'deferred, next attempt' "$W/postino.log")" -lt "$N" ]; do sleep 0.2; done
kill -9 $PID; wait $PID 2>/dev/null || true
echo "spooled: $(ls "$W/spool/incoming" | wc -l) messages of $SIZE octets"
find "$W/spool/incoming" -type f -exec touch {} +
# 2. deliver them all to smtp-sink
smtp-sink -u nobody -c 127.0.0.1:2600 1000 > "$W/sink.log" 2>&1 & SINK=$!
conf 127.0.0.1:2600 3600
START=$(date +%s.%N)
java -jar "$JAR" -conf "$W/postino.json" > "$W/postino.log" 2>&1 & PID=$!
wait_listen
while [ "$(ls "$W/spool/incoming" | wc -l)" -gt 0 ]; do sleep 0.1; done
END=$(date +%s.%N)
kill $PID $SINK; wait 2>/dev/null || true
python3 - "$W/postino.log" "$N" "$START" "$END" <<'PY'
import sys, re, datetime
log, n, start, end = sys.argv[1], int(sys.argv[2]), float(sys.argv[3]), float(sys.argv[4])
stamps = [l[:24] for l in open(log) if 'Courier' in l or ': done' in l]
ts = lambda s: datetime.datetime.fromisoformat(s.replace('Z', '+00:00')).timestamp()
first, last = ts(stamps[0]), ts(stamps[-1])
print(f"delivered {n} messages: {n / (end - start):.0f} msg/s counting JVM start ({end - start:.2f} s), "
      f"{n / (last - first):.0f} msg/s from the first delivery to the last ({last - first:.2f} s)")
PY
