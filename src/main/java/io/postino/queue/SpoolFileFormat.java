package io.postino.queue;

import io.postino.smtp.Bytes;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * The layout of a spool file: a first line {@code POSTINO1 <n>\n} where n is the octet length of
 * the envelope JSON, then that JSON (UTF-8), then {@code \n}, then the message content unchanged
 * up to the end of the file.
 *
 * <p>SECURITY: spool files are read back at start-up, possibly after a crash, a full disk or a
 * hand edit; the reader trusts nothing (bounded lengths, strict UTF-8, the envelope codec's own
 * checks) and reports any defect as {@link CorruptException} instead of failing start-up.
 */
final class SpoolFileFormat {

  static final String MAGIC = "POSTINO1";

  /** Far above any real envelope (100 recipients take a few KB), low enough to read whole. */
  static final int MAX_ENVELOPE_OCTETS = 16 * 1024 * 1024;

  /** "POSTINO1 " + up to 8 digits + "\n". */
  private static final int MAX_FIRST_LINE = MAGIC.length() + 1 + 8 + 1;

  private SpoolFileFormat() {
  }

  /** What was read from the head of a spool file. */
  record Header(Envelope envelope, long contentOffset) {
  }

  /** A spool file that cannot be read back as a message. */
  static final class CorruptException extends Exception {
    private static final long serialVersionUID = 1L;

    CorruptException(String reason) {
      super(reason, null, false, false);
    }
  }

  /** Everything that precedes the content. */
  static byte[] header(Envelope envelope) {
    byte[] json = envelope.toJson().encode().getBytes(StandardCharsets.UTF_8);
    if (json.length > MAX_ENVELOPE_OCTETS) {
      throw new IllegalArgumentException("envelope too large: " + json.length + " octets");
    }
    byte[] line = (MAGIC + " " + json.length + "\n").getBytes(StandardCharsets.US_ASCII);
    byte[] header = new byte[line.length + json.length + 1];
    System.arraycopy(line, 0, header, 0, line.length);
    System.arraycopy(json, 0, header, line.length, json.length);
    header[header.length - 1] = '\n';
    return header;
  }

  /** Reads the header of a spool file without touching its content. Blocking. */
  static Header read(FileChannel ch) throws IOException, CorruptException {
    long size = ch.size();
    byte[] head = readFully(ch, 0, (int) Math.min(size, MAX_FIRST_LINE));
    int eol = Bytes.indexOf(head, 0, head.length, (byte) '\n');
    if (eol < 0) {
      throw new CorruptException("no header line");
    }
    int envelopeLength = parseFirstLine(new String(head, 0, eol, StandardCharsets.US_ASCII));
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
    return new Header(parseEnvelope(json, envelopeLength), contentOffset);
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
  static byte[] readFully(FileChannel ch, long position, int length) throws IOException {
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
