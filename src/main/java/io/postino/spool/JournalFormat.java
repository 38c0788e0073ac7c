package io.postino.spool;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.zip.CRC32C;

/**
 * The records of a journal segment, and reading them back. A segment opens with
 * {@code J <seed>\n} (8 random octets in hex), followed by records:
 * {@code M <queue id> <octets> <crc>\n} and that many octets (the message's spool file), or
 * {@code D <queue id> <crc>\n}. Each crc is the CRC-32C, in hex, of the seed, the queue id and
 * (an M record) the record's octets. Segments of an earlier version have
 * no seed line, unkeyed checksums and D records without one; they are still read.
 *
 * <p>A reader that meets a record cut short or failing its checksum looks for the next whole
 * record (a line start where a record with a good checksum begins) and goes on from there, so one
 * damaged record costs only itself; what it skipped is reported.
 *
 * <p>SECURITY: a message's content may contain text that looks like records, and a reader
 * resynchronising after damage scans that content. The seed is what keeps it from taking such
 * text for a record: the sender never sees the seed, so cannot give a forged record a checksum
 * that matches. Segments without a seed are therefore never resynchronised.
 */
final class JournalFormat {

  /** Longer than any record line; a longer line is not a record. */
  static final int MAX_RECORD_LINE = 128;

  static final int SEED_OCTETS = 8;

  private static final SecureRandom RANDOM = new SecureRandom();
  private static final HexFormat HEX = HexFormat.of();

  private JournalFormat() {
  }

  static byte[] newSeed() {
    byte[] seed = new byte[SEED_OCTETS];
    RANDOM.nextBytes(seed);
    return seed;
  }

  /** The line that opens a segment. */
  static byte[] seedLine(byte[] seed) {
    return ("J " + HEX.formatHex(seed) + "\n").getBytes(StandardCharsets.US_ASCII);
  }

  /** The line that starts the M record of {@code file}, whose buffers it leaves as they were. */
  static byte[] messageLine(byte[] seed, String queueId, ByteBuffer[] file) {
    long length = 0;
    CRC32C crc = keyed(seed, queueId);
    for (ByteBuffer b : file) {
      length += b.remaining();
      crc.update(b.duplicate());
    }
    return ("M " + queueId + " " + length + " " + Long.toHexString(crc.getValue()) + "\n")
        .getBytes(StandardCharsets.US_ASCII);
  }

  static byte[] doneLine(byte[] seed, String queueId) {
    return ("D " + queueId + " " + Long.toHexString(doneCrc(seed, queueId)) + "\n").getBytes(StandardCharsets.US_ASCII);
  }

  private static long doneCrc(byte[] seed, String queueId) {
    return keyed(seed, queueId).getValue();
  }

  /** A checksum started with the seed and the queue id; a segment without a seed had neither. */
  private static CRC32C keyed(byte[] seed, String queueId) {
    CRC32C crc = new CRC32C();
    if (seed.length > 0) {
      crc.update(seed);
      crc.update(queueId.getBytes(StandardCharsets.US_ASCII));
    }
    return crc;
  }

  /** What reading a segment finds, in order. */
  interface Visitor {
    /** A whole message record; {@code file} is valid during the call only. */
    void message(String queueId, ByteBuffer file) throws IOException;

    void done(String queueId) throws IOException;
  }

  /** Octets of a segment that held no whole record: {@code [from, to)}. */
  record Skipped(long from, long to) {
  }

  /**
   * What a segment held besides its records: damaged ranges, each followed by a whole record,
   * and {@code tail}, the octets after the last whole record (null when there are none). A crash
   * while appending leaves such a tail; damaged ranges are never left by a crash.
   */
  record Outcome(List<Skipped> damaged, Skipped tail) {
    boolean isDamaged() {
      return !damaged.isEmpty();
    }
  }

  /** Reads a segment's records, skipping damaged ones. */
  static Outcome read(Path segment, Visitor visitor) throws IOException {
    ByteBuffer buf;
    try (FileChannel ch = FileChannel.open(segment, StandardOpenOption.READ)) {
      buf = ch.map(FileChannel.MapMode.READ_ONLY, 0, Math.min(ch.size(), Integer.MAX_VALUE));
    }
    return new Reader(buf).read(visitor);
  }

  /** One pass over a mapped segment. */
  private static final class Reader {
    private final ByteBuffer buf;
    private byte[] seed;

    // the record parsed by parse(): M when file is not null, else D
    private String queueId;
    private ByteBuffer file;
    private int end;

    Reader(ByteBuffer buf) {
      this.buf = buf;
    }

    Outcome read(Visitor visitor) throws IOException {
      List<Skipped> damaged = new ArrayList<>();
      int pos = readSeed();
      if (pos < 0) {
        // no seed line: a segment of an earlier version, or one whose first line is damaged
        seed = new byte[0];
        pos = 0;
      }
      boolean resync = seed.length > 0;
      int limit = buf.limit();
      while (pos < limit) {
        if (!parse(pos)) {
          int next = resync ? resynchronise(pos + 1) : -1;
          if (next < 0) {
            return new Outcome(damaged, new Skipped(pos, limit));
          }
          damaged.add(new Skipped(pos, next));
        }
        if (file != null) {
          visitor.message(queueId, file);
        } else {
          visitor.done(queueId);
        }
        pos = end;
      }
      return new Outcome(damaged, null);
    }

    /** The position after the seed line, or -1 when there is none. */
    private int readSeed() {
      String line = line(0);
      if (line == null || line.length() != 2 + 2 * SEED_OCTETS || !line.startsWith("J ")) {
        return -1;
      }
      try {
        seed = HEX.parseHex(line, 2, line.length());
      } catch (IllegalArgumentException e) {
        return -1;
      }
      return line.length() + 1;
    }

    /** The first line start from {@code from} on where a whole record begins (parsed), or -1. */
    private int resynchronise(int from) {
      for (int p = from; p < buf.limit(); p++) {
        if (buf.get(p - 1) == '\n' && parse(p)) {
          return p;
        }
      }
      return -1;
    }

    /** Parses a whole record at {@code pos} into the fields; false when there is none. */
    private boolean parse(int pos) {
      String line = line(pos);
      if (line == null) {
        return false;
      }
      String[] f = line.split(" ", -1);
      int after = pos + line.length() + 1;
      if (f[0].equals("D") && QueueIds.isAcceptable(f.length > 1 ? f[1] : null)) {
        if (f.length == 2 && seed.length == 0 || f.length == 3 && hex(f[2]) == doneCrc(seed, f[1])) {
          return found(f[1], null, after);
        }
        return false;
      }
      if (f.length != 4 || !f[0].equals("M") || !QueueIds.isAcceptable(f[1])) {
        return false;
      }
      long length;
      try {
        length = Long.parseLong(f[2]);
      } catch (NumberFormatException e) {
        return false;
      }
      long crc = hex(f[3]);
      if (crc < 0 || length < 0 || length > buf.limit() - after
          || length > SpoolJournal.MAX_RECORDED_OCTETS + SpoolFileFormat.MAX_ENVELOPE_OCTETS + 64L) {
        return false;
      }
      ByteBuffer content = buf.slice(after, (int) length);
      CRC32C check = keyed(seed, f[1]);
      check.update(content.duplicate());
      return check.getValue() == crc && found(f[1], content, after + (int) length);
    }

    private boolean found(String id, ByteBuffer content, int recordEnd) {
      queueId = id;
      file = content;
      end = recordEnd;
      return true;
    }

    /** The line at {@code pos} without its line feed; null when it has none within the limit. */
    private String line(int pos) {
      int max = Math.min(buf.limit(), pos + MAX_RECORD_LINE);
      for (int p = pos; p < max; p++) {
        if (buf.get(p) == '\n') {
          byte[] line = new byte[p - pos];
          buf.get(pos, line);
          return new String(line, StandardCharsets.US_ASCII);
        }
      }
      return null;
    }

    private static long hex(String s) {
      if (s.isEmpty() || s.length() > 8) {
        return -1;
      }
      try {
        return Long.parseLong(s, 16);
      } catch (NumberFormatException e) {
        return -1;
      }
    }
  }
}
