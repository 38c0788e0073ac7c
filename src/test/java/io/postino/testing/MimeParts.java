package io.postino.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.apache.james.mime4j.MimeException;
import org.apache.james.mime4j.stream.EntityState;
import org.apache.james.mime4j.stream.MimeConfig;
import org.apache.james.mime4j.stream.MimeTokenStream;
import org.apache.james.mime4j.stream.RecursionMode;

/** A message's leaf parts as Mime4j decodes them, to compare a converted message with its original. */
public final class MimeParts {

  /** A leaf part: its media type and its decoded octets. */
  public record Part(String type, byte[] body) {
    @Override
    public String toString() {
      return type + "(" + body.length + ")";
    }
  }

  private MimeParts() {
  }

  /** Every leaf part, depth first, nested messages included. */
  public static List<Part> of(byte[] message) throws IOException, MimeException {
    MimeTokenStream s = new MimeTokenStream(MimeConfig.PERMISSIVE);
    s.setRecursionMode(RecursionMode.M_RECURSE);
    s.parse(new ByteArrayInputStream(message));
    List<Part> parts = new ArrayList<>();
    for (EntityState st = s.getState(); st != EntityState.T_END_OF_STREAM; st = s.next()) {
      if (st == EntityState.T_BODY) {
        try (InputStream in = s.getDecodedInputStream()) {
          parts.add(new Part(s.getBodyDescriptor().getMimeType(), in.readAllBytes()));
        }
      }
    }
    return parts;
  }

  /** Both messages have the same leaf parts, decoded: same types, same octets. */
  public static void assertSame(byte[] original, byte[] converted) throws IOException, MimeException {
    List<Part> before = of(original);
    List<Part> after = of(converted);
    assertEquals(before.size(), after.size(), before + " / " + after);
    for (int i = 0; i < before.size(); i++) {
      assertEquals(before.get(i).type(), after.get(i).type());
      assertEquals(new String(before.get(i).body(), StandardCharsets.ISO_8859_1),
          new String(after.get(i).body(), StandardCharsets.ISO_8859_1), "part " + i);
    }
  }

  /** No octet above 127, no NUL, no line over 998 octets. */
  public static void assertSevenBitAndShort(byte[] message) {
    int line = 0;
    for (byte b : message) {
      assertTrue(b > 0, "8-bit or NUL octet " + (b & 0xff));
      line = b == '\n' ? 0 : line + 1;
      assertTrue(line <= 1000, "line over 998 octets");
    }
  }
}
