package io.postino.spool;

import io.postino.smtp.Bytes;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.zip.CRC32C;

/**
 * The layout of a spool file: a first line {@code POSTINO1 <n> <length> <crc>\n} where n is the
 * octet length of the envelope JSON, length the octet length of the content (19 decimal digits)
 * and crc its CRC-32C (8 hex digits); then that JSON (UTF-8), then {@code \n}, then the message
 * content unchanged up to the end of the file. Both summary fields have a fixed width so that a
 * streamed message's writer can fill them in place once its content is complete. Files written
 * before they existed ({@code POSTINO1 <n>\n}) are still read: their content is unchecked.
 *
 * <p>SECURITY: spool files are read back at start-up, possibly after a crash, a full disk or a
 * hand edit; the reader trusts nothing (bounded lengths, strict UTF-8, the envelope codec's own
 * checks) and reports any defect as {@link CorruptException} instead of failing start-up.
 */
public final class SpoolFileFormat {

  static final String MAGIC = "POSTINO1";

  /** Far above any real envelope (100 recipients take a few KB), low enough to read whole. */
  static final int MAX_ENVELOPE_OCTETS = 16 * 1024 * 1024;

  private static final int LENGTH_DIGITS = 19;
  private static final int CRC_DIGITS = 8;

  /** "POSTINO1 " + up to 8 digits + " " + the length + " " + the CRC + "\n". */
  private static final int MAX_FIRST_LINE = MAGIC.length() + 1 + 8 + 1 + LENGTH_DIGITS + 1 + CRC_DIGITS + 1;

  /** A content length or checksum the file does not record (one written before they were). */
  static final long UNKNOWN = -1;

  private SpoolFileFormat() {
  }

  /**
   * What was read from the head of a spool file; {@code contentLength} and {@code crc} are
   * {@link #UNKNOWN} for a file that does not record them.
   */
  record Header(Envelope envelope, long contentOffset, long contentLength, long crc) {
  }

  /** A spool file that cannot be read back as a message. */
  static final class CorruptException extends Exception {
    private static final long serialVersionUID = 1L;

    CorruptException(String reason) {
      super(reason, null, false, false);
    }
  }

  /**
   * Everything that precedes the content, its summary fields not filled in yet (zeros): see
   * {@link #seal}.
   */
  static byte[] header(Envelope envelope) {
    byte[] json = envelope.toJson().encode().getBytes(StandardCharsets.UTF_8);
    if (json.length > MAX_ENVELOPE_OCTETS) {
      throw new IllegalArgumentException("envelope too large: " + json.length + " octets");
    }
    byte[] line = (MAGIC + " " + json.length + " " + "0".repeat(LENGTH_DIGITS) + " " + "0".repeat(CRC_DIGITS) + "\n")
        .getBytes(StandardCharsets.US_ASCII);
    byte[] header = new byte[line.length + json.length + 1];
    System.arraycopy(line, 0, header, 0, line.length);
    System.arraycopy(json, 0, header, line.length, json.length);
    header[header.length - 1] = '\n';
    return header;
  }

  /**
   * Fills in the summary fields of a header made by {@link #header} and returns the length of
   * its first line: the octets to rewrite when the header is already in a file.
   */
  static int seal(byte[] header, long contentLength, long crc) {
    int eol = Bytes.indexOf(header, 0, header.length, (byte) '\n');
    // "<length> <crc>" end the first line; written in place, once per message on an event loop
    // (String.format parsed its pattern with a regular expression each time)
    int crcStart = digits(header, eol, crc, 16, CRC_DIGITS);
    header[crcStart - 1] = ' ';
    digits(header, crcStart - 1, contentLength, 10, LENGTH_DIGITS);
    return eol + 1;
  }

  /**
   * Writes {@code value} as exactly {@code width} digits of {@code radix} (zero-padded, lower
   * case) just before {@code end}; returns where they start.
   */
  private static int digits(byte[] into, int end, long value, int radix, int width) {
    if (value < 0) {
      throw new IllegalArgumentException("negative header field: " + value);
    }
    long left = value;
    int start = end - width;
    for (int i = end - 1; i >= start; i--) {
      into[i] = (byte) Character.forDigit((int) (left % radix), radix);
      left /= radix;
    }
    if (left != 0) {
      throw new IllegalArgumentException("header field " + value + " does not fit in " + width + " digits");
    }
    return start;
  }

  /**
   * Reads the header of a spool file and checks that its content is whole: of the length its
   * header records, with the recorded checksum (which reads the content through once). Blocking.
   */
  static Header read(FileChannel ch) throws IOException, CorruptException {
    return read(ch, true);
  }

  /**
   * {@link #read(FileChannel)}, without reading the content through for its checksum unless
   * {@code verify}: for a listing of the queue, which must not cost a pass over every message.
   */
  static Header read(FileChannel ch, boolean verify) throws IOException, CorruptException {
    return read(new Octets() {
      @Override
      public long size() throws IOException {
        return ch.size();
      }

      @Override
      public int read(ByteBuffer into, long position) throws IOException {
        return ch.read(into, position);
      }
    }, verify);
  }

  /**
   * The header of a whole spool file in memory (a resident message's, see {@link ResidentMessages}),
   * its content not checked against its checksum: it never left the memory it was checked in.
   */
  static Header read(ByteBuffer file) throws CorruptException {
    ByteBuffer whole = file.duplicate();
    try {
      return read(new Octets() {
        @Override
        public long size() {
          return whole.limit();
        }

        @Override
        public int read(ByteBuffer into, long position) {
          if (position >= whole.limit()) {
            return -1;
          }
          int n = (int) Math.min(into.remaining(), whole.limit() - position);
          into.put(whole.slice((int) position, n));
          return n;
        }
      }, false);
    } catch (IOException e) {
      // the only one Octets gives: the file ends before its header does
      throw new CorruptException(e.getMessage());
    }
  }

  /** Where a header is read from: a file, or a file's octets in memory. */
  private interface Octets extends PositionalRead {
    long size() throws IOException;
  }

  private static Header read(Octets ch, boolean verify) throws IOException, CorruptException {
    long size = ch.size();
    byte[] head = readFully(ch, 0, (int) Math.min(size, MAX_FIRST_LINE));
    int eol = Bytes.indexOf(head, 0, head.length, (byte) '\n');
    if (eol < 0) {
      throw new CorruptException("no header line");
    }
    String[] fields = new String(head, 0, eol, StandardCharsets.US_ASCII).split(" ", -1);
    if (fields.length != 2 && fields.length != 4) {
      throw new CorruptException("bad header line");
    }
    int envelopeLength = parseFirstLine(fields[0] + " " + fields[1]);
    long contentLength = fields.length == 4 ? parseField(fields[2], LENGTH_DIGITS, 10) : UNKNOWN;
    long crc = fields.length == 4 ? parseField(fields[3], CRC_DIGITS, 16) : UNKNOWN;
    long jsonOffset = eol + 1;
    long contentOffset = jsonOffset + envelopeLength + 1;
    if (size < contentOffset) {
      throw new CorruptException("truncated envelope: file has " + size + " octets, header needs "
          + contentOffset);
    }
    byte[] json = readFully(ch, jsonOffset, envelopeLength + 1);
    if (json[envelopeLength] != '\n') {
      throw new CorruptException("envelope not followed by a line feed");
    }
    Envelope envelope = parseEnvelope(json, envelopeLength);
    if (contentLength != UNKNOWN && size - contentOffset != contentLength) {
      throw new CorruptException("content is " + (size - contentOffset) + " octets, its header says "
          + contentLength);
    }
    if (verify && crc != UNKNOWN && crc(ch, contentOffset, size - contentOffset) != crc) {
      throw new CorruptException("content does not match its checksum");
    }
    return new Header(envelope, contentOffset, contentLength, crc);
  }

  private static long parseField(String digits, int width, int radix) throws CorruptException {
    if (digits.length() != width) {
      throw new CorruptException("bad header field: " + digits);
    }
    try {
      long value = Long.parseLong(digits, radix);
      if (value < 0) {
        throw new NumberFormatException(digits);
      }
      return value;
    } catch (NumberFormatException e) {
      throw new CorruptException("bad header field: " + digits);
    }
  }

  /** The CRC-32C of {@code length} octets of {@code ch} from {@code position}. */
  private static long crc(Octets ch, long position, long length) throws IOException {
    CRC32C crc = new CRC32C();
    // on the heap: a direct buffer per message read would cost an allocation and a cleaner each
    ByteBuffer buf = ByteBuffer.allocate((int) Math.min(Math.max(length, 1), 1 << 16));
    long done = 0;
    while (done < length) {
      buf.clear().limit((int) Math.min(buf.capacity(), length - done));
      int n = ch.read(buf, position + done);
      if (n < 0) {
        throw new IOException("unexpected end of file");
      }
      buf.flip();
      crc.update(buf);
      done += n;
    }
    return crc.getValue();
  }

  private static int parseFirstLine(String line) throws CorruptException {
    String prefix = MAGIC + " ";
    if (!line.startsWith(prefix)) {
      throw new CorruptException("not a Postino spool file (bad magic)");
    }
    String digits = line.substring(prefix.length());
    if (digits.isEmpty() || digits.length() > 8 || !digits.chars().allMatch(c -> c >= '0' && c <= '9')) {
      throw new CorruptException("bad envelope length: " + digits);
    }
    int length = Integer.parseInt(digits);
    if (length > MAX_ENVELOPE_OCTETS) {
      throw new CorruptException("envelope length too large: " + length);
    }
    return length;
  }

  private static Envelope parseEnvelope(byte[] json, int length) throws CorruptException {
    String text;
    try {
      text = StandardCharsets.UTF_8.newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(json, 0, length))
          .toString();
    } catch (CharacterCodingException e) {
      throw new CorruptException("envelope is not UTF-8");
    }
    try {
      return Envelope.fromJson(new JsonObject(text));
    } catch (RuntimeException e) {
      // The codec signals a missing or mistyped field with whatever runtime exception it meets.
      throw new CorruptException("bad envelope: " + e);
    }
  }

  /** {@code length} octets of {@code ch} from {@code position}. */
  public static byte[] readFully(FileChannel ch, long position, int length) throws IOException {
    return readFully((into, at) -> ch.read(into, at), position, length);
  }

  /** As {@link FileChannel#read(ByteBuffer, long)}. */
  private interface PositionalRead {
    int read(ByteBuffer into, long position) throws IOException;
  }

  private static byte[] readFully(PositionalRead ch, long position, int length) throws IOException {
    ByteBuffer buf = ByteBuffer.allocate(length);
    while (buf.hasRemaining()) {
      int n = ch.read(buf, position + buf.position());
      if (n < 0) {
        throw new IOException("unexpected end of file");
      }
    }
    return buf.array();
  }
}
