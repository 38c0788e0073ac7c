# Functions shared by cluster-ab.sh and cluster-nodes.sh (sourced, not run). The sourcing script
# sets ROOT, BENCH_DIR, JAVA_OPTS, PORT_SMTP, PORT_SINK, CLUSTER, MEMBERS (the Hazelcast members,
# JSON strings: "\"127.0.0.1:5901\", \"127.0.0.1:5902\"") and PIDS=() SINK_PID= before sourcing; JAR
# (target/postino.jar) is the build that runs.
log() { printf '%s %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { log "error: $*"; exit 1; }
stop() { local p; for p in "$@"; do kill "$p" 2>/dev/null || true; done
  for p in "$@"; do for _ in $(seq 300); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done; done; }
cleanup() { stop "${PIDS[@]}" $SINK_PID; }
trap cleanup EXIT

# shellcheck source=postino-log.sh
source "$(dirname "${BASH_SOURCE[0]}")/postino-log.sh"

for tool in smtp-source smtp-sink java python3; do command -v $tool >/dev/null || die "$tool is missing"; done
JAR=${JAR:-$ROOT/target/postino.jar}
[[ -f $JAR ]] || die "build first: mvn -B -q package -DskipTests"
mkdir -p "$BENCH_DIR"
cp "$JAR" "$BENCH_DIR/postino.jar"

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
    \"members\": [$MEMBERS]}"
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

# batch N SIZE: relays N messages through A and waits until they are gone (sink up)
batch() {
  smtp-source -s 20 -m "$1" -d -l "$2" -M bench.client -f s@bench.client -t bench@sink.test "127.0.0.1:$PORT_SMTP" ||
    die "smtp-source failed"
  wait_postino_done "$BENCH_DIR/a/log" || die "not everything was relayed: see $BENCH_DIR/*/log"
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

median() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END {print a[int((NR + 1) / 2)]}'; }
