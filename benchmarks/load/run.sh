#!/usr/bin/env bash
# Postino load benchmark: Postino against Postfix (durable queue) and smtp-sink (no storage, the
# ceiling), all driven by Postfix's smtp-source on loopback, in the same run on the same machine.
#
# Usage (as root, from anywhere in the repository):
#
#   benchmarks/load/run.sh              # full run: about 8 minutes on 2 cores (plus the build)
#   QUICK=1 benchmarks/load/run.sh      # 1 round, fewer messages and held sessions: under 2 minutes
#
# What it does, in order (every step is idempotent; a run stops what an interrupted one left):
#   1. Checks for smtp-source, smtp-sink, postfix, java, mvn and python3. When Postfix's tools are
#      missing and it runs as root with apt-get, it installs Debian's `postfix` package without
#      configuring the system's mail service (debconf "No configuration"); otherwise it says what
#      to install.
#   2. Builds the fat jar at the repository root: mvn -B -q package -DskipTests -> target/postino.jar
#      (SKIP_BUILD=1 uses the jar that is there), and runs a copy of it.
#   3. Starts, under $BENCH_DIR (default /var/tmp/postino-bench, which must be on a real disk:
#      fsync on tmpfs costs nothing and the comparison would mean nothing):
#      - Postino on 127.0.0.1:2625 with benchmarks/load/postino-bench.json (spool and Maildir under
#        $BENCH_DIR/postino; every message is fsync'd before its 250, as always);
#      - a private Postfix instance on 127.0.0.1:2626, with its own config_directory and
#        queue_directory under $BENCH_DIR/postfix (the system's Postfix is not touched); its
#        cleanup fsyncs each queue file before smtpd says 250. in_flow_delay is 0, so Postfix is
#        never slowed on purpose;
#      - smtp-sink on 127.0.0.1:2627: answers everything, stores nothing.
#   4. Warms every server up (JIT for Postino, process pools for Postfix), then for 1 KiB and
#      100 KiB messages (smtp-source -l), 1 and 50 concurrent sessions (-s), and 1 or 100 messages
#      per session (a new connection for every message, or -d), runs smtp-source against each
#      server in turn, $RUNS rounds (3; QUICK: 1), interleaved so that a noisy moment hits all three
#      alike. A run that fails (smtp-source's exit status or error output, or fewer messages in the
#      queue than were sent) stops the benchmark. For Postino also its JVM's CPU time per message
#      and the methods its JIT compiled during each timed run (throughput.csv and the log).
#      What each server gets before a timed run, untimed, in both modes:
#      - all three: at the start, $WARMUP runs of $MANY 1 KiB messages and one of $MANY / 5 100 KiB
#        messages (50 sessions, connections kept), then the timed runs before this one;
#      - Postino in MODE=queue only: its queue emptied by `postino queue delete --all` through
#        its admin port before every timed run (see empty_postino), the JVM kept warm as Postfix's
#        processes are;
#      - all three, right before each timed run: $SHAPE_WARMUP (3,000; QUICK: 1,000) messages of
#        that run's shape (size, sessions, messages per session) to the same server, for
#        bench@bench.local (Postino delivers and removes them, Postfix holds or discards them),
#        waited for until they have left Postino's spool and Postfix's incoming queue (warm_shape;
#        0 skips it); in MODE=queue Postino's go to the timed run's relay recipient instead and
#        stay queued with it (emptied before the next timed run), so that the relay path is
#        compiled too. Without it, a timed run met a one-session run's code (a connection per
#        message, a group commit of one) for the first time, and compiled it then. It adds
#        about a minute per round of the throughput step.
#   5. Concurrency: restarts Postino, holds $HELD sessions (10,000; QUICK: 2,000; fewer when
#      the file descriptor limit cannot hold them: Postino derives its connection ceiling from it) open on it, each
#      after EHLO, with benchmarks/load/hold_sessions.py, and reports resident memory (RSS and PSS) per session
#      and the greeting latency of new sessions while they are held. The same for Postfix with
#      $HELD_POSTFIX sessions (500; QUICK: 200; 0 skips it): one smtpd process per session.
#      HELD=100000: the script raises its file descriptor limit (soft and hard, as root with
#      CAP_SYS_RESOURCE; at most /proc/sys/fs/nr_open) to what Postino needs for that many (two per
#      session, see DescriptorBudget), and Postino's smtp.maxConnections with it.
#   6. Flood: benchmarks/load/flood.sh (SKIP_FLOOD=1 skips it): a fresh Postino's resident memory
#      while clients send 100 MiB without a line end, as a command line and as content, one and
#      $FLOODS (50) at once.
#   7. Outbound: $OUTBOUND 1 KiB messages (6,000; QUICK: 2,000) queued for a domain routed to the
#      smtp-sink, then delivered by a warm server; Postino against Postfix as the relay, $RUNS
#      rounds (see outbound() for how each is queued and timed). SKIP_OUTBOUND=1 skips it.
#   8. Cold start: the same queue relayed by a server just started on it, Java 17 with and without
#      an AppCDS archive and Java 25 with and without an AOT cache against `postfix start`, and the
#      time from the start to the first 220 (coldstart.sh, whose header says how). SKIP_COLDSTART=1 skips it.
#   9. Relaying end to end (benchmarks/load/relay.sh): RELAY messages (6,000; QUICK: 3,000) for three
#      remote domains injected into a warm Postino and Postfix while they deliver them to three
#      smtp-sinks; time from the first injected to the last delivered. SKIP_RELAY=1 skips it.
#  10. Prints Markdown tables (medians of messages/s; ratios of those medians, all from this run)
#      and keeps them, the raw figures and the logs in $BENCH_DIR/results.
#
# What the servers do with a message (MODE):
#   queue   (default) accept into the queue, and nothing else: the comparison the targets are
#           about. Postino gets bench@relay.example, a relay recipient from a trusted network: the
#           message is made durable in the spool (the journal's fdatasync, or the file's, shared by
#           a group commit) before the 250, and then stays there. The first queue.activeLimit
#           (10,000) of the warm-up fill the queue manager's window and wait there for an MX
#           lookup that never completes (start_dns_blackhole), deleted only when it does (not
#           during the run): every later message waits in the spool, untouched, as Postfix's on
#           hold. Postfix puts every message on hold (smtpd_client_restrictions =
#           check_client_access static:HOLD): cleanup writes and fsyncs the queue file before the
#           250, then moves it to the hold queue, where it stays.
#   deliver Postino gets bench@bench.local, a local domain: after the 250 it delivers to Maildir
#           (fsyncs of its own) and removes the spool file. A timed run ends when the last message
#           has been delivered (in Postino's Maildir; logged status=sent by Postfix), not at the
#           last 250: a server that accepts faster than it delivers only builds a backlog, which
#           the next run would pay for. (Until 2026-12-06 the clock stopped at the last 250 and
#           the deliveries still under way finished untimed.) Postfix hands every message to its
#           discard transport, which removes the queue file. Both delete files while new ones come.
#
# File system hygiene: before every timed run the queues are emptied (outside the timing; in
# MODE=queue Postino's by its own bulk delete, see empty_postino) by moving
# their files into $BENCH_DIR/trash, deleted only when the benchmark ends (it needs about 7 GB free
# for that), then `sync` and `echo 3 > /proc/sys/vm/drop_caches` (DROP_CACHES=0 skips the drop).
# Moving rather than deleting matters on ext4 without a journal (as on the machine of the README's
# figures): there, allocating an inode skips every recently freed inode, so creating files soon
# after thousands were deleted costs several times the CPU, and whoever runs next would pay for the
# previous run's deletions.
#
# LOOP_EXT4=1 runs everything on a fresh ext4 file system *with* a journal, made in a sparse 16 GiB
# image file ($LOOP_IMAGE, default /var/tmp/postino-bench-ext4.img) mounted through a loop device on
# $BENCH_DIR (so the image's own file system holds it): for a machine whose disk has no journal,
# as a server's normally has one. Unmounted at the end.
#
# Other settings (environment): RUNS, MANY (messages of a 50-session run: 5000; QUICK: 1000), FEW
# (of a 1-session run: 200; QUICK: 100), WARMUP (1 KiB runs of MANY messages before measuring: 10;
# QUICK: 3), SHAPE_WARMUP (see step 4), BENCH_DIR, PORT_POSTINO/PORT_POSTFIX/PORT_SINK/PORT_ADMIN, JAVA_OPTS,
# SKIP_BUILD=1, SKIP_THROUGHPUT=1, SKIP_CONCURRENCY=1, SKIP_FLOOD=1, SKIP_OUTBOUND=1, SKIP_RELAY=1, FLOODS, OUTBOUND,
# OUTBOUND_WARMUP, RELAY, RELAY_WARMUP, RELAY_SINK_PORTS (see relay.sh), BENCH_JAR (the jar to run instead of
# target/postino.jar, for A/B runs of another build), SIZES ("1024 102400"), SESSIONS ("1 50") and
# PER_SESSION ("1 100") (the cells of step 4, for a run of a few), HELD, HELD_POSTFIX, PROFILE=jfr (records a
# JFR file of Postino over the throughput runs, in $BENCH_DIR/results/postino.jfr).
#
# All traffic stays on 127.0.0.0/8. Every loop is bounded; the script stops everything it started
# when it exits, Ctrl-C included.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
QUICK=${QUICK:-0}
if [[ $QUICK == 1 ]]; then
  RUNS=${RUNS:-1}; MANY=${MANY:-1000}; FEW=${FEW:-100}; HELD=${HELD:-2000}; HELD_POSTFIX=${HELD_POSTFIX:-200}
  WARMUP=${WARMUP:-3}; OUTBOUND=${OUTBOUND:-2000}; OUTBOUND_WARMUP=${OUTBOUND_WARMUP:-3}; SHAPE_WARMUP=${SHAPE_WARMUP:-1000}
else
  RUNS=${RUNS:-3}; MANY=${MANY:-5000}; FEW=${FEW:-200}; HELD=${HELD:-10000}; HELD_POSTFIX=${HELD_POSTFIX:-500}
  WARMUP=${WARMUP:-10}; OUTBOUND=${OUTBOUND:-6000}; OUTBOUND_WARMUP=${OUTBOUND_WARMUP:-20}; SHAPE_WARMUP=${SHAPE_WARMUP:-3000}
fi
BENCH_DIR=${BENCH_DIR:-/var/tmp/postino-bench}
PORT_POSTINO=${PORT_POSTINO:-2625}
PORT_POSTFIX=${PORT_POSTFIX:-2626}
PORT_SINK=${PORT_SINK:-2627}
# a UDP port that never answers: Postino's DNS server in this benchmark (see start_dns_blackhole)
PORT_DNS=${PORT_DNS:-2628}
# Postino's admin port, through which MODE=queue empties its queue (empty_postino)
PORT_ADMIN=${PORT_ADMIN:-2624}
MODE=${MODE:-queue}
DROP_CACHES=${DROP_CACHES:-1}
JAVA_OPTS=${JAVA_OPTS:-}
PROFILE=${PROFILE:-}
SKIP_BUILD=${SKIP_BUILD:-0}
# the jar to run (a copy of it): another build's, for A/B runs
BENCH_JAR=${BENCH_JAR:-$ROOT/target/postino.jar}
SKIP_THROUGHPUT=${SKIP_THROUGHPUT:-0}
# the cells of the throughput step (all 8 by default): message sizes, concurrent sessions, messages per session
SIZES=${SIZES:-1024 102400}
SESSIONS=${SESSIONS:-1 50}
PER_SESSION=${PER_SESSION:-1 100}
SKIP_CONCURRENCY=${SKIP_CONCURRENCY:-0}
SKIP_OUTBOUND=${SKIP_OUTBOUND:-0}
SKIP_FLOOD=${SKIP_FLOOD:-0}
FLOODS=${FLOODS:-50}
SKIP_RELAY=${SKIP_RELAY:-0}
LOOP_EXT4=${LOOP_EXT4:-0}
LOOP_IMAGE=${LOOP_IMAGE:-/var/tmp/postino-bench-ext4.img}
LOOP_MOUNTED=0
SENDER=sender@bench.client
RESULTS=$BENCH_DIR/results
PF=$BENCH_DIR/postfix
PI=$BENCH_DIR/postino

case $MODE in
  queue) POSTINO_TO=bench@relay.example ;;
  deliver) POSTINO_TO=bench@bench.local ;;
  *) echo "MODE must be queue or deliver" >&2; exit 2 ;;
esac

log() { printf '%s %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { log "error: $*"; exit 1; }

# ------------------------------------------------------------------ tools

need_tools() {
  export PATH=$PATH:/usr/sbin:/sbin
  local missing=()
  for t in smtp-source smtp-sink postfix postconf postsuper; do
    command -v "$t" >/dev/null || missing+=("$t")
  done
  if ((${#missing[@]})); then
    if [[ $(id -u) == 0 ]] && command -v apt-get >/dev/null; then
      log "installing Debian's postfix package (for ${missing[*]}); the system's mail service stays unconfigured"
      echo "postfix postfix/main_mailer_type select No configuration" | debconf-set-selections
      DEBIAN_FRONTEND=noninteractive apt-get install -y -q postfix >/dev/null ||
        { DEBIAN_FRONTEND=noninteractive apt-get update -q >/dev/null &&
          DEBIAN_FRONTEND=noninteractive apt-get install -y -q postfix >/dev/null; }
    else
      die "missing ${missing[*]}: install Debian's postfix package (as root: echo 'postfix postfix/main_mailer_type select No configuration' | debconf-set-selections; DEBIAN_FRONTEND=noninteractive apt-get install -y postfix)"
    fi
  fi
  for t in java mvn python3; do
    command -v "$t" >/dev/null || die "missing $t (Java 17, Maven and Python 3 are needed)"
  done
  [[ $(id -u) == 0 ]] || die "run as root: the private Postfix instance and smtp-sink need it"
}

# ------------------------------------------------------------------ servers

PIDS=()
POSTFIX_STARTED=0
POSTINO_PID=

stop_all() {
  set +e
  local p
  for p in "${PIDS[@]}"; do
    kill "$p" 2>/dev/null
  done
  for p in "${PIDS[@]}"; do
    for _ in $(seq 50); do kill -0 "$p" 2>/dev/null || break; sleep 0.2; done
    kill -9 "$p" 2>/dev/null
  done
  PIDS=()
  rm -f "$BENCH_DIR"/*.pid
  rm -rf "$BENCH_DIR/trash"
  if [[ $POSTFIX_STARTED == 1 ]]; then
    local master
    master=$(tr -dc '0-9' <"$PF/queue/pid/master.pid" 2>/dev/null || true)
    postfix -c "$PF/etc" stop >/dev/null 2>&1
    # once seen still running minutes later, holding the ports of the next run: wait, then kill
    if [[ -n $master ]]; then
      for _ in $(seq 50); do kill -0 "$master" 2>/dev/null || break; sleep 0.2; done
      kill -9 "$master" 2>/dev/null || true
    fi
    POSTFIX_STARTED=0
  fi
  if [[ $LOOP_MOUNTED == 1 ]]; then
    cp -r "$RESULTS" "$LOOP_IMAGE.results" 2>/dev/null && log "results copied to $LOOP_IMAGE.results"
    sleep 1
    umount "$BENCH_DIR" && LOOP_MOUNTED=0 && rm -f "$LOOP_IMAGE"
  fi
}
trap stop_all EXIT
trap 'exit 130' INT TERM

# Stops what an earlier, interrupted run left behind (only our own instances, by their pid files).
stop_leftovers() {
  if [[ -f $PF/etc/main.cf ]]; then
    postfix -c "$PF/etc" stop >/dev/null 2>&1 || true
  fi
  local f p
  for f in "$BENCH_DIR"/*.pid; do
    [[ -f $f ]] || continue
    p=$(cat "$f")
    if kill -0 "$p" 2>/dev/null && grep -qa -e "$BENCH_DIR/postino.jar" -e smtp-sink "/proc/$p/cmdline"; then
      kill "$p"
      sleep 1
    fi
    rm -f "$f"
  done
}

wait_port() {
  local port=$1
  for _ in $(seq 150); do
    if python3 - "$port" <<'PY' 2>/dev/null; then return 0; fi
import socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=1)
s.settimeout(5)
assert s.recv(512).startswith(b"220")
s.sendall(b"QUIT\r\n")
PY
    sleep 0.2
  done
  die "nothing answers on 127.0.0.1:$port"
}

setup_postfix() {
  rm -rf "$PF"
  mkdir -p "$PF/etc" "$PF/queue" "$PF/data"
  chown postfix:postfix "$PF/data"
  cat >"$PF/etc/main.cf" <<CF
# A private Postfix instance for the benchmark (postfix -c $PF/etc).
compatibility_level = 3.6
queue_directory = $PF/queue
data_directory = $PF/data
maillog_file = $PF/maillog
maillog_file_prefixes = $PF
myhostname = bench.postfix
mydomain = bench.local
mydestination = bench.local
inet_interfaces = 127.0.0.1
inet_protocols = ipv4
mynetworks = 127.0.0.0/8
# any local part is accepted; in MODE=deliver every message is discarded once queued
local_recipient_maps =
local_transport = discard:
default_transport = discard:
# accept as fast as the queue can take it
in_flow_delay = 0
smtpd_client_connection_count_limit = 0
CF
  if [[ $MODE == queue ]]; then
    printf '%s\n' "# accept into the queue and keep: every message goes to the hold queue" \
      "smtpd_client_restrictions = check_client_access static:HOLD" >>"$PF/etc/main.cf"
  fi
  # chroot off (5th column): the instance has no chroot tree. smtpd: up to HELD_POSTFIX + 100.
  cat >"$PF/etc/master.cf" <<CF
127.0.0.1:$PORT_POSTFIX inet n - n - $((HELD_POSTFIX + 100)) smtpd
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
smtp      unix  -       -       n       -       -       smtp
anvil     unix  -       -       n       -       1       anvil
scache    unix  -       -       n       -       1       scache
postlog   unix-dgram n  -       n       -       1       postlogd
CF
  postfix -c "$PF/etc" check || die "postfix check failed for $PF/etc (its errors go to syslog or $PF/maillog)"
  postfix -c "$PF/etc" start >/dev/null 2>&1 || die "Postfix did not start: see $PF/maillog"
  POSTFIX_STARTED=1
  wait_port "$PORT_POSTFIX"
}

start_postino() {
  if [[ -f $PI/postino.log ]]; then
    tail -n 2000 "$PI/postino.log" >"$RESULTS/postino-$(date +%H%M%S).log"
  fi
  rm -rf "$PI"
  mkdir -p "$PI"
  local jfr=()
  if [[ $PROFILE == jfr ]]; then
    jfr=("-XX:StartFlightRecording=filename=$RESULTS/postino.jfr,settings=profile,dumponexit=true")
  fi
  # a copy of the jar: a rebuild during the run must not change it under the JVM
  cp "$BENCH_JAR" "$BENCH_DIR/postino.jar"
  # the ports of this run, not the file's own (2625, 2628), so that runs with their own ports do not
  # collide; and the admin port, for the bulk delete of empty_postino
  python3 -c 'import json, sys; c = json.load(open(sys.argv[1])); c["smtp"]["port"] = int(sys.argv[2])
c["dns"]["servers"] = ["127.0.0.1:" + sys.argv[3]]
c["admin"] = {"enabled": True, "host": "127.0.0.1", "port": int(sys.argv[4]), "tokenFile": "admin.token"}
print(json.dumps(c, indent=2))' \
    "$HERE/postino-bench.json" "$PORT_POSTINO" "$PORT_DNS" "$PORT_ADMIN" >"$BENCH_DIR/postino-bench.json"
  # shellcheck disable=SC2086
  (cd "$PI" && exec java @"$ROOT/conf/jvm.options" $JAVA_OPTS "${jfr[@]}" -jar "$BENCH_DIR/postino.jar" -conf "$BENCH_DIR/postino-bench.json" \
    >"$PI/postino.log" 2>&1) &
  POSTINO_PID=$!
  PIDS+=("$POSTINO_PID")
  echo "$POSTINO_PID" >"$BENCH_DIR/postino.pid"
  wait_port "$PORT_POSTINO"
}

# A graceful stop gives the deliveries under way shutdownGrace (30 s): in MODE=queue, the rounds that
# wait on the silent DNS port take all of it. Past 40 s, a kill (nothing acknowledged is lost), so
# that the next start finds the ports free.
stop_postino() {
  kill "$POSTINO_PID" 2>/dev/null || true
  for _ in $(seq 200); do kill -0 "$POSTINO_PID" 2>/dev/null || return 0; sleep 0.2; done
  kill -9 "$POSTINO_PID" 2>/dev/null || true
  for _ in $(seq 50); do kill -0 "$POSTINO_PID" 2>/dev/null || break; sleep 0.2; done
}

# Postino's relay recipient (MODE=queue) must stay in the spool, as Postfix's messages stay on
# hold: its domain's MX lookup goes to this silent DNS port and never completes during a run
# (postino-bench.json sets hour-long timeouts), so no delivery attempt, bounce or status write
# adds work that Postfix does not do. Without it the domain may be NXDOMAIN, and every message
# would be bounced at once.
start_dns_blackhole() {
  python3 -c "
import socket, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(('127.0.0.1', $PORT_DNS))
time.sleep(86400)
" &
  PIDS+=("$!")
}

start_sink() {
  smtp-sink -u nobody "127.0.0.1:$PORT_SINK" 1024 &
  SINK_PID=$!
  PIDS+=("$SINK_PID")
  echo "$SINK_PID" >"$BENCH_DIR/sink.pid"
  wait_port "$PORT_SINK"
}

port_of() {
  case $1 in postino) echo "$PORT_POSTINO" ;; postfix) echo "$PORT_POSTFIX" ;; sink) echo "$PORT_SINK" ;; esac
}

# ------------------------------------------------------------------ queues

count_files() { { find "$@" -type f 2>/dev/null || true; } | wc -l; }

# shellcheck source=postino-log.sh
source "$HERE/postino-log.sh"

# Messages a server has taken so far (durably queued, or delivered and gone in MODE=deliver).
# Postino's queued messages are counted in its log (postino-log.sh).
# Cheap enough to be asked every 20 ms while a MODE=deliver run is timed: one directory read,
# not a walk of the tree (every message goes to bench@bench.local, whose Maildir this is).
postino_accepted() {
  if [[ $MODE == queue ]]; then
    postino_queued "$PI/postino.log"
  else
    local n
    n=$(ls -f "$PI/maildir/bench.local/bench/new" 2>/dev/null | wc -l)
    echo $((n > 2 ? n - 2 : 0))
  fi
}
# Postfix's log is read from where it ended when the run began ($MAILLOG_FROM octets), not whole.
postfix_accepted() {
  if [[ $MODE == queue ]]; then
    count_files "$PF/queue/hold"
  else
    tail -c +$((MAILLOG_FROM + 1)) "$PF/maillog" 2>/dev/null | grep -c 'status=sent' || true
  fi
}
MAILLOG_FROM=0

drop_caches() {
  sync
  if [[ $DROP_CACHES == 1 ]]; then
    echo 3 >/proc/sys/vm/drop_caches 2>/dev/null || log "warning: cannot drop caches (DROP_CACHES=0 stops trying)"
  fi
}

# Empties the queues (outside the timed part) and lets the file system settle. With the shape of
# the run about to be timed (SERVER SIZE SESSIONS PER_SESSION), warms that server up with it first.
settle() {
  # wait until the servers have finished with what they took (bounded: 120 s each)
  for _ in $(seq 600); do
    [[ $(count_files "$PF/queue/incoming" "$PF/queue/active" "$PF/queue/maildrop") == 0 ]] && break
    sleep 0.2
  done
  if [[ $MODE == deliver ]]; then
    wait_postino_done "$PI/postino.log" || true
  fi
  if [[ $MODE == queue && $POSTINO_QUEUED == 1 ]]; then
    empty_postino
  fi
  (($# == 0)) || warm_shape "$@"
  set_aside "$PI/maildir" "$PF/queue/hold"
  drop_caches
  sleep 1
}

# Postino's queued messages cannot be moved aside under the running server: a message leaves its
# spool only with a done record, and a checkpoint rewrites from the journal the file of any live
# message that vanished (as a restart after a crash would). So in MODE=queue Postino deletes them
# itself, as `postsuper -d ALL` would (a few hundred per journal sync), through its admin port; the
# command returns once they are gone. Those in the queue manager's window, waiting on the silent
# DNS port, stay until their lookup ends (not during the run).
empty_postino() {
  POSTINO_QUEUED=0
  (cd "$PI" && java -jar "$BENCH_DIR/postino.jar" queue delete --all -conf "$BENCH_DIR/postino-bench.json") \
    >>"$RESULTS/postino-delete.log" 2>&1 || die "emptying Postino's queue failed: $(tail -3 "$RESULTS/postino-delete.log")"
}

# The untimed run before every timed one: $SHAPE_WARMUP messages of its shape (size, sessions,
# messages per session) to the same server, for bench@bench.local, which leaves no file queued:
# Postino delivers them to Maildir and removes them from its spool, Postfix holds them
# (MODE=queue) or discards them, smtp-sink drops them; then waits until they have left Postino's
# spool and Postfix's incoming and active queues (settle moves the rest aside). Except Postino's
# in MODE=queue: they go to $POSTINO_TO, the timed run's relay recipient, and stay queued (waited
# for until durably queued; the next settle empties its queue). So a timed run finds its code
# paths compiled.
warm_shape() {
  local server=$1 size=$2 sessions=$3 per=$4 keep=() to=bench@bench.local queued=0
  local count=$((SHAPE_WARMUP > sessions ? SHAPE_WARMUP : sessions))
  ((SHAPE_WARMUP > 0)) || return 0
  [[ $per == 1 ]] || keep=(-d)
  if [[ $server == postino && $MODE == queue ]]; then
    to=$POSTINO_TO queued=$(postino_queued "$PI/postino.log") POSTINO_QUEUED=1
  fi
  smtp-source -s "$sessions" -m "$count" "${keep[@]}" -l "$size" \
    -M bench.client -f "$SENDER" -t "$to" "127.0.0.1:$(port_of "$server")" 2>"$RESULTS/smtp-source.err" ||
    die "warming $server up failed: $(head -3 "$RESULTS/smtp-source.err")"
  for _ in $(seq 600); do
    if [[ $to == bench@bench.local ]]; then
      [[ $(count_files "$PF/queue/incoming" "$PF/queue/active" "$PF/queue/maildrop") == 0 &&
        ($server != postino || $(postino_unfinished "$PI/postino.log") -le 0) ]] && break
    else
      (($(postino_queued "$PI/postino.log") >= queued + count)) && break
    fi
    sleep 0.2
  done
}

# Empties queues by moving their files into $BENCH_DIR/trash (a new directory each time), not by
# deleting them: on ext4 without a journal, creating a file right after thousands were deleted
# costs several times as much (the allocator skips recently freed inodes, `recently_deleted()`),
# so a run after a mass deletion would measure the benchmark's own clean-up. The trash goes when
# the benchmark ends.
set_aside() {
  local dir="$BENCH_DIR/trash/$((++TRASHED))"
  mkdir -p "$dir"
  find "$@" -type f -exec mv -t "$dir" {} + 2>/dev/null || true
}
TRASHED=0
# whether the running Postino was sent messages that stay queued (MODE=queue), see settle
POSTINO_QUEUED=0

# ------------------------------------------------------------------ measuring

# run_source SERVER SIZE SESSIONS PER_SESSION COUNT: sets RATE (messages/s) and, for Postino,
# CPU_MS (its JVM's CPU time per message, user + system, until every message was taken) and
# COMPILED (methods its JIT compiled meanwhile, from jstat); "-" for the others
run_source() {
  local server=$1 size=$2 sessions=$3 per=$4 count=$5 to=bench@bench.local
  local port keep=() before=0 after=0 t0 t1 c0 j0
  port=$(port_of "$server")
  [[ $per == 1 ]] || keep=(-d)
  [[ $server == postino ]] && to=$POSTINO_TO
  MAILLOG_FROM=$(stat -c %s "$PF/maillog" 2>/dev/null || echo 0)
  [[ $server == sink ]] || before=$("${server}_accepted")
  CPU_MS=- COMPILED=-
  if [[ $server == postino ]]; then
    j0=$(compiled "$POSTINO_PID")
    c0=$(cpu_ticks "$POSTINO_PID")
  fi
  t0=$(date +%s.%N)
  smtp-source -s "$sessions" -m "$count" "${keep[@]}" -l "$size" -M bench.client -f "$SENDER" -t "$to" \
    "127.0.0.1:$port" 2>"$RESULTS/smtp-source.err" ||
    die "smtp-source against $server failed: $(head -3 "$RESULTS/smtp-source.err")"
  t1=$(date +%s.%N)
  [[ -s $RESULTS/smtp-source.err ]] && die "smtp-source against $server: $(head -3 "$RESULTS/smtp-source.err")"
  # every message taken? (in MODE=deliver, Maildir and discard finish after the 250: the clock
  # runs until the last is delivered, looked for every 20 ms, at most 120 s)
  if [[ $server != sink ]]; then
    for _ in $(seq 6000); do
      after=$("${server}_accepted")
      ((after - before >= count)) && break
      sleep 0.02
    done
    [[ $MODE == deliver ]] && t1=$(date +%s.%N)
    ((after - before == count)) || die "$server took $((after - before)) message(s), $count were sent"
  fi
  if [[ $server == postino ]]; then
    # what it queued stays queued (MODE=queue): settle empties the queue before the next run
    POSTINO_QUEUED=1
    CPU_MS=$(python3 -c "print('%.3f' % (($(cpu_ticks "$POSTINO_PID") - $c0) * 1000 / $(getconf CLK_TCK) / $count))")
    COMPILED=$(($(compiled "$POSTINO_PID") - j0))
  fi
  RATE=$(python3 -c "print(round($count / ($t1 - $t0)))")
}

# Methods a JVM's JIT compiler has compiled so far (jstat reads its performance data from outside).
compiled() { jstat -compiler "$1" | awk 'NR == 2 {print $1}'; }

median() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }
ratio() { python3 -c "print('%.2f' % ($1 / $2))"; }
fmt() { python3 -c "print(f'{round($1):,}')"; }

throughput() {
  local server size s per count round r pcpu pjit
  # Postino's JIT compiler needs tens of thousands of messages before its code is fully compiled:
  # measured before that, a run measures the compiler as much as the server.
  log "warming up: 1 KiB, 50 sessions x 100 messages, $WARMUP x $MANY messages; 100 KiB once"
  for server in postino postfix sink; do
    for _ in $(seq "$WARMUP"); do
      run_source $server 1024 50 100 "$MANY"
      settle
    done
    run_source $server 102400 50 100 "$((MANY / 5))"
    settle
  done
  {
    echo "| message | sessions | messages/session | messages | Postino msg/s | Postfix msg/s | smtp-sink msg/s | Postino/Postfix | Postino/smtp-sink |"
    echo "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
  } >"$RESULTS/throughput.md"
  echo "size,sessions,per_session,messages,server,round,msgs_per_s,cpu_ms_per_msg,compiled" >"$RESULTS/throughput.csv"
  for size in $SIZES; do
    for s in $SESSIONS; do
      for per in $PER_SESSION; do
        count=$FEW
        ((s == 50)) && count=$MANY
        local a=() b=() c=()
        for round in $(seq "$RUNS"); do
          for server in postino postfix sink; do
            settle $server "$size" "$s" "$per"
            run_source $server "$size" "$s" "$per" "$count"
            r=$RATE
            echo "$size,$s,$per,$count,$server,$round,$r,$CPU_MS,$COMPILED" >>"$RESULTS/throughput.csv"
            case $server in postino) a+=("$r") pcpu=$CPU_MS pjit=$COMPILED ;; postfix) b+=("$r") ;; sink) c+=("$r") ;; esac
          done
          log "$((size / 1024)) KiB, $s session(s), $per message(s)/session, round $round: Postino ${a[-1]}" \
            "($pcpu CPU-ms/msg, $pjit methods compiled), Postfix ${b[-1]}, smtp-sink ${c[-1]} msg/s"
        done
        local ma mb mc
        ma=$(median "${a[@]}"); mb=$(median "${b[@]}"); mc=$(median "${c[@]}")
        echo "| $((size / 1024)) KiB | $s | $per | $count | $(fmt "$ma") | $(fmt "$mb") | $(fmt "$mc") | $(ratio "$ma" "$mb") | $(ratio "$ma" "$mc") |" >>"$RESULTS/throughput.md"
      done
    done
  done
  settle
}

# Outbound: OUTBOUND messages of 1 KiB already queued for one domain whose only route is the
# smtp-sink, delivered by a warm server; time from the moment the queue may deliver them until it
# is empty. Postino (one JVM for the whole step) first relays OUTBOUND_WARMUP rounds (20; QUICK: 3)
# of OUTBOUND messages end to end; each round then stops the sink, queues the messages (every attempt fails and is
# deferred for an hour), starts the sink again and makes them due by setting their files'
# modification time, which is the spool's due time, to now: the queue's next scan (scanInterval
# 0.2 s here) takes them in. Postfix: held while queued, then released (`postsuper -H ALL`) and
# flushed (`postqueue -f`), and relayed to the sink (relayhost; 20 connections per destination by
# default, as Postino's 20 per domain); one untimed round first.
outbound() {
  local out="$RESULTS/outbound.md" pi="$BENCH_DIR/outbound-postino" a=() b=() cpu=() round
  echo "| server | messages | msg/s delivered, medians of $RUNS (all) |" >"$out"
  echo "| --- | ---: | ---: |" >>"$out"
  stop_postino
  postconf -c "$PF/etc" -e "default_transport = smtp" "relayhost = [127.0.0.1]:$PORT_SINK" \
    "smtpd_client_restrictions = check_client_access static:HOLD" "smtp_tls_security_level = none"
  postfix -c "$PF/etc" reload >/dev/null 2>&1
  outbound_config >"$BENCH_DIR/outbound.json"
  rm -rf "$pi"
  mkdir -p "$pi"
  # shellcheck disable=SC2086
  (cd "$pi" && exec java @"$ROOT/conf/jvm.options" $JAVA_OPTS -jar "$BENCH_DIR/postino.jar" -conf "$BENCH_DIR/outbound.json" >postino.log 2>&1) &
  POSTINO_PID=$!
  PIDS+=("$POSTINO_PID")
  wait_port "$PORT_POSTINO"
  log "outbound: warming Postino up, $OUTBOUND_WARMUP x $OUTBOUND messages relayed to the sink; Postfix once"
  for _ in $(seq "$OUTBOUND_WARMUP"); do
    smtp-source -s 20 -m "$OUTBOUND" -d -l 1024 -M bench.client -f "$SENDER" -t bench@sink.test \
      "127.0.0.1:$PORT_POSTINO" || die "smtp-source against Postino failed"
    wait_postino_done "$pi/postino.log" || die "Postino did not relay everything: see $pi/postino.log"
  done
  postfix_outbound
  for round in $(seq "$RUNS"); do
    postino_outbound "$pi"
    a+=("$RATE")
    cpu+=("$CPU_MS")
    postfix_outbound
    b+=("$RATE")
    log "outbound, round $round: Postino ${a[-1]} (JVM CPU ${cpu[-1]} ms/msg), Postfix ${b[-1]} msg/s delivered"
  done
  stop_postino
  echo "| Postino | $OUTBOUND | $(fmt "$(median "${a[@]}")") (${a[*]}) |" >>"$out"
  echo "| Postfix | $OUTBOUND | $(fmt "$(median "${b[@]}")") (${b[*]}) |" >>"$out"
  echo >>"$out"
  echo "Postino/Postfix: $(ratio "$(median "${a[@]}")" "$(median "${b[@]}")"); Postino's JVM CPU per message delivered: $(median "${cpu[@]}") ms (${cpu[*]})" >>"$out"
}

# Waits (at most 300 s) until a directory holds no file; fails if it still does.
wait_empty() {
  for _ in $(seq 6000); do
    [[ $(count_files "$@") == 0 ]] && return 0
    sleep 0.05
  done
  return 1
}

# One timed Postino round (see outbound); sets RATE (messages/s).
postino_outbound() {
  local pi=$1 deferred t0 t1 c0
  kill "$SINK_PID" 2>/dev/null
  wait "$SINK_PID" 2>/dev/null || true
  deferred=$(grep -c 'deferred, next attempt' "$pi/postino.log" || true)
  smtp-source -s 20 -m "$OUTBOUND" -d -l 1024 -M bench.client -f "$SENDER" -t bench@sink.test \
    "127.0.0.1:$PORT_POSTINO" || die "smtp-source against Postino failed"
  for _ in $(seq 1500); do
    (($(grep -c 'deferred, next attempt' "$pi/postino.log") - deferred >= OUTBOUND)) && break
    sleep 0.2
  done
  start_sink
  drop_caches
  t0=$(date +%s.%N)
  c0=$(cpu_ticks "$POSTINO_PID")
  find "$pi/spool/incoming" -type f -exec touch {} +
  wait_empty "$pi/spool/incoming" || die "Postino did not deliver everything: see $pi/postino.log"
  t1=$(date +%s.%N)
  RATE=$(python3 -c "print(round($OUTBOUND / ($t1 - $t0)))")
  CPU_MS=$(python3 -c "print('%.3f' % (($(cpu_ticks "$POSTINO_PID") - $c0) * 1000 / $(getconf CLK_TCK) / $OUTBOUND))")
}

# User and system CPU time of a process so far, in clock ticks.
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }

# One timed Postfix round (see outbound); sets RATE (messages/s).
postfix_outbound() {
  local sent0 sent t0 t1
  smtp-source -s 20 -m "$OUTBOUND" -d -l 1024 -M bench.client -f "$SENDER" -t bench@sink.test \
    "127.0.0.1:$PORT_POSTFIX" || die "smtp-source against Postfix failed"
  for _ in $(seq 1500); do (($(count_files "$PF/queue/hold") >= OUTBOUND)) && break; sleep 0.2; done
  drop_caches
  sent0=$(grep -c 'status=sent' "$PF/maillog" || true)
  t0=$(date +%s.%N)
  # released messages go to the deferred queue: the flush makes them due at once
  postsuper -c "$PF/etc" -H ALL >/dev/null 2>&1
  postqueue -c "$PF/etc" -f
  wait_empty "$PF/queue/hold" "$PF/queue/incoming" "$PF/queue/active" "$PF/queue/deferred" "$PF/queue/maildrop" ||
    die "Postfix did not deliver everything: see $PF/maillog"
  t1=$(date +%s.%N)
  sent=$(($(grep -c 'status=sent' "$PF/maillog" || true) - sent0))
  ((sent == OUTBOUND)) || die "Postfix sent $sent of $OUTBOUND: see $PF/maillog"
  RATE=$(python3 -c "print(round($OUTBOUND / ($t1 - $t0)))")
}

outbound_config() {
  cat <<JSON
{"hostname": "bench.postino", "smtp": {"host": "127.0.0.1", "port": $PORT_POSTINO,
  "maxConnectionsPerClient": 20000}, "localDomains": ["bench.local"], "trustedNetworks": ["127.0.0.0/8"],
 "spool": {"directory": "spool"}, "maildir": {"root": "maildir"},
 "dns": {"servers": ["127.0.0.1:$PORT_DNS"], "routes": {"sink.test": "127.0.0.1:$PORT_SINK"}},
 "queue": {"minBackoff": 3600, "maxBackoff": 3600, "scanInterval": 0.2}}
JSON
}

concurrency() {
  local out="$RESULTS/concurrency.md"
  echo "| server | sessions held | RSS before | RSS held | per session | greeting p50 | p99 | max |" >"$out"
  echo "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |" >>"$out"
  # a fresh Postino, so that heap grown by the throughput runs does not hide what sessions cost
  log "restarting Postino, then holding $HELD sessions on it"
  stop_postino
  local java_opts=$JAVA_OPTS
  if ((HELD + 100 > 10000)); then
    # past the default of 10,000 (the limit was raised for it above)
    JAVA_OPTS="$JAVA_OPTS -Dpostino.smtp.maxConnections=$((HELD + 100))"
  fi
  start_postino
  JAVA_OPTS=$java_opts
  python3 "$HERE/hold_sessions.py" --port "$PORT_POSTINO" --sessions "$HELD" --pid "$POSTINO_PID" --jcmd \
    --histograms "$RESULTS/postino-histogram" --label Postino --markdown >>"$out" 2>"$RESULTS/concurrency-postino.txt" ||
    die "holding sessions on Postino: $(tail -3 "$RESULTS/concurrency-postino.txt")"
  if ((HELD_POSTFIX > 0)); then
    log "holding $HELD_POSTFIX sessions on Postfix"
    python3 "$HERE/hold_sessions.py" --port "$PORT_POSTFIX" --sessions "$HELD_POSTFIX" \
      --postfix-master "$(tr -d ' \n' <"$PF/data/master.lock")" --label Postfix --markdown >>"$out" \
      2>"$RESULTS/concurrency-postfix.txt" || die "holding sessions on Postfix: $(tail -3 "$RESULTS/concurrency-postfix.txt")"
  fi
}

machine() {
  local cpu
  cpu=$(awk -F': ' '/model name/ {print $2; exit}' /proc/cpuinfo)
  echo "Machine: $(nproc) x $cpu, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo)," \
    "$(uname -sr), $(df -T "$BENCH_DIR" | awk 'NR==2 {print $2}') under $BENCH_DIR" \
    "($(grep -q has_journal <(dumpe2fs -h "$(df "$BENCH_DIR" | awk 'NR==2 {print $1}')" 2>/dev/null) && echo 'with' || echo 'no') journal);" \
    "$(java -version 2>&1 | head -1); Postfix $(postconf -d -h mail_version);" \
    "load average before the run: $(cut -d' ' -f1-3 /proc/loadavg)."
}

# ------------------------------------------------------------------ main

need_tools
# Postino's descriptors for $HELD sessions (see DescriptorBudget), its reserve, its outbound
# connections, and the probes'; 65,536 at least. Raising the hard limit needs root (CAP_SYS_RESOURCE).
WANT_FILES=$((2 * (HELD + 200) + 1024 + 2 * 500 + 1024))
((WANT_FILES > 65536)) || WANT_FILES=65536
((WANT_FILES <= $(cat /proc/sys/fs/nr_open))) || WANT_FILES=$(cat /proc/sys/fs/nr_open)
if (($(ulimit -Hn) < WANT_FILES)); then
  ulimit -Hn "$WANT_FILES" 2>/dev/null || log "cannot raise the hard file descriptor limit $(ulimit -Hn) to $WANT_FILES (needs root with CAP_SYS_RESOURCE)"
fi
ulimit -n "$WANT_FILES" 2>/dev/null || ulimit -n "$(ulimit -Hn)"
# Postino derives its connection ceiling from this limit (2 descriptors per session, 1024 reserved,
# 2 per outbound connection: see DescriptorBudget); hold no more sessions than it will take.
CEILING=$((($(ulimit -n) - 1024 - 2 * 500) / 2 - 100))
if ((HELD > CEILING)); then
  log "holding $CEILING sessions instead of $HELD: the file descriptor limit $(ulimit -n) holds no more (raise ulimit -n)"
  HELD=$CEILING
fi
mkdir -p "$BENCH_DIR"
stop_leftovers
if [[ $LOOP_EXT4 == 1 ]]; then
  if mountpoint -q "$BENCH_DIR"; then
    umount "$BENCH_DIR"
  fi
  rm -f "$LOOP_IMAGE"
  truncate -s 16G "$LOOP_IMAGE"
  mkfs.ext4 -q -F "$LOOP_IMAGE"
  mount -o loop "$LOOP_IMAGE" "$BENCH_DIR"
  LOOP_MOUNTED=1
  rm -rf "$LOOP_IMAGE.results"
fi
rm -rf "$RESULTS"
mkdir -p "$RESULTS"
if [[ $SKIP_BUILD != 1 ]]; then
  log "building target/postino.jar"
  (cd "$ROOT" && mvn -B -q package -DskipTests)
fi
[[ -f $BENCH_JAR ]] || die "no $BENCH_JAR"
MACHINE=$(machine)
STARTED=$(date +%s)
log "starting Postino (:$PORT_POSTINO), Postfix (:$PORT_POSTFIX) and smtp-sink (:$PORT_SINK) under $BENCH_DIR, MODE=$MODE"
start_dns_blackhole
start_postino
setup_postfix
start_sink
[[ $SKIP_THROUGHPUT == 1 ]] || throughput
if [[ $PROFILE == jfr ]]; then
  stop_postino # writes the recording
  start_postino
fi
[[ $SKIP_CONCURRENCY == 1 ]] || concurrency
if [[ $SKIP_FLOOD != 1 ]]; then
  stop_postino
  BENCH_DIR=$BENCH_DIR PORT_POSTINO=$PORT_POSTINO PORT_DNS=$PORT_DNS JAVA_OPTS=$JAVA_OPTS JAR=$BENCH_DIR/postino.jar \
    FLOODS=$FLOODS FLOOD_OUT=$RESULTS/flood.md "$HERE/flood.sh" || die "flood: see $BENCH_DIR/flood/postino.log"
fi
# last: they turn the Postfix instance into a relay
[[ $SKIP_OUTBOUND == 1 ]] || outbound
[[ ${SKIP_COLDSTART:-0} == 1 ]] || source "$HERE/coldstart.sh"
if [[ $SKIP_RELAY != 1 ]]; then
  # shellcheck source=relay.sh
  source "$HERE/relay.sh"
  relay
fi
{
  echo "Load benchmark, $(date -u +%Y-%m-%dT%H:%MZ), $(($(date +%s) - STARTED)) s."
  echo "$MACHINE"
  echo "MODE=$MODE (Postino recipient $POSTINO_TO); $RUNS round(s), medians of messages/s; QUICK=$QUICK; DROP_CACHES=$DROP_CACHES."
  for f in throughput concurrency flood outbound coldstart relay; do
    if [[ -f $RESULTS/$f.md ]]; then
      echo
      cat "$RESULTS/$f.md"
    fi
  done
} | tee "$RESULTS/summary.md"
cp "$PI/postino.log" "$PF/maillog" "$RESULTS/" 2>/dev/null || true
log "done in $(($(date +%s) - STARTED)) s; results in $RESULTS"
