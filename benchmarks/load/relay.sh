#!/usr/bin/env bash
# Relaying end to end, as a user sees it: a server receives RELAY messages for recipients in three
# remote domains while it delivers them to their MX hosts (three smtp-sink instances on loopback);
# the figure is the time from the first message injected to the last one delivered (counted at the
# sinks), as messages per second. Postino against Postfix as the relay, both warm, 1 KiB and
# 100 KiB, RUNS rounds interleaved, medians.
#
# One step of run.sh (the last: it turns run.sh's private Postfix instance into a relay), skipped
# with SKIP_RELAY=1. Run alone, this script runs run.sh with every other step skipped:
#
#   benchmarks/load/relay.sh                  # as root; RUNS=3, RELAY=6000 messages per run
#   QUICK=1 benchmarks/load/relay.sh          # RUNS=1, RELAY=3000: about 2 minutes
#
# How:
#   - three smtp-sink instances (ports RELAY_SINK_PORTS, default the three after PORT_DNS) with -c:
#     each keeps a running count of the messages it received in a file, which a small poller reads
#     every 10 ms (one counter line written per message: not the bottleneck, as smtp-sink with
#     smtp-source alone takes 20,000+ 1 KiB messages/s here);
#   - Postino: a JVM of its own (the jar run.sh runs) whose domains relay1.test, relay2.test and
#     relay3.test have static routes (dns.routes) to the three sinks, warmed up with RELAY_WARMUP
#     rounds (3; QUICK: 1) of RELAY 1 KiB messages relayed end to end, and one of 100 KiB;
#   - Postfix: run.sh's instance, with transport_maps sending each domain to its sink
#     (smtp:[127.0.0.1]:port, no DNS), no hold, no TLS, its default 20 connections per destination
#     (as Postino's maxConnectionsPerDomain); one untimed round of each size first;
#   - each timed run: three smtp-source processes at once (one per domain, 50 sessions in all,
#     sessions of many messages, -d), RELAY messages in all; the time runs from just before they
#     start until the sinks have counted RELAY more messages. Both servers sync every message to
#     their queue before the 250, and remove it once delivered, while receiving.
#   - RELAY_CPU: Postino's JVM CPU time (user + system, /proc/PID/stat) per message over the run,
#     receiving and relaying together.
# Results: $RESULTS/relay.md (and relay.csv).

if [[ ${BASH_SOURCE[0]} == "$0" ]]; then
  exec env SKIP_THROUGHPUT=1 SKIP_CONCURRENCY=1 SKIP_OUTBOUND=1 SKIP_FLOOD=1 SKIP_COLDSTART=1 SKIP_RELAY=0 \
    "$(cd "$(dirname "$0")" && pwd)/run.sh" "$@"
fi

# the rest is sourced by run.sh, whose functions and settings it uses
if [[ $QUICK == 1 ]]; then
  RELAY=${RELAY:-3000}; RELAY_WARMUP=${RELAY_WARMUP:-1}
else
  RELAY=${RELAY:-6000}; RELAY_WARMUP=${RELAY_WARMUP:-3}
fi
RELAY_SINK_PORTS=${RELAY_SINK_PORTS:-"$((PORT_DNS + 1)) $((PORT_DNS + 2)) $((PORT_DNS + 3))"}
RELAY_DOMAINS=(relay1.test relay2.test relay3.test)

relay() {
  local out="$RESULTS/relay.md" pi="$BENCH_DIR/relay-postino" ports size round
  read -r -a ports <<<"$RELAY_SINK_PORTS"
  ((${#ports[@]} == 3)) || die "RELAY_SINK_PORTS must name 3 ports"
  RELAY=$((RELAY / 3 * 3))
  stop_postino
  relay_sinks "${ports[@]}"
  relay_postfix "${ports[@]}"
  relay_config "${ports[@]}" >"$BENCH_DIR/relay.json"
  rm -rf "$pi"
  mkdir -p "$pi"
  # shellcheck disable=SC2086
  (cd "$pi" && exec java @"$ROOT/conf/jvm.options" $JAVA_OPTS -jar "$BENCH_DIR/postino.jar" -conf "$BENCH_DIR/relay.json" >postino.log 2>&1) &
  POSTINO_PID=$!
  PIDS+=("$POSTINO_PID")
  wait_port "$PORT_POSTINO"
  log "relay: warming up, Postino $RELAY_WARMUP x $RELAY messages of 1 KiB and one round of 100 KiB, Postfix one of each"
  for _ in $(seq "$RELAY_WARMUP"); do relay_run postino 1024; done
  relay_run postino 102400
  relay_run postfix 1024
  relay_run postfix 102400
  echo "size,server,round,msgs_per_s,postino_cpu_ms_per_msg" >"$RESULTS/relay.csv"
  {
    echo "| message | messages | Postino msg/s | Postfix msg/s | Postino/Postfix | Postino JVM CPU ms/msg |"
    echo "| ---: | ---: | ---: | ---: | ---: | ---: |"
  } >"$out"
  for size in 1024 102400; do
    local a=() b=() cpu=()
    for round in $(seq "$RUNS"); do
      relay_run postino "$size"
      a+=("$RATE")
      cpu+=("$RELAY_CPU")
      echo "$size,postino,$round,$RATE,$RELAY_CPU" >>"$RESULTS/relay.csv"
      relay_run postfix "$size"
      b+=("$RATE")
      echo "$size,postfix,$round,$RATE," >>"$RESULTS/relay.csv"
      log "relay, $((size / 1024)) KiB, round $round: Postino ${a[-1]} (JVM CPU ${cpu[-1]} ms/msg), Postfix ${b[-1]} msg/s end to end"
    done
    local ma mb
    ma=$(median "${a[@]}")
    mb=$(median "${b[@]}")
    echo "| $((size / 1024)) KiB | $RELAY | $(fmt "$ma") | $(fmt "$mb") | $(ratio "$ma" "$mb") | $(median "${cpu[@]}") |" >>"$out"
  done
  stop_postino
}

# Starts the three counting sinks.
relay_sinks() {
  local i=0 port
  for port in "$@"; do
    i=$((i + 1))
    smtp-sink -u nobody -c "127.0.0.1:$port" 1024 >"$BENCH_DIR/relay-sink-$i.count" 2>/dev/null &
    PIDS+=("$!")
    echo "$!" >"$BENCH_DIR/relay-sink-$i.pid"
    wait_port "$port"
  done
}

# run.sh's Postfix instance as a relay to the sinks: one transport per domain, nothing held.
relay_postfix() {
  postconf -c "$PF/etc" -e "default_transport = smtp" "relayhost =" "smtpd_client_restrictions =" \
    "smtp_tls_security_level = none" \
    "transport_maps = inline:{ ${RELAY_DOMAINS[0]}=smtp:[127.0.0.1]:$1, ${RELAY_DOMAINS[1]}=smtp:[127.0.0.1]:$2, ${RELAY_DOMAINS[2]}=smtp:[127.0.0.1]:$3 }"
  postfix -c "$PF/etc" reload >/dev/null 2>&1
}

relay_config() {
  cat <<JSON
{"hostname": "bench.postino", "smtp": {"host": "127.0.0.1", "port": $PORT_POSTINO,
  "maxConnectionsPerClient": 20000}, "localDomains": ["bench.local"], "trustedNetworks": ["127.0.0.0/8"],
 "spool": {"directory": "spool"}, "maildir": {"root": "maildir"},
 "dns": {"servers": ["127.0.0.1:$PORT_DNS"], "routes": {"${RELAY_DOMAINS[0]}": "127.0.0.1:$1",
   "${RELAY_DOMAINS[1]}": "127.0.0.1:$2", "${RELAY_DOMAINS[2]}": "127.0.0.1:$3"}}}
JSON
}

# Waits until the sinks have counted COUNT messages more than BEFORE (at most 600 s), then prints
# the time (epoch seconds) and the messages counted so far: python3 -c "$RELAY_POLL" BEFORE COUNT FILE...
RELAY_POLL='
import re, sys, time
t0 = time.monotonic()
before, count, files = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3:]
def counts(what):
    total = 0
    for f in files:
        with open(f, "rb") as h:
            h.seek(0, 2)
            h.seek(max(0, h.tell() - 200))
            found = re.findall(what + rb"=(\d+)", h.read())
            total += int(found[-1]) if found else 0
    return total
while counts(rb"mesg") - before < count:
    if time.monotonic() - t0 > 600:
        sys.exit("timed out")
    time.sleep(0.01)
print(time.time(), counts(rb"mesg"))
'

# relay_run SERVER SIZE: one timed run; sets RATE (messages/s) and, for Postino, RELAY_CPU (ms/msg).
relay_run() {
  local server=$1 size=$2 port before c0 i sessions pids=() poller t0 t1
  local sinks=("$BENCH_DIR"/relay-sink-{1,2,3}.count)
  port=$(port_of "$server")
  read -r _ before <<<"$(python3 -c "$RELAY_POLL" 0 0 "${sinks[@]}")"
  drop_caches
  [[ $server == postino ]] && c0=$(cpu_ticks "$POSTINO_PID")
  python3 -c "$RELAY_POLL" "$before" "$RELAY" "${sinks[@]}" >"$RESULTS/relay-end" &
  poller=$!
  # the time runs from here (not from the poller's start: Python may take a while to start)
  t0=$(date +%s.%N)
  for i in 0 1 2; do
    sessions=17
    ((i == 2)) && sessions=16
    smtp-source -s "$sessions" -m "$((RELAY / 3))" -d -l "$size" -M bench.client -f "$SENDER" \
      -t "bench@${RELAY_DOMAINS[$i]}" "127.0.0.1:$port" 2>"$RESULTS/relay-source-$i.err" &
    pids+=("$!")
  done
  for i in "${pids[@]}"; do
    wait "$i" || die "smtp-source against $server failed: $(cat "$RESULTS"/relay-source-*.err | head -3)"
  done
  wait "$poller" || die "$server did not deliver $RELAY messages to the sinks within 600 s"
  read -r t1 _ <"$RESULTS/relay-end"
  RATE=$(python3 -c "print(round($RELAY / ($t1 - $t0)))")
  if [[ $server == postino ]]; then
    RELAY_CPU=$(python3 -c "print('%.3f' % (($(cpu_ticks "$POSTINO_PID") - $c0) * 1000 / $(getconf CLK_TCK) / $RELAY))")
    wait_postino_done "$BENCH_DIR/relay-postino/postino.log" || die "Postino kept messages: see $BENCH_DIR/relay-postino/postino.log"
  else
    wait_empty "$PF/queue/incoming" "$PF/queue/active" "$PF/queue/deferred" "$PF/queue/maildrop" ||
      die "Postfix kept messages: see $PF/maillog"
  fi
}
