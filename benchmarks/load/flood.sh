#!/usr/bin/env bash
# Memory under a flood: what a fresh Postino's resident memory does while clients send content
# without a line end, which it refuses and never keeps (benchmarks/load/README.md, "Memory under a
# flood").
#
# Usage (from anywhere in the repository; run.sh calls it after the concurrency step):
#
#   benchmarks/load/flood.sh
#
# For each of four cases it starts a fresh Postino (java @conf/jvm.options $JAVA_OPTS -jar, as the
# README's quick start and the systemd unit run it) on 127.0.0.1:$PORT_POSTINO, lets it settle, and
# runs benchmarks/load/flood.py against it:
#   1. one client sends $FLOOD_MIB MiB (100) as one command line, then CRLF: 500 5.5.2 expected;
#   2. one client sends $FLOOD_MIB MiB as message content after DATA: 552 5.3.4 expected;
#   3. and 4. the same with $FLOODS clients (50) at once.
# While a flood runs, a probe session (greeting, EHLO, NOOP, QUIT, again and again) checks that
# the server still answers everyone else; a wrong reply or a failed probe fails the script.
# It prints one Markdown table (resident memory before, at its peak during the flood, and after)
# and appends it to $FLOOD_OUT.
#
# Settings (environment): BENCH_DIR (/var/tmp/postino-bench; the server runs in $BENCH_DIR/flood),
# PORT_POSTINO (2625), PORT_DNS (2628: nothing needs to answer there), JAR (a copy of it is run;
# default target/postino.jar), JVM_OPTIONS (the argfile, default conf/jvm.options), JAVA_OPTS,
# FLOOD_MIB, FLOODS, FLOOD_OUT ($BENCH_DIR/results/flood.md), FLOOD_CASES (the cases to run, as
# mode:clients words; default "line:1 data:1 line:$FLOODS data:$FLOODS").
#
# Loopback only; the DATA floods write up to smtp.maxMessageSize (50 MiB) each into the spool
# before the message is refused and its file removed. Stops the server it started when it exits.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
BENCH_DIR=${BENCH_DIR:-/var/tmp/postino-bench}
PORT_POSTINO=${PORT_POSTINO:-2625}
PORT_DNS=${PORT_DNS:-2628}
JAR=${JAR:-$ROOT/target/postino.jar}
JVM_OPTIONS=${JVM_OPTIONS:-$ROOT/conf/jvm.options}
JAVA_OPTS=${JAVA_OPTS:-}
FLOOD_MIB=${FLOOD_MIB:-100}
FLOODS=${FLOODS:-50}
FLOOD_OUT=${FLOOD_OUT:-$BENCH_DIR/results/flood.md}
FLOOD_CASES=${FLOOD_CASES:-"line:1 data:1 line:$FLOODS data:$FLOODS"}
DIR=$BENCH_DIR/flood
PID=

log() { printf '%s %s\n' "$(date +%H:%M:%S)" "$*" >&2; }

stop() {
  if [[ -n $PID ]]; then
    kill "$PID" 2>/dev/null || true
    for _ in $(seq 100); do kill -0 "$PID" 2>/dev/null || break; sleep 0.2; done
    PID=
  fi
}
trap stop EXIT

start() {
  stop
  rm -rf "$DIR"
  mkdir -p "$DIR"
  cp "$JAR" "$DIR/postino.jar"
  # shellcheck disable=SC2086
  (cd "$DIR" && exec java "@$JVM_OPTIONS" $JAVA_OPTS -Dpostino.smtp.port="$PORT_POSTINO" \
    -Dpostino.dns.servers="[\"127.0.0.1:$PORT_DNS\"]" -jar "$DIR/postino.jar" -conf "$HERE/postino-bench.json" \
    >"$DIR/postino.log" 2>&1) &
  PID=$!
  for _ in $(seq 300); do
    (echo >"/dev/tcp/127.0.0.1/$PORT_POSTINO") 2>/dev/null && break
    kill -0 "$PID" 2>/dev/null || { log "Postino did not start: see $DIR/postino.log"; exit 1; }
    sleep 0.2
  done
  # what start-up allocated is collected or settled before the first measurement
  sleep 3
}

mkdir -p "$(dirname "$FLOOD_OUT")"
table=$(mktemp)
{
  echo "| server | as | floods | time | RSS before | RSS peak | growth | RSS after | replies | probe sessions |"
  echo "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | --- | --- |"
} >"$table"
for run in $FLOOD_CASES; do
  mode=${run%%:*}
  clients=${run#*:}
  log "flood: fresh Postino, $clients x $FLOOD_MIB MiB without a line end as a $mode"
  start
  python3 "$HERE/flood.py" --port "$PORT_POSTINO" --pid "$PID" --mode "$mode" --clients "$clients" \
    --megabytes "$FLOOD_MIB" --label Postino --markdown >>"$table"
done
stop
cat "$table" | tee -a "$FLOOD_OUT"
rm -f "$table"
