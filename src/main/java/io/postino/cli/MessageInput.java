package io.postino.cli;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.apache.james.mime4j.dom.address.Mailbox;
import org.apache.james.mime4j.field.address.LenientAddressParser;

/**
 * A message read from standard input as {@code sendmail} reads it: the header section is read
 * first (to find recipients with {@code -t} and to drop {@code Bcc:}); the body is passed on in
 * chunks, never held whole. Without {@code -i}, a line holding a single dot ends the input, as
 * for sendmail.
 */
final class MessageInput {

  /** A header section longer than this is refused: no real message has one. */
  static final int MAX_HEADER_OCTETS = 1024 * 1024;

  private final InputStream in;
  private final boolean dotEnds;
  private boolean ended;
  private final List<byte[]> headerLines = new ArrayList<>();

  MessageInput(InputStream in, boolean dotEnds) throws IOException {
    this.in = in;
    this.dotEnds = dotEnds;
    int octets = 0;
    byte[] line;
    while ((line = readLine()) != null) {
      headerLines.add(line);
      octets += line.length;
      if (octets > MAX_HEADER_OCTETS) {
        throw new IOException("header section longer than " + MAX_HEADER_OCTETS + " octets");
      }
      if (isBlank(line)) {
        break;
      }
    }
  }

  private static boolean isBlank(byte[] line) {
    return line.length == 1 && line[0] == '\n' || line.length == 2 && line[0] == '\r' && line[1] == '\n';
  }

  /** The next line with its line end (none at the end of input); null at the end. */
  private byte[] readLine() throws IOException {
    if (ended) {
      return null;
    }
    ByteArrayOutputStream line = new ByteArrayOutputStream(128);
    int b;
    while ((b = in.read()) >= 0) {
      line.write(b);
      if (b == '\n') {
        break;
      }
    }
    byte[] bytes = line.toByteArray();
    if (bytes.length == 0) {
      ended = true;
      return null;
    }
    String text = new String(bytes, StandardCharsets.ISO_8859_1);
    if (dotEnds && (text.equals(".\n") || text.equals(".\r\n") || text.equals("."))) {
      ended = true;
      return null;
    }
    return bytes;
  }

  /** The addresses of the To, Cc and Bcc fields (sendmail {@code -t}). */
  List<String> headerRecipients() {
    List<String> found = new ArrayList<>();
    for (String field : fields()) {
      int colon = field.indexOf(':');
      String name = colon < 0 ? "" : field.substring(0, colon).trim().toLowerCase(Locale.ROOT);
      if (name.equals("to") || name.equals("cc") || name.equals("bcc")) {
        for (Mailbox m : LenientAddressParser.DEFAULT.parseAddressList(field.substring(colon + 1)).flatten()) {
          found.add(m.getAddress());
        }
      }
    }
    return found;
  }

  /** The header fields, unfolded. */
  private List<String> fields() {
    List<String> fields = new ArrayList<>();
    for (byte[] line : headerLines) {
      String text = new String(line, StandardCharsets.UTF_8).replaceAll("[\r\n]+$", "");
      if (text.isEmpty()) {
        break;
      }
      if ((text.startsWith(" ") || text.startsWith("\t")) && !fields.isEmpty()) {
        fields.set(fields.size() - 1, fields.get(fields.size() - 1) + " " + text.trim());
      } else {
        fields.add(text);
      }
    }
    return fields;
  }

  /** Whether a field of this name (case-insensitive) is in the header. */
  boolean hasField(String name) {
    String prefix = name.toLowerCase(Locale.ROOT) + ":";
    return fields().stream().anyMatch(f -> f.toLowerCase(Locale.ROOT).startsWith(prefix));
  }

  /** Receives the message in pieces. */
  @FunctionalInterface
  interface Chunks {
    void accept(byte[] bytes, int length) throws IOException;
  }

  /** Passes the header (without its Bcc fields) then the rest of the input to {@code out}. */
  void writeTo(Chunks out) throws IOException {
    boolean inBcc = false;
    for (byte[] line : headerLines) {
      String text = new String(line, StandardCharsets.ISO_8859_1);
      boolean continuation = text.startsWith(" ") || text.startsWith("\t");
      if (!continuation) {
        inBcc = text.toLowerCase(Locale.ROOT).startsWith("bcc:");
      }
      if (!inBcc) {
        out.accept(line, line.length);
      }
    }
    if (!dotEnds) {
      byte[] buf = new byte[64 * 1024];
      int n;
      while ((n = in.read(buf)) > 0) {
        out.accept(buf, n);
      }
      return;
    }
    byte[] line;
    while ((line = readLine()) != null) {
      out.accept(line, line.length);
    }
  }
}
