#!/usr/bin/env bash
# A/B of two Postino builds with a fresh server for every timed run, so that nothing is moved from
# under a running server (Postino's journal rewrites the files of live messages that vanish: see
# "Moving queued files aside" in README.md). For each round and build: move the build's spool
# aside, start it, warm it up with $WARM untimed runs of 50 sessions x 100 messages (1 KiB), drop
# the caches, time one `smtp-source -s SESSIONS -m COUNT -d -l SIZE` run with a relay recipient
# that stays queued, stop it; the two builds take turns going first. Prints messages/s and the JVM's
# CPU time per message, then medians. Start a silent DNS port on 127.0.0.1:2628 first, as run.sh's
# start_dns_blackhole does, so that the queued relay recipient never completes an MX lookup.
#
#   benchmarks/load/fresh-ab.sh            # needs /var/tmp/ab/{before,after}/{p.jar,c.json}
#
# Each directory holds the build's fat jar as p.jar and a configuration c.json (copy
# postino-bench.json; "before" listens on 2625, "after" on 2655). Needs smtp-source (Debian's
# postfix package, which run.sh installs) and root (to drop the caches). Settings: ROUNDS (5),
# SIZE (1024), SESSIONS (50), COUNT (5000), WARM (3), MESSAGE (a file sent as every message's
# header and body with smtp-source -F, instead of SIZE octets of its own making; dkim-ab.sh uses it).
set -u
ROUNDS=${ROUNDS:-5}; SIZE=${SIZE:-1024}; SESSIONS=${SESSIONS:-50}; COUNT=${COUNT:-5000}; WARM=${WARM:-3}
MESSAGE=${MESSAGE:-}
content=(-l "$SIZE"); [[ -n $MESSAGE ]] && content=(-F "$MESSAGE")
declare -A rate cpu
for r in $(seq $ROUNDS); do
  line="round $r:"
  # alternate who goes first, so that what one run leaves behind (dirty pages, a warm disk) is shared
  order="before after"; ((r % 2 == 0)) && order="after before"
  for b in $order; do
    d=/var/tmp/ab/$b; port=$([[ $b == before ]] && echo 2625 || echo 2655)
    mkdir -p /var/tmp/ab/trash; [[ -d $d/spool ]] && mv $d/spool /var/tmp/ab/trash/spool.$b.$r.$RANDOM
    (cd $d && exec java -jar p.jar -conf c.json >log 2>&1) &
    echo $! > $d/pid
    for i in $(seq 100); do (echo > /dev/tcp/127.0.0.1/$port) 2>/dev/null && break; sleep 0.3; done
    for w in $(seq $WARM); do smtp-source -s 50 -m 5000 -d "${content[@]}" -M bench.client -f s@bench.client -t bench@relay.example 127.0.0.1:$port; done
    sync; echo 3 > /proc/sys/vm/drop_caches; sleep 1
    pid=$(cat $d/pid); c0=$(awk '{print $14 + $15}' /proc/$pid/stat); t0=$(date +%s.%N)
    smtp-source -s $SESSIONS -m $COUNT -d "${content[@]}" -M bench.client -f s@bench.client -t bench@relay.example 127.0.0.1:$port
    t1=$(date +%s.%N); c1=$(awk '{print $14 + $15}' /proc/$pid/stat)
    v=$(python3 -c "print(round($COUNT / ($t1 - $t0)))"); u=$(((c1 - c0) * 1000000 / $(getconf CLK_TCK) / COUNT))
    rate[$b]+="$v "; cpu[$b]+="$u "; line+=" $b=$v ($u us CPU/msg)"
    # a stop is graceful (deliveries under way get shutdownGrace): wait until the port is free again
    kill $pid; for i in $(seq 600); do kill -0 $pid 2>/dev/null || break; sleep 0.2; done
  done
  echo "$line; load $(cut -d' ' -f1 /proc/loadavg)"
done
median() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END {print a[int((NR + 1) / 2)]}'; }
for b in before after; do echo "$b: median $(median ${rate[$b]}) msg/s, $(median ${cpu[$b]}) us CPU/msg (all: ${rate[$b]})"; done
