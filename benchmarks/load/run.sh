#!/usr/bin/env bash
# Postino load benchmark: Postino against Postfix (durable queue) and smtp-sink (no storage, the
# ceiling), all driven by Postfix's smtp-source on loopback, in the same run on the same machine.
#
# Usage (as root, from anywhere in the repository):
#
#   benchmarks/load/run.sh              # full run: about 8 minutes on 2 cores
#   QUICK=1 benchmarks/load/run.sh      # 1 round, fewer messages and held sessions: about 2 minutes
#
# What it does, in order (every step is idempotent; a second run cleans up after the first):
#   1. Checks for smtp-source, smtp-sink, postfix, java, mvn and python3. When something is missing
#      and it runs as root with apt-get, it installs Debian's `postfix` package without configuring
#      the system's mail service (debconf "No configuration"); otherwise it says what to install.
#   2. Builds the fat jar at the repository root: mvn -B -q package -DskipTests -> target/postino.jar
#      (SKIP_BUILD=1 uses the jar that is there).
#   3. Starts, under $BENCH_DIR (default /var/tmp/postino-bench, which must be on a real disk:
#      fsync on tmpfs costs nothing and the comparison would be meaningless):
#      - Postino on 127.0.0.1:2625 with benchmarks/load/postino-bench.json (spool and Maildir under
#        $BENCH_DIR/postino; the spool fsyncs every message before its 250, as always);
#      - a private Postfix instance on 127.0.0.1:2626, with its own config_directory and
#        queue_directory under $BENCH_DIR/postfix (the system's Postfix is not touched). Its
#        smtpd/cleanup make each message durable in the queue (fsync) before the 250, then qmgr hands
#        it to the `discard` transport, which deletes it. in_flow_delay is 0, so Postfix is never
#        slowed on purpose;
#      - smtp-sink on 127.0.0.1:2627: answers everything, stores nothing.
#   4. Warms every server up (JIT for Postino, process pools for Postfix), then for 1 KiB and
#      100 KiB messages (smtp-source -l), 1 and 50 concurrent sessions (-s), and 1 or 100 messages
#      per session (without and with -d), runs smtp-source against each server in turn, $RUNS
#      rounds (3; QUICK: 1), interleaved so that a noisy moment hits all three alike. Before each
#      timed run the queues are emptied and `sync` settles the disk. A run that fails (smtp-source
#      exit status, or fewer messages accepted than sent) aborts the benchmark.
#   5. Concurrency: holds $HELD sessions (10,000; QUICK: 2,000) open on Postino, each after EHLO,
#      with benchmarks/load/hold_sessions.py; reports resident memory per session and the greeting
#      latency of new sessions while they are held. The same for Postfix with $HELD_POSTFIX sessions
#      (default 500: one smtpd process per session; 0 skips it).
#   6. Prints Markdown tables (medians, messages/s; ratios of medians from this run) and keeps the
#      raw figures in $BENCH_DIR/results.
#
# Which recipient Postino gets (POSTINO_RCPT):
#   spool   (default) bench@relay.example: a relay recipient from a trusted network. The message is
#           made durable in the spool (fsync of the file, rename into incoming, fsync of the
#           directory) before the 250, and then stays there for the outbound side. This is the
#           "accepting into the queue" that Postfix's smtpd+cleanup does before its 250.
#   maildir bench@bench.local, a local domain: after the 250 the message is also delivered to
#           Maildir (its own fsyncs) and removed from the spool, concurrently with the next messages.
#
# Other settings (environment): RUNS, BENCH_DIR, PORT_POSTINO/PORT_POSTFIX/PORT_SINK, JAVA_OPTS,
# SKIP_BUILD=1, SKIP_CONCURRENCY=1, HELD, HELD_POSTFIX, PROFILE=jfr (records a JFR file of Postino
# for the whole run, printed at the end).
#
# All traffic stays on 127.0.0.0/8. Every loop is bounded; the script stops everything it started
# on exit, Ctrl-C included.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
QUICK=${QUICK:-0}
if [[ $QUICK == 1 ]]; then
  RUNS=${RUNS:-1}; MANY=${MANY:-1000}; FEW=${FEW:-100}; HELD=${HELD:-2000}; HELD_POSTFIX=${HELD_POSTFIX:-200}
else
  RUNS=${RUNS:-3}; MANY=${MANY:-5000}; FEW=${FEW:-200}; HELD=${HELD:-10000}; HELD_POSTFIX=${HELD_POSTFIX:-500}
fi
BENCH_DIR=${BENCH_DIR:-/var/tmp/postino-bench}
PORT_POSTINO=${PORT_POSTINO:-2625}
PORT_POSTFIX=${PORT_POSTFIX:-2626}
PORT_SINK=${PORT_SINK:-2627}
POSTINO_RCPT=${POSTINO_RCPT:-spool}
JAVA_OPTS=${JAVA_OPTS:-}
PROFILE=${PROFILE:-}
SKIP_BUILD=${SKIP_BUILD:-0}
SKIP_CONCURRENCY=${SKIP_CONCURRENCY:-0}
SENDER=sender@bench.client
RESULTS=$BENCH_DIR/results
PF=$BENCH_DIR/postfix
PI=$BENCH_DIR/postino

case $POSTINO_RCPT in
  spool) POSTINO_TO=bench@relay.example ;;
  maildir) POSTINO_TO=bench@bench.local ;;
  *) echo "POSTINO_RCPT must be spool or maildir" >&2; exit 2 ;;
esac

log() { printf '%s %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { log "error: $*"; exit 1; }

# ------------------------------------------------------------------ tools

need_tools() {
  local missing=()
  for t in smtp-source smtp-sink postfix postconf; do
    command -v "$t" >/dev/null || [[ -x /usr/sbin/$t ]] || missing+=("$t")
  done
  if ((${#missing[@]})); then
    if [[ $(id -u) == 0 ]] && command -v apt-get >/dev/null; then
      log "installing Debian's postfix package (for ${missing[*]}), system mail service left unconfigured"
      echo "postfix postfix/main_mailer_type select No configuration" | debconf-set-selections
      DEBIAN_FRONTEND=noninteractive apt-get install -y -q postfix >/dev/null ||
        { DEBIAN_FRONTEND=noninteractive apt-get update -q >/dev/null &&
          DEBIAN_FRONTEND=noninteractive apt-get install -y -q postfix >/dev/null; }
    else
      die "missing ${missing[*]}: install Debian's postfix package (as root: echo 'postfix postfix/main_mailer_type select No configuration' | debconf-set-selections; DEBIAN_FRONTEND=noninteractive apt-get install -y postfix)"
    fi
  fi
  export PATH=$PATH:/usr/sbin:/sbin
  for t in java mvn python3; do
    command -v "$t" >/dev/null || die "missing $t (Java 17, Maven and Python 3 are needed)"
  done
  [[ $(id -u) == 0 ]] || die "run as root: the private Postfix instance and smtp-sink need it"
}

# ------------------------------------------------------------------ servers

PIDS=()
POSTFIX_STARTED=0

stop_all() {
  set +e
  for p in "${PIDS[@]}"; do
    kill "$p" 2>/dev/null
  done
  for p in "${PIDS[@]}"; do
    for _ in $(seq 50); do kill -0 "$p" 2>/dev/null || break; sleep 0.2; done
    kill -9 "$p" 2>/dev/null
  done
  PIDS=()
  if [[ $POSTFIX_STARTED == 1 ]]; then
    postfix -c "$PF/etc" stop >/dev/null 2>&1
    POSTFIX_STARTED=0
  fi
}
trap stop_all EXIT
trap 'exit 130' INT TERM

# Stops what an earlier, interrupted run may have left behind (only our own instances).
stop_leftovers() {
  if [[ -f $PF/etc/main.cf ]]; then
    postfix -c "$PF/etc" stop >/dev/null 2>&1 || true
  fi
  for f in "$BENCH_DIR"/*.pid; do
    [[ -f $f ]] || continue
    local p; p=$(cat "$f")
    if kill -0 "$p" 2>/dev/null && grep -qa -e postino.jar -e smtp-sink "/proc/$p/cmdline"; then
      kill "$p"; sleep 1
    fi
    rm -f "$f"
  done
}

wait_port() {
  local port=$1
  for _ in $(seq 150); do
    if python3 - "$port" <<'EOF' 2>/dev/null; then return 0; fi
import socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=1)
s.settimeout(5)
assert s.recv(512).startswith(b"220")
s.sendall(b"QUIT\r\n")
EOF
    sleep 0.2
  done
  die "nothing answers on 127.0.0.1:$port"
}

setup_postfix() {
  rm -rf "$PF"
  mkdir -p "$PF/etc" "$PF/queue" "$PF/data"
  chown postfix:postfix "$PF/data"
  cat >"$PF/etc/main.cf" <<EOF
# A private Postfix instance for the benchmark (postfix -c $PF/etc).
compatibility_level = 3.6
queue_directory = $PF/queue
data_directory = $PF/data
maillog_file = $PF/maillog
myhostname = bench.postfix
mydomain = bench.local
mydestination = bench.local
inet_interfaces = 127.0.0.1
inet_protocols = ipv4
mynetworks = 127.0.0.0/8
# any local part is accepted, and every message is discarded once queued
local_recipient_maps =
local_transport = discard:
default_transport = discard:
# accept as fast as the queue can take it
in_flow_delay = 0
smtpd_client_connection_count_limit = 0
default_process_limit = 100
EOF
  # chroot off (column 5): the instance has no chroot tree. smtpd may run HELD_POSTFIX+100 processes.
  local smtpd_max=$((HELD_POSTFIX + 100))
  cat >"$PF/etc/master.cf" <<EOF
127.0.0.1:$PORT_POSTFIX inet n - n - $smtpd_max smtpd
pickup    unix  n       -       n       60      1       pickup
cleanup   unix  n       -       n       -       0       cleanup
qmgr      unix  n       -       n       300     1       qmgr
rewrite   unix  -       -       n       -       -       trivial-rewrite
bounce    unix  -       -       n       -       0       bounce
defer     unix  -       -       n       -       0       bounce
trace     unix  -       -       n       -       0       bounce
verify    unix  -       -       n       -       1       verify
proxymap  unix  -       -       n       -       -       proxymap
showq     unix  n       -       n       -       -       showq
error     unix  -       -       n       -       -       error
retry     unix  -       -       n       -       -       error
discard   unix  -       -       n       -       -       discard
anvil     unix  -       -       n       -       1       anvil
scache    unix  -       -       n       -       1       scache
postlog   unix-dgram n  -       n       -       1       postlogd
EOF
  postfix -c "$PF/etc" check >/dev/null
  postfix -c "$PF/etc" start >/dev/null 2>&1 || die "Postfix did not start: see $PF/maillog"
  POSTFIX_STARTED=1
  wait_port "$PORT_POSTFIX"
}

start_postino() {
  rm -rf "$PI"
  mkdir -p "$PI"
  local jfr=()
  if [[ $PROFILE == jfr ]]; then
    jfr=(-XX:StartFlightRecording=filename=$RESULTS/postino.jfr,settings=profile,dumponexit=true)
  fi
  # shellcheck disable=SC2086
  (cd "$PI" && exec java $JAVA_OPTS "${jfr[@]}" -jar "$ROOT/target/postino.jar" -conf "$HERE/postino-bench.json" \
    >"$PI/postino.log" 2>&1) &
  POSTINO_PID=$!
  PIDS+=("$POSTINO_PID")
  echo "$POSTINO_PID" >"$BENCH_DIR/postino.pid"
  wait_port "$PORT_POSTINO"
}

start_sink() {
  smtp-sink -u nobody "127.0.0.1:$PORT_SINK" 1024 &
  SINK_PID=$!
  PIDS+=("$SINK_PID")
  echo "$SINK_PID" >"$BENCH_DIR/sink.pid"
  wait_port "$PORT_SINK"
}

# ------------------------------------------------------------------ queues

count_files() { find "$@" -type f 2>/dev/null | wc -l; }

postino_accepted() {
  if [[ $POSTINO_RCPT == spool ]]; then count_files "$PI/spool/incoming"; else count_files "$PI/maildir"; fi
}

# Empties the queues between runs (outside the timed part) and lets the disk settle.
settle() {
  local i
  # Postfix: wait until qmgr has discarded everything (bounded: 120 s)
  for i in $(seq 600); do
    [[ $(count_files "$PF/queue/incoming" "$PF/queue/active" "$PF/queue/maildrop") == 0 ]] && break
    sleep 0.2
  done
  # Postino in maildir mode: wait until the spool is empty (local delivery done)
  if [[ $POSTINO_RCPT == maildir ]]; then
    for i in $(seq 600); do
      [[ $(count_files "$PI/spool/incoming") == 0 ]] && break
      sleep 0.2
    done
  fi
  find "$PI/spool/incoming" "$PI/maildir" -type f -delete 2>/dev/null || true
  sync
  sleep 1
}

# ------------------------------------------------------------------ measuring

# run_source SERVER PORT SIZE SESSIONS PER_SESSION COUNT -> prints messages/s
run_source() {
  local server=$1 port=$2 size=$3 sessions=$4 per=$5 count=$6 to=bench@bench.local
  local keep=()
  [[ $per == 1 ]] || keep=(-d)
  [[ $server == postino ]] && to=$POSTINO_TO
  local before=0 after
  [[ $server == postino ]] && before=$(postino_accepted)
  local t0 t1
  t0=$(date +%s.%N)
  smtp-source -s "$sessions" -m "$count" "${keep[@]}" -l "$size" -M bench.client -f "$SENDER" -t "$to" \
    "127.0.0.1:$port" 2>"$RESULTS/smtp-source.err" || die "smtp-source against $server failed: $(head -3 "$RESULTS/smtp-source.err")"
  t1=$(date +%s.%N)
  [[ -s $RESULTS/smtp-source.err ]] && die "smtp-source against $server: $(head -3 "$RESULTS/smtp-source.err")"
  if [[ $server == postino ]]; then
    if [[ $POSTINO_RCPT == maildir ]]; then
      for _ in $(seq 600); do [[ $(postino_accepted) -ge $((before + count)) ]] && break; sleep 0.2; done
    fi
    after=$(postino_accepted)
    ((after - before == count)) || die "Postino holds $((after - before)) new message(s), $count were sent"
  fi
  python3 -c "print(round($count / ($t1 - $t0)))"
}

median() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }
ratio() { python3 -c "print('%.2f' % ($1 / $2))"; }
fmt() { python3 -c "print(f'{int($1):,}')"; }

throughput() {
  local sizes=(1024 102400) sessions_list=(1 50) pers=(1 100)
  log "warming up (1 KiB, 50 sessions, $MANY messages, twice; 100 KiB once)"
  for server in postino postfix sink; do
    local port; port=$(port_of $server)
    run_source $server "$port" 1024 50 100 "$MANY" >/dev/null
    run_source $server "$port" 1024 50 100 "$MANY" >/dev/null
    run_source $server "$port" 102400 50 100 "$((MANY / 5))" >/dev/null
  done
  settle
  local table="$RESULTS/throughput.md"
  {
    echo "| message | sessions | messages/session | messages | Postino msg/s | Postfix msg/s | smtp-sink msg/s | Postino/Postfix | Postino/smtp-sink |"
    echo "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
  } >"$table"
  echo "config,server,round,msgs_per_s" >"$RESULTS/throughput.csv"
  for size in "${sizes[@]}"; do
    for s in "${sessions_list[@]}"; do
      for per in "${pers[@]}"; do
        local count=$FEW
        ((s == 50)) && count=$MANY
        local a=() b=() c=()
        for round in $(seq "$RUNS"); do
          for server in postino postfix sink; do
            settle
            local r; r=$(run_source $server "$(port_of $server)" "$size" "$s" "$per" "$count")
            echo "$size/$s/$per,$server,$round,$r" >>"$RESULTS/throughput.csv"
            case $server in postino) a+=("$r") ;; postfix) b+=("$r") ;; sink) c+=("$r") ;; esac
          done
          log "$((size / 1024)) KiB, $s session(s), $per message(s)/session, round $round: Postino ${a[-1]}, Postfix ${b[-1]}, smtp-sink ${c[-1]} msg/s"
        done
        local ma mb mc
        ma=$(median "${a[@]}"); mb=$(median "${b[@]}"); mc=$(median "${c[@]}")
        echo "| $((size / 1024)) KiB | $s | $per | $count | $(fmt "$ma") | $(fmt "$mb") | $(fmt "$mc") | $(ratio "$ma" "$mb") | $(ratio "$ma" "$mc") |" >>"$table"
      done
    done
  done
}

port_of() {
  case $1 in postino) echo "$PORT_POSTINO" ;; postfix) echo "$PORT_POSTFIX" ;; sink) echo "$PORT_SINK" ;; esac
}

concurrency() {
  local out="$RESULTS/concurrency.md"
  echo "| server | sessions held | RSS before | RSS held | per session | greeting p50 | p99 | max |" >"$out"
  echo "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |" >>"$out"
  # a fresh Postino, so that heap grown by the throughput runs does not hide what sessions cost
  log "restarting Postino, then holding $HELD sessions on it"
  kill "$POSTINO_PID"
  wait "$POSTINO_PID" 2>/dev/null || true
  start_postino
  python3 "$HERE/hold_sessions.py" --port "$PORT_POSTINO" --sessions "$HELD" --pid "$POSTINO_PID" --jcmd \
    --label Postino --markdown >>"$out" 2>"$RESULTS/concurrency-postino.txt" ||
    die "holding sessions on Postino: $(tail -3 "$RESULTS/concurrency-postino.txt")"
  if ((HELD_POSTFIX > 0)); then
    log "holding $HELD_POSTFIX sessions on Postfix"
    python3 "$HERE/hold_sessions.py" --port "$PORT_POSTFIX" --sessions "$HELD_POSTFIX" \
      --postfix-master "$(tr -d ' ' <"$PF/data/master.lock")" --label Postfix --markdown >>"$out" \
      2>"$RESULTS/concurrency-postfix.txt" || die "holding sessions on Postfix: $(tail -3 "$RESULTS/concurrency-postfix.txt")"
  fi
}

machine() {
  local cpu
  cpu=$(awk -F': ' '/model name/ {print $2; exit}' /proc/cpuinfo)
  echo "Machine: $(nproc) x $cpu, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(uname -sr)," \
    "$(df -T "$BENCH_DIR" | awk 'NR==2 {print $2}') under $BENCH_DIR; $(java -version 2>&1 | head -1);" \
    "Postfix $(postconf -d -h mail_version); load average before the run: $(cut -d' ' -f1-3 /proc/loadavg)."
}

# ------------------------------------------------------------------ main

need_tools
ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)"
mkdir -p "$BENCH_DIR"
stop_leftovers
rm -rf "$RESULTS"
mkdir -p "$RESULTS"
if [[ $SKIP_BUILD != 1 ]]; then
  log "building target/postino.jar"
  (cd "$ROOT" && mvn -B -q package -DskipTests)
fi
[[ -f $ROOT/target/postino.jar ]] || die "no $ROOT/target/postino.jar"
MACHINE=$(machine)
log "starting Postino (:$PORT_POSTINO), Postfix (:$PORT_POSTFIX) and smtp-sink (:$PORT_SINK) under $BENCH_DIR"
start_postino
setup_postfix
start_sink
STARTED=$(date +%s)
throughput
[[ $SKIP_CONCURRENCY == 1 ]] || concurrency
{
  echo "## Load benchmark, $(date -u +%Y-%m-%dT%H:%MZ)"
  echo
  echo "$MACHINE"
  echo "Postino recipient: $POSTINO_TO ($POSTINO_RCPT mode); rounds: $RUNS (medians); QUICK=$QUICK."
  echo
  cat "$RESULTS/throughput.md"
  if [[ -f $RESULTS/concurrency.md ]]; then
    echo
    cat "$RESULTS/concurrency.md"
  fi
} | tee "$RESULTS/summary.md"
log "done in $(($(date +%s) - STARTED)) s; raw figures in $RESULTS"
if [[ $PROFILE == jfr ]]; then
  stop_all
  log "JFR recording: $RESULTS/postino.jfr (jfr print --events jdk.ExecutionSample ...)"
fi
