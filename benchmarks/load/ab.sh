#!/usr/bin/env bash
# Interleaved A/B of running SMTP servers with smtp-source: for comparing two builds of Postino
# (and Postfix as a yardstick) on a shared machine, where only side-by-side figures mean anything.
#
#   benchmarks/load/ab.sh ROUNDS SIZE SESSIONS COUNT NAME:PORT:DIR ...
#
# Each NAME:PORT:DIR is a server already running and warmed up on 127.0.0.1:PORT. DIR is a Postino
# instance's working directory (holding its spool/ and a file `pid` with the JVM's pid), or `-` for
# the private Postfix instance that run.sh leaves configured in $PF (default
# /var/tmp/postino-bench/postfix; start it with `postfix -c $PF/etc start`; MODE=queue, so it puts
# messages on hold). Every round runs `smtp-source -s SESSIONS -m COUNT -d -l SIZE` against each
# server in turn, after emptying every queue (its files are moved into a `trash` directory next to
# it, deleted by hand afterwards: see set_aside in run.sh), `sync` and dropping the caches; Postino
# gets a relay recipient that stays in its spool. It prints messages/s per run and, for Postino, the
# JVM's CPU time per message (from /proc/PID/stat), then the medians.
#
# Example (two builds of Postino, on ports 2625 and 2655, with their configs' "port" changed):
#   (cd /var/tmp/ab/a && java -jar a.jar -conf c.json >log 2>&1 & echo $! >pid)
#   (cd /var/tmp/ab/b && java -jar b.jar -conf c.json >log 2>&1 & echo $! >pid)
#   benchmarks/load/ab.sh 3 1024 50 5000 a:2625:/var/tmp/ab/a b:2655:/var/tmp/ab/b >/dev/null  # warm-up
#   benchmarks/load/ab.sh 7 1024 50 5000 a:2625:/var/tmp/ab/a b:2655:/var/tmp/ab/b postfix:2626:-
set -uo pipefail
(($# >= 5)) || { sed -n '2,20p' "$0"; exit 2; }
rounds=$1 size=$2 sessions=$3 count=$4
shift 4
PF=${PF:-/var/tmp/postino-bench/postfix}
declare -A rate cpu
TRASHED=0
aside() {
  local dir="$1/$((++TRASHED))"
  mkdir -p "$dir"
  find "$2" -type f -exec mv -t "$dir" {} + 2>/dev/null || true
}
for r in $(seq "$rounds"); do
  line="round $r:"
  for spec in "$@"; do
    IFS=: read -r name port dir <<<"$spec"
    for spec2 in "$@"; do
      IFS=: read -r _ _ d2 <<<"$spec2"
      # moved aside, not deleted (see set_aside in run.sh): a trash directory next to each queue
      if [[ $d2 == - ]]; then aside "$PF/trash" "$PF/queue/hold"; else aside "$d2/trash" "$d2/spool/incoming"; fi
    done
    sync
    echo 3 >/proc/sys/vm/drop_caches
    sleep 1
    if [[ $dir != - ]]; then
      pid=$(cat "$dir/pid")
      c0=$(awk '{print $14 + $15}' "/proc/$pid/stat")
    fi
    t0=$(date +%s.%N)
    smtp-source -s "$sessions" -m "$count" -d -l "$size" -M bench.client -f sender@bench.client \
      -t bench@relay.example "127.0.0.1:$port" || echo "smtp-source against $name failed" >&2
    t1=$(date +%s.%N)
    v=$(python3 -c "print(round($count / ($t1 - $t0)))")
    rate[$name]+="$v "
    line+=" $name=$v"
    if [[ $dir != - ]]; then
      c1=$(awk '{print $14 + $15}' "/proc/$pid/stat")
      u=$(((c1 - c0) * 1000000 / $(getconf CLK_TCK) / count))
      cpu[$name]+="$u "
      line+=" (${u} us CPU/msg)"
    fi
  done
  echo "$line; load $(cut -d' ' -f1 /proc/loadavg)"
done
median() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END {print a[int((NR + 1) / 2)]}'; }
for spec in "$@"; do
  IFS=: read -r name _ dir <<<"$spec"
  # shellcheck disable=SC2086
  echo "$name: median $(median ${rate[$name]}) msg/s${cpu[$name]:+, $(median ${cpu[$name]}) us CPU/msg} (all: ${rate[$name]})"
done
