package io.postino.dkim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.List;
import org.junit.jupiter.api.Test;

/** RFC 6376 section 3.4.5's examples, and the body hash fed in chunks split at every octet. */
class CanonicalizationTest {

  private static final String HEADERS = "A: X\r\nB : Y\t\r\n\tZ  \r\n";
  private static final String BODY = " C \r\nD \t E\r\n\r\n\r\n";

  @Test
  void relaxedHeadersAsInSection345() {
    HeaderSection section = new HeaderSection(1024);
    byte[] message = (HEADERS + "\r\n" + BODY).getBytes(StandardCharsets.US_ASCII);
    int used = section.update(message, 0, message.length);
    assertEquals(HEADERS.length() + 2, used);
    List<String> fields = section.fields();
    assertEquals(List.of("A: X", "B : Y\t\r\n\tZ  "), fields);
    assertEquals("a:X\r\n", Canonicalization.RELAXED.header(fields.get(0)));
    assertEquals("b:Y Z\r\n", Canonicalization.RELAXED.header(fields.get(1)));
    assertEquals(HEADERS, Canonicalization.SIMPLE.header(fields.get(0)) + Canonicalization.SIMPLE.header(fields.get(1)));
  }

  @Test
  void relaxedBodyAsInSection345() throws Exception {
    assertBodyHash(Canonicalization.RELAXED, BODY, " C\r\nD E\r\n");
  }

  @Test
  void simpleBodyAsInSection345() throws Exception {
    assertBodyHash(Canonicalization.SIMPLE, BODY, " C \r\nD \t E\r\n");
  }

  @Test
  void emptyBodies() throws Exception {
    // section 3.4.3: simple makes an empty body one CRLF; section 3.4.4: relaxed leaves it empty
    assertBodyHash(Canonicalization.SIMPLE, "", "\r\n");
    assertBodyHash(Canonicalization.SIMPLE, "\r\n\r\n", "\r\n");
    assertBodyHash(Canonicalization.RELAXED, "", "");
    assertBodyHash(Canonicalization.RELAXED, " \r\n\t\r\n", "");
  }

  @Test
  void aBodyWithoutFinalCrlfGetsOne() throws Exception {
    assertBodyHash(Canonicalization.SIMPLE, "abc", "abc\r\n");
    assertBodyHash(Canonicalization.RELAXED, "a  b \t", "a b\r\n");
    assertBodyHash(Canonicalization.RELAXED, "a\rb\r", "a\rb\r\r\n");
  }

  @Test
  void emptyLinesInsideTheBodyStay() throws Exception {
    assertBodyHash(Canonicalization.RELAXED, "a\r\n\r\n \r\nb\r\n\r\n", "a\r\n\r\n\r\nb\r\n");
    assertBodyHash(Canonicalization.SIMPLE, "a\r\n\r\n \r\nb\r\n\r\n", "a\r\n\r\n \r\nb\r\n");
  }

  /** The hash of {@code body} equals SHA-256 of {@code canonical}, whatever the chunking. */
  private static void assertBodyHash(Canonicalization c, String body, String canonical) throws Exception {
    byte[] expected = MessageDigest.getInstance("SHA-256").digest(canonical.getBytes(StandardCharsets.ISO_8859_1));
    byte[] bytes = body.getBytes(StandardCharsets.ISO_8859_1);
    for (int split = 0; split <= bytes.length; split++) {
      for (int step = 1; step <= Math.max(1, bytes.length); step++) {
        BodyHash hash = new BodyHash(c);
        hash.update(bytes, 0, split);
        for (int i = split; i < bytes.length; i += step) {
          hash.update(bytes, i, Math.min(step, bytes.length - i));
        }
        assertArrayEquals(expected, hash.digest(), c + " body " + body.replace("\r", "\\r").replace("\n", "\\n")
            + " split at " + split + " in steps of " + step);
      }
    }
  }

  @Test
  void headerSectionEndsAcrossChunks() {
    byte[] message = "From: a@b\r\nSubject: x\r\n\r\nbody\r\n".getBytes(StandardCharsets.US_ASCII);
    for (int step = 1; step < message.length; step++) {
      HeaderSection section = new HeaderSection(1024);
      int used = 0;
      for (int i = 0; i < message.length && !section.isComplete(); i += step) {
        used += section.update(message, i, Math.min(step, message.length - i));
      }
      assertEquals(25, used, "step " + step);
      assertEquals(List.of("From: a@b", "Subject: x"), section.fields());
    }
  }

  @Test
  void aMessageWithoutHeadersStartsWithItsBody() {
    byte[] message = "\r\nbody\r\n".getBytes(StandardCharsets.US_ASCII);
    HeaderSection section = new HeaderSection(1024);
    assertEquals(2, section.update(message, 0, message.length));
    assertEquals(List.of(), section.fields());
  }

  @Test
  void aLengthLimitHashesOnlyThatMuchOfTheCanonicalBody() throws Exception {
    byte[] body = "abc  def\r\nmore\r\n".getBytes(StandardCharsets.US_ASCII);
    BodyHash limited = new BodyHash(Canonicalization.RELAXED, 5);
    limited.update(body, 0, body.length);
    assertArrayEquals(MessageDigest.getInstance("SHA-256").digest("abc d".getBytes(StandardCharsets.US_ASCII)),
        limited.digest());
  }

  @Test
  void theSignatureFieldIsHashedWithoutItsBValue() {
    String field = "DKIM-Signature: v=1; a=rsa-sha256; d=example.org; s=s1;\r\n\th=From:To; bh=AAAA;\r\n\tb=abc\r\n\t def";
    SignatureField parsed = SignatureField.parse(field);
    assertEquals("DKIM-Signature: v=1; a=rsa-sha256; d=example.org; s=s1;\r\n\th=From:To; bh=AAAA;\r\n\tb=",
        parsed.withoutB());
    assertEquals(List.of("From", "To"), parsed.names());
    assertEquals(Canonicalization.SIMPLE, parsed.header());
  }
}
