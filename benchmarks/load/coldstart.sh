#!/usr/bin/env bash
# Cold start: a full queue relayed by a server that has just started, Postino on each JVM variant
# against Postfix (`postfix start` on the same queue), and the time from the start to the first
# 220 greeting. A step of run.sh (which sources this file; SKIP_COLDSTART=1 skips it); run on its
# own it is run.sh with only this step:
#
#   benchmarks/load/coldstart.sh                 # as root; the same settings as run.sh
#   QUICK=1 SKIP_BUILD=1 benchmarks/load/coldstart.sh
#
# Variants (each a JVM started cold, with the JVM options of conf/jvm.options but its archive line):
#   java17       Java 17 ($JAVA17, default `java`), the JDK's own class-data archive only
#   java17-cds   the same with an AppCDS archive of Postino (-XX:SharedArchiveFile), made once
#                before the rounds by `postino train` (a dynamic archive: -XX:ArchiveClassesAtExit)
#   java25       Java 25 ($JAVA25, default /usr/lib/jvm/temurin-25-jdk-amd64/bin/java)
#   java25-aot   the same with an AOT cache (JEP 483/514/515: classes loaded and linked, method
#                profiles), made by `postino train` (-XX:AOTCacheOutput), named by the same option
#   java17-c1, java25-aot-c1
#                java17 and java25-aot with -XX:TieredStopAtLevel=1: only the JIT's quick compiler
#                (C1), the option the README's "JVM settings" offers for restarts on small machines
# The Java 25 variants are left out when $JAVA25 is not there. Both archives come from the same
# command users run, `java @jvm.options -jar postino.jar train` ($COLD_TRAIN messages, each
# accepted, delivered to a Maildir and relayed over SMTP to a second node in the same JVM; then as
# many queued while their destination is down and relayed by a node restarted on that queue).
#
# The queue: $COLDSTART 1 KiB messages (default $OUTBOUND) for sink.test, routed to the smtp-sink.
# Postino's is made once by a Postino with the sink down (every message deferred for an hour),
# then stopped; each round copies its directory (spool, TLS key, secrets: a restart) into a new
# one and sets the spool files' modification time (their due time) to now. Postfix's is its hold queue, filled once and
# copied aside with Postfix stopped; each round copies it into the stopped instance's incoming
# queue, which qmgr takes in when it starts. Then, after drop_caches (DROP_CACHES), the clock
# starts with the server's start command (java ..., or `postfix start`): "first" is when the
# first message has left the queue (delivered to the sink and removed), "last" when the queue is
# empty; both from polling the queue directories (their modification time every 2 ms, their
# entries when it changed, at most every 20 ms), in the order messages move through them. Every
# message must have been delivered (the servers' logs: status=sent), else the step fails. For
# Postino also the JVM's CPU time until then (user + system, /proc/PID/stat), which a busy
# machine moves much less than the times.
# The greeting: the server started on an empty queue, connections to its port until one reads a
# 220. $RUNS rounds (medians), each running every variant and Postfix in turn.
#
# Other settings: COLD_RUNS (default $RUNS), COLD_TRAIN (training messages, 2000), COLD_VARIANTS
# (the variants to run, default all, e.g. "java17-cds java25-aot"), COLD_OPTS (JVM options added to
# every Postino variant, for trying one: e.g. "-XX:+CITime").

coldstart_main() {
  local cs="$BENCH_DIR/coldstart" runs=${COLD_RUNS:-$RUNS} n=${COLDSTART:-$OUTBOUND}
  local j17=${JAVA17:-java} j25=${JAVA25:-/usr/lib/jvm/temurin-25-jdk-amd64/bin/java}
  local variants=(java17 java17-cds java17-c1) v round
  if [[ -n ${COLD_VARIANTS:-} ]]; then
    read -r -a variants <<<"$COLD_VARIANTS"
    for v in "${variants[@]}"; do
      [[ $v =~ ^(java17|java17-cds|java17-c1|java25|java25-aot|java25-aot-c1)$ ]] || die "COLD_VARIANTS: no variant $v"
    done
  elif [[ -x $j25 ]]; then
    variants+=(java25 java25-aot java25-aot-c1)
  else
    log "coldstart: no Java 25 at $j25 (JAVA25): its variants are left out"
  fi
  stop_postino
  rm -rf "$cs"
  mkdir -p "$cs"
  # a jar of its own: an archive is tied to the jar's path, size and modification time
  cp "$BENCH_JAR" "$cs/postino.jar"
  grep -v -e SharedArchiveFile -e AOTCache -e Xshare "$ROOT/conf/jvm.options" >"$cs/base.options"
  outbound_config >"$cs/cold.json"
  coldstart_train "$j17" "$cs/postino-17.jsa"
  [[ -x $j25 ]] && coldstart_train "$j25" "$cs/postino-25.aot"
  coldstart_postino_queue
  coldstart_postfix_queue
  echo "variant,round,first_s,last_s,msgs_per_s,cpu_s,greeting_s,greeting_cpu_s" >"$RESULTS/coldstart.csv"
  declare -A first last rate greet cpu gcpu
  for round in $(seq "$runs"); do
    for v in "${variants[@]}" postfix; do
      coldstart_relay "$v" "$round"
      first[$v]+=" $FIRST"; last[$v]+=" $LAST"; rate[$v]+=" $RATE"
      coldstart_greeting "$v" "$round"
      greet[$v]+=" $GREETING"; cpu[$v]+=" $CPU"; gcpu[$v]+=" $GREETING_CPU"
      echo "$v,$round,$FIRST,$LAST,$RATE,$CPU,$GREETING,$GREETING_CPU" >>"$RESULTS/coldstart.csv"
      log "coldstart, round $round, $v: first after ${FIRST} s, last after ${LAST} s ($RATE msg/s, CPU ${CPU} s);" \
        "220 after ${GREETING} s (CPU ${GREETING_CPU} s)"
    done
  done
  postfix -c "$PF/etc" start >/dev/null 2>&1 || true
  local out="$RESULTS/coldstart.md" pf
  # shellcheck disable=SC2086
  pf=$(median ${rate[postfix]})
  {
    echo "Cold start: $n x 1 KiB queued for the sink, relayed from a cold start; medians of $runs (all)."
    echo
    echo "| server | first delivered (s) | last delivered (s) | msg/s | against Postfix | JVM CPU to the last (s) | start to first 220 (s) | JVM CPU to the 220 (s) |"
    echo "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
    for v in "${variants[@]}" postfix; do
      # shellcheck disable=SC2086
      echo "| $v | $(median ${first[$v]}) (${first[$v]# }) | $(median ${last[$v]}) (${last[$v]# }) |" \
        "$(fmt "$(median ${rate[$v]})") (${rate[$v]# }) | $(ratio "$(median ${rate[$v]})" "$pf") |" \
        "$(coldstart_median ${cpu[$v]}) (${cpu[$v]# }) | $(median ${greet[$v]}) (${greet[$v]# }) |" \
        "$(coldstart_median ${gcpu[$v]}) (${gcpu[$v]# }) |"
    done
  } >"$out"
  cat "$out" >&2
}

# median, or "-" for Postfix's CPU figures
coldstart_median() { if [[ $1 == - ]]; then echo -; else median "$@"; fi; }

# The archive of one JDK, by the command users run (see TrainCommand).
coldstart_train() {
  local java=$1 archive=$2
  log "coldstart: training $archive with $java"
  # its spools on tmpfs when there is one: what it records does not depend on how fast they sync
  local work=$BENCH_DIR/coldstart/train
  [[ -d /dev/shm ]] && work=/dev/shm/postino-coldstart-train
  # the jar by the path the servers are started with: an archive is tied to it as written
  (cd "$BENCH_DIR/coldstart" && "$java" @base.options "-XX:SharedArchiveFile=$archive" -jar "$BENCH_DIR/coldstart/postino.jar" train \
    --messages "${COLD_TRAIN:-2000}" --directory "$work" >"$archive.log" 2>&1) ||
    die "training $archive failed: $(tail -3 "$archive.log")"
  # -Xshare:on: an archive the JVM cannot use is fatal rather than passed over
  "$java" @"$BENCH_DIR/coldstart/base.options" -Xshare:on "-XX:SharedArchiveFile=$archive" \
    -jar "$BENCH_DIR/coldstart/postino.jar" --version >/dev/null 2>&1 || die "$java cannot use $archive"
}

# The JVM command of a variant, on stdout (one word a line).
coldstart_command() {
  local cs="$BENCH_DIR/coldstart" j17=${JAVA17:-java} j25=${JAVA25:-/usr/lib/jvm/temurin-25-jdk-amd64/bin/java}
  case $1 in
    java17) printf '%s\n' "$j17" ;;
    java17-cds) printf '%s\n' "$j17" "-XX:SharedArchiveFile=$cs/postino-17.jsa" ;;
    java25) printf '%s\n' "$j25" ;;
    java25-aot) printf '%s\n' "$j25" "-XX:SharedArchiveFile=$cs/postino-25.aot" ;;
    java17-c1) printf '%s\n' "$j17" -XX:TieredStopAtLevel=1 ;;
    java25-aot-c1) printf '%s\n' "$j25" "-XX:SharedArchiveFile=$cs/postino-25.aot" -XX:TieredStopAtLevel=1 ;;
  esac
  # shellcheck disable=SC2086 # one option a word
  [[ -n ${COLD_OPTS:-} ]] && printf '%s\n' $COLD_OPTS
  printf '%s\n' "@$cs/base.options" -jar "$cs/postino.jar" -conf "$cs/cold.json"
}

# Postino's full queue: a Postino with the sink down defers every message for an hour; stopped then.
coldstart_postino_queue() {
  local cs="$BENCH_DIR/coldstart" pid
  log "coldstart: queueing $n messages on Postino (the sink down), and on Postfix (held)"
  kill "$SINK_PID" 2>/dev/null
  wait "$SINK_PID" 2>/dev/null || true
  mkdir -p "$cs/prep"
  (cd "$cs/prep" && exec java @"$cs/base.options" -jar "$cs/postino.jar" -conf "$cs/cold.json" >postino.log 2>&1) &
  pid=$!
  PIDS+=("$pid")
  wait_port "$PORT_POSTINO"
  smtp-source -s 20 -m "$n" -d -l 1024 -M bench.client -f "$SENDER" -t bench@sink.test \
    "127.0.0.1:$PORT_POSTINO" || die "smtp-source against Postino failed"
  for _ in $(seq 3000); do
    (($(grep -c 'deferred, next attempt' "$cs/prep/postino.log" || true) >= n)) && break
    sleep 0.2
  done
  (($(count_files "$cs/prep/spool/incoming") == n)) || die "Postino's cold queue holds $(count_files "$cs/prep/spool/incoming") messages, not $n"
  kill "$pid"
  wait "$pid" 2>/dev/null || true
  start_sink
}

# Postfix's full queue: its hold queue, copied aside with Postfix stopped.
coldstart_postfix_queue() {
  local cs="$BENCH_DIR/coldstart"
  postconf -c "$PF/etc" -e "default_transport = smtp" "relayhost = [127.0.0.1]:$PORT_SINK" \
    "smtpd_client_restrictions = check_client_access static:HOLD" "smtp_tls_security_level = none"
  postfix -c "$PF/etc" reload >/dev/null 2>&1
  set_aside "$PF/queue/hold"
  smtp-source -s 20 -m "$n" -d -l 1024 -M bench.client -f "$SENDER" -t bench@sink.test \
    "127.0.0.1:$PORT_POSTFIX" || die "smtp-source against Postfix failed"
  for _ in $(seq 1500); do (($(count_files "$PF/queue/hold") >= n)) && break; sleep 0.2; done
  coldstart_postfix_stop
  cp -a "$PF/queue/hold" "$cs/postfix-queue"
  set_aside "$PF/queue/hold"
  (($(count_files "$cs/postfix-queue") == n)) || die "Postfix's cold queue holds $(count_files "$cs/postfix-queue") messages, not $n"
}

coldstart_postfix_stop() {
  postfix -c "$PF/etc" stop >/dev/null 2>&1 || true
  for _ in $(seq 300); do postfix -c "$PF/etc" status >/dev/null 2>&1 || return 0; sleep 0.1; done
  die "Postfix did not stop"
}

# One cold relay of the full queue; sets FIRST, LAST (seconds from the start), RATE (msg/s) and
# CPU (the JVM's CPU seconds until the queue was empty; "-" for Postfix, many processes).
coldstart_relay() {
  local v=$1 round=$2 cs="$BENCH_DIR/coldstart" dir sent0 sent times
  if [[ $v == postfix ]]; then
    sent0=$(grep -c 'status=sent' "$PF/maillog" || true)
    cp -a "$cs/postfix-queue/." "$PF/queue/incoming/"
    # the copies have new inodes, which short queue ids are named after: postsuper renames them
    # now, as `postfix start` would (whose check otherwise fails on a loaded machine)
    postsuper -c "$PF/etc" >/dev/null 2>&1 || true
    drop_caches
    times=$(coldstart_watch --count "$n" --dirs "$PF/queue/incoming" "$PF/queue/active" -- \
      postfix -c "$PF/etc" start) || die "Postfix did not relay its cold queue: see $PF/maillog"
    coldstart_postfix_stop
    sent=$(($(grep -c 'status=sent' "$PF/maillog" || true) - sent0))
  else
    # a restart: the directory of the server that queued them (spool, TLS key, secrets), copied
    dir="$cs/$v-$round"
    cp -a "$cs/prep" "$dir"
    rm -f "$dir/postino.log"
    find "$dir/spool/incoming" -type f -exec touch {} +
    drop_caches
    mapfile -t cmd < <(coldstart_command "$v")
    times=$(cd "$dir" && coldstart_watch --count "$n" --dirs "$dir/spool/incoming" --stop --log "$dir/postino.log" \
      -- "${cmd[@]}") || die "$v did not relay its cold queue: see $dir/postino.log"
    sent=$(grep -c 'status=sent' "$dir/postino.log" || true)
  fi
  ((sent == n)) || die "$v sent $sent of $n"
  read -r FIRST LAST CPU <<<"$times"
  RATE=$(python3 -c "print(round($n / $LAST))")
}

# From the start on an empty queue to the first 220; sets GREETING (seconds) and GREETING_CPU.
coldstart_greeting() {
  local v=$1 round=$2 cs="$BENCH_DIR/coldstart" dir
  drop_caches
  if [[ $v == postfix ]]; then
    GREETING=$(coldstart_watch --greeting "$PORT_POSTFIX" -- postfix -c "$PF/etc" start) || die "Postfix did not greet"
    coldstart_postfix_stop
  else
    # the same, with an empty spool
    dir="$cs/$v-$round-greeting"
    cp -a "$cs/prep" "$dir"
    rm -rf "$dir/postino.log" "$dir/spool"
    mapfile -t cmd < <(coldstart_command "$v")
    GREETING=$(cd "$dir" && coldstart_watch --greeting "$PORT_POSTINO" --stop --log "$dir/postino.log" -- "${cmd[@]}") ||
      die "$v did not greet: see $dir/postino.log"
  fi
  read -r GREETING GREETING_CPU <<<"$GREETING"
}

# Starts a command and times it from outside (see the header); prints "FIRST LAST CPU" or
# "GREETING CPU" (CPU: of the started process, when --stop, else "-").
coldstart_watch() {
  python3 - "$@" <<'PY'
import os, signal, socket, subprocess, sys, time

args = sys.argv[1:]
sep = args.index("--")
opts, command = args[:sep], args[sep + 1:]
def cpu():
    # the started process's CPU time so far (user + system, its threads included), in seconds
    try:
        with open("/proc/%d/stat" % proc.pid) as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return "%.2f" % ((int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK"))
    except (OSError, IndexError, ValueError):
        return "-"
def opt(name, n=1):
    if name not in opts:
        return None
    i = opts.index(name)
    return opts[i + 1] if n == 1 else opts[i + 1:]
stop = "--stop" in opts
log = opt("--log")
out = open(log, "w") if log else subprocess.DEVNULL
t0 = time.monotonic()
proc = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT)
deadline = t0 + 600
result = None
try:
    if opt("--greeting"):
        port = int(opt("--greeting"))
        while time.monotonic() < deadline and result is None:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=5) as s:
                    if s.recv(512).startswith(b"220"):
                        result = "%.3f %s" % (time.monotonic() - t0, cpu() if stop else "-")
                    s.sendall(b"QUIT\r\n")
            except OSError:
                time.sleep(0.005)
    else:
        n = int(opt("--count"))
        dirs = opts[opts.index("--dirs") + 1:]
        dirs = [d for d in dirs[:next((i for i, d in enumerate(dirs) if d.startswith("--")), len(dirs))]]
        def mtimes():
            m = []
            for d in dirs:
                try:
                    m.append(os.stat(d).st_mtime_ns)
                except FileNotFoundError:
                    m.append(0)
            return m
        def count():
            # in the order messages move through them: one moving meanwhile is counted twice, never missed
            c = 0
            for d in dirs:
                try:
                    c += sum(1 for e in os.scandir(d) if e.is_file())
                except FileNotFoundError:
                    pass
            return c
        first = None
        seen, listed = None, 0.0
        while time.monotonic() < deadline:
            now = time.monotonic()
            m = mtimes()
            if m != seen and (first is None or now - listed >= 0.02):
                seen, listed = m, now
                c = count()
                if first is None and c < n:
                    first = now - t0
                if c == 0:
                    result = "%.3f %.3f %s" % (first, now - t0, cpu() if stop else "-")
                    break
            if proc.poll() is not None and stop:
                break
            time.sleep(0.002)
finally:
    if stop:
        proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(timeout=120)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
if result is None:
    sys.exit(1)
print(result)
PY
}

if [[ ${BASH_SOURCE[0]} == "$0" ]]; then
  # on its own: run.sh with this step only
  SKIP_THROUGHPUT=1 SKIP_CONCURRENCY=1 SKIP_OUTBOUND=1 SKIP_FLOOD=1 SKIP_RELAY=1 exec "$(dirname "${BASH_SOURCE[0]}")/run.sh"
fi
coldstart_main
