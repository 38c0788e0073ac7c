#!/usr/bin/env bash
# What it costs to deliver from another node: relaying throughput with delivery on the node that
# owns the queue (one JVM, all roles, not clustered) against delivery on another JVM of this host
# (node A: listener, queue, resolver; node B: delivery only; clustered over loopback, each with a
# spool directory of its own, so that B reads every message's content from A's spool read service
# over the event bus).
#
#   benchmarks/load/cluster-ab.sh          # needs target/postino.jar (mvn -B -q package -DskipTests)
#
# For each round, layout (local, remote; they take turns going first) and message size: start the
# layout on fresh spools, relay $WARM untimed batches, then time one batch as run.sh's outbound step
# does: with the smtp-sink down, queue $COUNT messages (smtp-source, 20 sessions) and let every one
# be deferred (connection refused, an hour's backoff); start the sink, make the messages due
# (touch), and time until A's spool is empty. So the figure is the delivery side alone: reading the
# content (from the file, or over the bus), SMTP to the sink, recording the result.
#
# Sizes: SIZES (default "1024 102400": one chunk held in memory, and two chunks fetched into a file
# on B), COUNT (2000; a quarter of it for sizes over 64 KiB), ROUNDS (3), WARM (1), BENCH_DIR
# (/var/tmp/postino-cluster-ab). Needs smtp-source and smtp-sink (Debian's postfix package, which
# run.sh installs), java and python3. Ports: 2725 (SMTP of the node that listens), 2727 (the sink),
# Hazelcast 5901 and 5902 in a cluster named after this process. Everything stays on loopback;
# every process it starts is stopped when it exits.
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
ROUNDS=${ROUNDS:-3}; COUNT=${COUNT:-2000}; WARM=${WARM:-1}; SIZES=${SIZES:-"1024 102400"}
BENCH_DIR=${BENCH_DIR:-/var/tmp/postino-cluster-ab}
JAVA_OPTS=${JAVA_OPTS:-}
PORT_SMTP=2725 PORT_SINK=2727
CLUSTER=postino-bench-$$
PIDS=()
SINK_PID=

log() { printf '%s %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { log "error: $*"; exit 1; }
stop() { local p; for p in "$@"; do kill "$p" 2>/dev/null || true; done
  for p in "$@"; do for _ in $(seq 300); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done; done; }
cleanup() { stop "${PIDS[@]}" $SINK_PID; }
trap cleanup EXIT

for tool in smtp-source smtp-sink java python3; do command -v $tool >/dev/null || die "$tool is missing"; done
[[ -f $ROOT/target/postino.jar ]] || die "build first: mvn -B -q package -DskipTests"
mkdir -p "$BENCH_DIR"
cp "$ROOT/target/postino.jar" "$BENCH_DIR/postino.jar"

wait_port() {
  for _ in $(seq 300); do (echo >/dev/tcp/127.0.0.1/"$1") 2>/dev/null && return 0; sleep 0.2; done
  return 1
}
wait_line() { # file text: waits at most 120 s
  for _ in $(seq 600); do grep -q "$2" "$1" 2>/dev/null && return 0; sleep 0.2; done
  return 1
}
count_files() { { find "$@" -type f 2>/dev/null || true; } | wc -l; }
wait_empty() {
  for _ in $(seq 6000); do [[ $(count_files "$1") == 0 ]] && return 0; sleep 0.05; done
  return 1
}
start_sink() { smtp-sink -u nobody "127.0.0.1:$PORT_SINK" 1024 & SINK_PID=$!; wait_port $PORT_SINK; }
stop_sink() { [[ -n $SINK_PID ]] && stop "$SINK_PID"; SINK_PID=; }

# config NAME ROLES CLUSTERPORT: a node's configuration (CLUSTERPORT 0: not clustered)
config() {
  local cluster=''
  [[ $3 != 0 ]] && cluster=", \"cluster\": {\"name\": \"$CLUSTER\", \"host\": \"127.0.0.1\", \"port\": $3,
    \"members\": [\"127.0.0.1:5901\", \"127.0.0.1:5902\"]}"
  cat <<JSON
{"hostname": "$1.bench", "roles": $2,
 "smtp": {"host": "127.0.0.1", "port": $PORT_SMTP, "maxConnectionsPerClient": 20000, "maxMessageSize": 52428800},
 "localDomains": ["bench.local"], "trustedNetworks": ["127.0.0.0/8"],
 "spool": {"directory": "spool"}, "maildir": {"root": "maildir"}, "admin": {"enabled": false},
 "dns": {"servers": ["127.0.0.1:9"], "routes": {"sink.test": "127.0.0.1:$PORT_SINK"}},
 "queue": {"minBackoff": 3600, "maxBackoff": 3600, "scanInterval": 0.2, "deliverAcrossCluster": true}$cluster}
JSON
}

# start_node DIR NAME ROLES CLUSTERPORT
start_node() {
  rm -rf "$1"; mkdir -p "$1"
  config "$2" "$3" "$4" >"$1/c.json"
  local flag=(); [[ $4 != 0 ]] && flag=(-cluster)
  # shellcheck disable=SC2086
  (cd "$1" && exec java $JAVA_OPTS -jar "$BENCH_DIR/postino.jar" "${flag[@]}" -conf c.json >log 2>&1) &
  PIDS+=($!)
  wait_line "$1/log" "Postino $2.bench started" || die "$2 did not start: see $1/log"
}

# layout local|remote: starts it; A (the queue) in $BENCH_DIR/a
start_layout() {
  PIDS=()
  if [[ $1 == local ]]; then
    start_node "$BENCH_DIR/a" a '["listener", "queue", "resolver", "delivery"]' 0
  else
    start_node "$BENCH_DIR/a" a '["listener", "queue", "resolver"]' 5901
    start_node "$BENCH_DIR/b" b '["delivery"]' 5902
    wait_line "$BENCH_DIR/a/log" "delivery node b.bench is ready\|member .* joined" || die "B did not join A"
  fi
}

# batch N SIZE: relays N messages through A and waits until they are gone (sink up)
batch() {
  smtp-source -s 20 -m "$1" -d -l "$2" -M bench.client -f s@bench.client -t bench@sink.test "127.0.0.1:$PORT_SMTP" ||
    die "smtp-source failed"
  wait_empty "$BENCH_DIR/a/spool/incoming" || die "not everything was relayed: see $BENCH_DIR/*/log"
}

# timed N SIZE: sets RATE (messages/s of the delivery side alone, see the top)
timed() {
  local deferred t0 t1
  stop_sink
  deferred=$(grep -c 'deferred, next attempt' "$BENCH_DIR/a/log" || true)
  smtp-source -s 20 -m "$1" -d -l "$2" -M bench.client -f s@bench.client -t bench@sink.test "127.0.0.1:$PORT_SMTP" ||
    die "smtp-source failed"
  for _ in $(seq 1500); do
    (($(grep -c 'deferred, next attempt' "$BENCH_DIR/a/log") - deferred >= $1)) && break
    sleep 0.2
  done
  start_sink
  t0=$(date +%s.%N)
  find "$BENCH_DIR/a/spool/incoming" -type f -exec touch {} +
  wait_empty "$BENCH_DIR/a/spool/incoming" || die "not everything was delivered: see $BENCH_DIR/*/log"
  t1=$(date +%s.%N)
  RATE=$(python3 -c "print(round($1 / ($t1 - $t0)))")
}

declare -A rates
for round in $(seq "$ROUNDS"); do
  order="local remote"; ((round % 2 == 0)) && order="remote local"
  for layout in $order; do
    start_sink
    start_layout "$layout"
    for size in $SIZES; do
      n=$COUNT; ((size > 65536)) && n=$((COUNT / 4))
      for _ in $(seq "$WARM"); do batch "$n" "$size"; done
      timed "$n" "$size"
      rates[$layout.$size]+="$RATE "
      log "round $round, $layout, $size octets: $RATE msg/s (load $(cut -d' ' -f1 /proc/loadavg))"
    done
    stop "${PIDS[@]}"
    PIDS=()
    stop_sink
  done
done
median() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END {print a[int((NR + 1) / 2)]}'; }
echo "| message size | delivery on the queue's node (msg/s) | delivery on another JVM, content over the bus (msg/s) | remote/local |"
echo "| ---: | ---: | ---: | ---: |"
for size in $SIZES; do
  l=$(median ${rates[local.$size]}); r=$(median ${rates[remote.$size]})
  echo "| $size | $l (${rates[local.$size]% }) | $r (${rates[remote.$size]% }) | $(python3 -c "print('%.2f' % ($r / $l))") |"
done
