# What a Postino has queued and finished, read from its log (sourced by run.sh and cluster-lib.sh).
# Not from the files in spool/incoming: a message the journal holds has no file there until it
# needs one (its journal segment's checkpoint, a deferral, an operator's command), so an empty
# incoming does not mean an empty queue.

# postino_queued LOG: messages durably queued (the line the intake writes for each once the group
# commit has made it durable, as the client is told 250)
postino_queued() { grep -c ' Intake - [^ ]*: from=' "$1" || true; }

# postino_unfinished LOG: messages queued and not yet removed (delivered, or bounced, and gone)
postino_unfinished() {
  echo $(($(postino_queued "$1") - $(grep -c ' DeliveryRound - [^ ]*: removed$' "$1" || true)))
}

# wait_postino_done LOG: waits (at most 300 s) until the Postino writing LOG has removed every
# message it queued; fails if it has not
wait_postino_done() {
  for _ in $(seq 3000); do
    (($(postino_unfinished "$1") <= 0)) && return 0
    sleep 0.1
  done
  return 1
}
