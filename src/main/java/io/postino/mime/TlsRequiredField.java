package io.postino.mime;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Locale;

/**
 * The {@code TLS-Required: No} header field (RFC 8689 section 3): the originator asks that the
 * recipient domain's TLS policies (DANE, MTA-STS) be ignored for this message. Only the top-level
 * header section is read, at most {@value #MAX_HEADER} octets of it. The field counts only when it
 * appears once (the RFC forbids more) with the value {@code No} in any case; anything else leaves
 * the policies in force, the safe side. Blocking.
 */
public final class TlsRequiredField {

  /** Past this many octets of header section, the field is taken as absent. */
  static final int MAX_HEADER = 256 * 1024;

  private static final String NAME = "tls-required";

  private TlsRequiredField() {
  }

  /** Whether {@code in}, a message from its first octet, says {@code TLS-Required: No}; not closed. */
  public static boolean saysNo(InputStream in) throws IOException {
    int found = 0;
    boolean no = false;
    StringBuilder field = null;
    StringBuilder line = new StringBuilder();
    for (int read = 0; read <= MAX_HEADER; read++) {
      int c = in.read();
      if (c == '\r') {
        continue;
      }
      if (c >= 0 && c != '\n') {
        line.append((char) c);
        continue;
      }
      // a line ended, or the message (which may be all header section)
      boolean end = c < 0 || line.isEmpty();
      boolean continuation = !line.isEmpty() && (line.charAt(0) == ' ' || line.charAt(0) == '\t');
      if (continuation && field != null) {
        field.append(line);
      } else {
        if (isNamed(field)) {
          found++;
          no = valueIsNo(field);
        }
        field = line.isEmpty() ? null : new StringBuilder(line);
      }
      if (end) {
        if (isNamed(field)) {
          found++;
          no = valueIsNo(field);
        }
        return found == 1 && no;
      }
      line.setLength(0);
    }
    return false;
  }

  private static boolean isNamed(StringBuilder field) {
    int colon = field == null ? -1 : field.indexOf(":");
    return colon > 0 && field.substring(0, colon).strip().toLowerCase(Locale.ROOT).equals(NAME);
  }

  private static boolean valueIsNo(StringBuilder field) {
    return field.substring(field.indexOf(":") + 1).strip().equalsIgnoreCase("no");
  }

  /** The same over the octets of a whole message. */
  public static boolean saysNo(byte[] message) {
    try {
      return saysNo(new ByteArrayInputStream(message));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
