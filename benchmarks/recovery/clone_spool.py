#!/usr/bin/env python3
"""Multiplies a spool filled by FillSpool.java (used by run.sh for counts past what the writer
fills in reasonable time): each message file in incoming/ is copied under new queue ids until the
spool holds COUNT messages. A copy is the same file with its queue id (inside the envelope JSON)
replaced by one of the same length, so the header's lengths and the content's CRC-32C still hold:
Postino reads the copies as it reads the originals. The originals' ids start with a digit (they
encode the time); a copy's id starts with a lower-case letter instead, so none can collide. The
copies are not fsync'd one by one: run `sync` afterwards.

Usage: clone_spool.py SPOOL_DIR COUNT
"""
import os
import sys

spool, count = sys.argv[1], int(sys.argv[2])
incoming = os.path.join(spool, "incoming")
originals = sorted(os.listdir(incoming))
have = len(originals)
prefixes = "abcdefghjkmnpqrstvwxyz"
if count > have * (len(prefixes) + 1):
    raise SystemExit("too many copies asked for")
for k, prefix in enumerate(prefixes):
    if have >= count:
        break
    for queue_id in originals:
        if have >= count:
            break
        with open(os.path.join(incoming, queue_id), "rb") as f:
            data = f.read()
        new_id = prefix + queue_id[1:]
        copy = data.replace(('"queueId":"%s"' % queue_id).encode(), ('"queueId":"%s"' % new_id).encode(), 1)
        fd = os.open(os.path.join(incoming, new_id), os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        os.write(fd, copy)
        os.close(fd)
        have += 1
print("spool holds %d messages (%d written by Postino's writer, the rest copies)" % (have, len(originals)),
      file=sys.stderr)
