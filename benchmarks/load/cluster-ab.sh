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
MEMBERS='"127.0.0.1:5901", "127.0.0.1:5902"'
PIDS=()
SINK_PID=

source "$HERE/cluster-lib.sh"

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
echo "| message size | delivery on the queue's node (msg/s) | delivery on another JVM, content over the bus (msg/s) | remote/local |"
echo "| ---: | ---: | ---: | ---: |"
for size in $SIZES; do
  l=$(median ${rates[local.$size]}); r=$(median ${rates[remote.$size]})
  echo "| $size | $l (${rates[local.$size]% }) | $r (${rates[remote.$size]% }) | $(python3 -c "print('%.2f' % ($r / $l))") |"
done
