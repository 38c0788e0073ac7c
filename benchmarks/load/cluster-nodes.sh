#!/usr/bin/env bash
# Relaying throughput with 1, 2 and 3 delivery nodes: node A (listener, queue, resolver) owns the
# queue; the delivery nodes B1..B3 (delivery only) are JVMs of their own on this host, clustered
# with A over loopback, each with a spool directory of its own, so every message's content goes
# from A's spool read service to a delivery node over the event bus (as in cluster-ab.sh's remote
# layout, with more delivery nodes). A's jobs go round-robin to the delivery nodes.
#
#   benchmarks/load/cluster-nodes.sh       # needs target/postino.jar (mvn -B -q package -DskipTests)
#
# For each round and number of delivery nodes (1 2 3, then 3 2 1 in the next round): start A and
# the delivery nodes on fresh spools, wait until every one has joined A's cluster, relay $WARM
# untimed batches, then time one batch of the delivery side alone as cluster-ab.sh does (queued with
# the sink down, then made due; timed until A's spool is empty).
#
# NODES ("1 2 3"), SIZE (1024 octets), COUNT (2000), ROUNDS (3), WARM (1), BENCH_DIR
# (/var/tmp/postino-cluster-nodes), JAR (target/postino.jar: another build to compare). On one host
# the delivery JVMs share its CPUs with A, the sink and smtp-source: more nodes add Hazelcast and
# event-bus work without adding CPUs. Ports: PORT_SMTP (2725, A's SMTP), PORT_SINK (2727, the sink),
# Hazelcast PORT_HAZELCAST (5901) for A and the next three for B1..B3, in a cluster named after this
# process. Everything stays on loopback; every process it starts is stopped when it exits.
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
ROUNDS=${ROUNDS:-3}; COUNT=${COUNT:-2000}; WARM=${WARM:-1}; SIZE=${SIZE:-1024}; NODES=${NODES:-"1 2 3"}
BENCH_DIR=${BENCH_DIR:-/var/tmp/postino-cluster-nodes}
JAVA_OPTS=${JAVA_OPTS:-}
PORT_SMTP=${PORT_SMTP:-2725} PORT_SINK=${PORT_SINK:-2727} PORT_HAZELCAST=${PORT_HAZELCAST:-5901}
CLUSTER=postino-bench-$$
MEMBERS=$(printf '"127.0.0.1:%d", ' $(seq "$PORT_HAZELCAST" $((PORT_HAZELCAST + 3))))
MEMBERS=${MEMBERS%, }
PIDS=()
SINK_PID=

source "$HERE/cluster-lib.sh"

# start_cluster N: A and N delivery nodes, once A has seen every one join
start_cluster() {
  local k
  PIDS=()
  start_node "$BENCH_DIR/a" a '["listener", "queue", "resolver"]' "$PORT_HAZELCAST"
  for k in $(seq "$1"); do
    start_node "$BENCH_DIR/b$k" "b$k" '["delivery"]' $((PORT_HAZELCAST + k))
  done
  for _ in $(seq 600); do
    (($(grep -c 'member .* joined' "$BENCH_DIR/a/log" || true) >= $1)) && return 0
    sleep 0.2
  done
  die "not every delivery node joined A: see $BENCH_DIR/a/log"
}

declare -A rates
for round in $(seq "$ROUNDS"); do
  order=$NODES; ((round % 2 == 0)) && order=$(printf '%s\n' $NODES | tac | xargs)
  for n in $order; do
    start_sink
    start_cluster "$n"
    for _ in $(seq "$WARM"); do batch "$COUNT" "$SIZE"; done
    timed "$COUNT" "$SIZE"
    rates[$n]+="$RATE "
    log "round $round, $n delivery node(s), $SIZE octets: $RATE msg/s (load $(cut -d' ' -f1 /proc/loadavg))"
    stop "${PIDS[@]}"
    PIDS=()
    stop_sink
  done
done
first=$(median ${rates[${NODES%% *}]})
echo "| delivery nodes | msg/s, median (the rounds) | against ${NODES%% *} node(s) |"
echo "| ---: | ---: | ---: |"
for n in $NODES; do
  r=$(median ${rates[$n]})
  echo "| $n | $r (${rates[$n]% }) | $(python3 -c "print('%.2f' % ($r / $first))") |"
done
