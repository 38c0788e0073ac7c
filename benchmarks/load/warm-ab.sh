#!/usr/bin/env bash
# One build of Postino, warm, for interleaved A/B runs by hand: starts the jar on a fresh directory
# with postino-bench.json (its port PORT, a DNS server on DNS_PORT that nobody answers), delivers
# WARM x 5,000 messages to Maildir (bench@bench.local: nothing stays queued), then times 3 rounds of
# `smtp-source -s 50 -m 5000 -l SIZE` to RECIPIENT and prints, per round, messages/s (to the last
# 250) and the JVM's CPU ms per message (user + system, over the round and one second after). Then
# kills the JVM.
#
#   benchmarks/load/warm-ab.sh LABEL JAR RECIPIENT [SIZE]
#
# RECIPIENT bench@bench.local: accepted and delivered to Maildir (MODE=deliver's work);
# bench@relay.example: accepted and kept queued, its DNS never answering (MODE=queue's). Run two
# builds in turn, several times (A, B, A, B), on a machine doing nothing else, for example:
#   for j in a b a b; do benchmarks/load/warm-ab.sh deliver-$j /var/tmp/$j.jar bench@bench.local; done
set -euo pipefail
(($# >= 3)) || { sed -n '2,15p' "$0"; exit 2; }
LABEL=$1 JAR=$2 TO=$3 SIZE=${4:-1024}
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
PORT=${PORT:-2725} DNS_PORT=${DNS_PORT:-2728} WARM=${WARM:-8}
D=${BENCH_DIR:-/var/tmp/postino-warm-ab}/$LABEL
export PATH=$PATH:/usr/sbin
rm -rf "$D"
mkdir -p "$D/run"
python3 -c 'import json, sys; c = json.load(open(sys.argv[1])); c["smtp"]["port"] = int(sys.argv[2])
c["dns"]["servers"] = ["127.0.0.1:" + sys.argv[3]]; print(json.dumps(c))' \
  "$HERE/postino-bench.json" "$PORT" "$DNS_PORT" >"$D/conf.json"
(cd "$D/run" && exec java @"$ROOT/conf/jvm.options" -jar "$JAR" -conf "$D/conf.json" >"$D/run/log" 2>&1) &
pid=$!
trap 'kill -9 $pid 2>/dev/null || true' EXIT
for _ in $(seq 150); do
  (timeout 1 bash -c "exec 3<>/dev/tcp/127.0.0.1/$PORT; head -c3 <&3" 2>/dev/null | grep -q 220) && break
  sleep 0.2
done
send() { smtp-source -s 50 -m 5000 -d -l "$SIZE" -M bench.client -f s@bench.client -t "$1" "127.0.0.1:$PORT"; }
for _ in $(seq "$WARM"); do send bench@bench.local; done
sleep 3
out="$LABEL (load $(cut -d' ' -f1 /proc/loadavg)):"
for _ in 1 2 3; do
  c0=$(awk '{print $14 + $15}' "/proc/$pid/stat")
  t0=$(date +%s.%N)
  send "$TO"
  t1=$(date +%s.%N)
  sleep 1
  c1=$(awk '{print $14 + $15}' "/proc/$pid/stat")
  out+=" $(python3 -c "print('%.0f/s %.3f ms' % (5000 / ($t1 - $t0), ($c1 - $c0) * 1000 / $(getconf CLK_TCK) / 5000))")"
done
echo "$out"
