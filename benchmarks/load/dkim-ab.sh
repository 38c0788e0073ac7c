#!/usr/bin/env bash
# The cost of receiving checks on the inbound path: one build of Postino, two configurations, in
# fresh-ab.sh's interleaved rounds (a fresh server for every timed run). Every message is the same
# 1.7 KiB DKIM-signed message (a 1 KiB body, rsa-sha256 2048 bit, relaxed/relaxed, signed once by
# dkimpy), sent by smtp-source -F from a trusted client to a relay recipient that stays queued.
# "before" receives it with dkim.verify off, "after" with it on (the key record is fetched once,
# then cached: keyCacheTtl). Both use the same DNS server, a dnsmasq on 127.0.0.1:2629 that
# serves the key record and forwards every other question to a port that never answers (so the
# relay recipient's MX lookup never completes and the message stays queued, as in run.sh).
#
#   benchmarks/load/dkim-ab.sh             # as root, from the project directory, after mvn package
#
# Needs smtp-source (Debian postfix), dnsmasq (Debian dnsmasq-base), python3-dkim; installs the
# last two when missing. Settings: JAR (target/postino.jar), ROUNDS (5), and fresh-ab.sh's.
# The servers' logs are /var/tmp/ab/{before,after}/log; the "after" log has no DKIM failures
# when the run is sound (check: grep -c dkim=pass on a queued message).
set -euo pipefail
cd "$(dirname "$0")/../.."
JAR=${JAR:-target/postino.jar}
AB=/var/tmp/ab
for tool in dnsmasq:dnsmasq-base dkimverify:python3-dkim; do
  command -v "${tool%%:*}" >/dev/null || DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${tool#*:}"
done
rm -rf "$AB" && mkdir -p "$AB/before" "$AB/after" "$AB/dkim"
java -jar "$JAR" dkim keygen bench.client s1 --out="$AB/dkim/key.pem" >"$AB/dkim/record"
# the record's quoted strings, as dnsmasq's comma-separated TXT strings
txt=$(grep ' IN TXT ' "$AB/dkim/record" | grep -o '"[^"]*"' | tr -d '"' | paste -sd, -)
/usr/bin/python3 - "$AB/dkim" <<'EOF'
import sys, dkim
d = sys.argv[1]
body = "This is a benchmark message of about one kilobyte, signed with DKIM by dkimpy.\n" * 12
msg = ("From: Sender <s@bench.client>\nTo: bench@relay.example\nSubject: DKIM benchmark\n"
       "Date: Sat, 05 Dec 2026 12:00:00 +0000\nMessage-ID: <bench@bench.client>\nMIME-Version: 1.0\n"
       "Content-Type: text/plain; charset=us-ascii\n\n" + body).replace("\n", "\r\n").encode()
sig = dkim.sign(msg, b"s1", b"bench.client", open(d + "/key.pem", "rb").read(),
                canonicalize=(b"relaxed", b"relaxed"),
                include_headers=[b"from", b"to", b"subject", b"date", b"message-id"])
# smtp-source -F ends every line with CRLF itself
open(d + "/message.eml", "wb").write((sig + msg).replace(b"\r\n", b"\n"))
EOF
python3 -c "
import socket, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(('127.0.0.1', 2628))
time.sleep(86400)
" &
BLACKHOLE=$!
dnsmasq --keep-in-foreground --no-resolv --no-hosts --bind-interfaces --listen-address=127.0.0.1 --port=2629 \
  --txt-record="s1._domainkey.bench.client,$txt" --server=127.0.0.1#2628 --pid-file="$AB/dnsmasq.pid" &
DNSMASQ=$!
trap 'kill $BLACKHOLE $DNSMASQ 2>/dev/null' EXIT
for b in before after; do
  cp "$JAR" "$AB/$b/p.jar"
  python3 - "$b" "$AB/$b/c.json" <<'EOF'
import json, sys
b, out = sys.argv[1], sys.argv[2]
c = json.load(open("benchmarks/load/postino-bench.json"))
c["smtp"]["port"] = 2625 if b == "before" else 2655
c["dns"]["servers"] = ["127.0.0.1:2629"]
c["dkim"] = {"verify": b == "after"}
c["shutdownGrace"] = 2
json.dump(c, open(out, "w"), indent=2)
EOF
done
MESSAGE="$AB/dkim/message.eml" ROUNDS=${ROUNDS:-5} benchmarks/load/fresh-ab.sh
# the last "after" server's spool shows what verification found
echo "after: $(grep -rah -m1 -A1 '^Authentication-Results' "$AB/after/spool" | head -2 | tr -d '\r\t' | tr '\n' ' ')"
