package io.postino.mime;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import io.postino.testing.MimeParts;
import org.junit.jupiter.api.Test;

class SevenBitConversionTest {

  static final String LONG = "x".repeat(600) + " " + "y".repeat(600) + " \u00e9t\u00e9 " + "z".repeat(300);

  @Test
  void plainEightBitTextBecomesQuotedPrintable() throws Exception {
    byte[] message = crlf("""
        From: a@example.org
        To: b@example.net
        Subject: plain
        MIME-Version: 1.0
        Content-Type: text/plain; charset=UTF-8
        Content-Transfer-Encoding: 8bit

        Gr\u00fc\u00dfe aus K\u00f6ln, =\tend with a tab\t
        caf\u00e9
        """);
    byte[] out = converted(message, true);
    assertSevenBitAndShort(out);
    String text = new String(out, StandardCharsets.US_ASCII);
    assertTrue(text.contains("Content-Transfer-Encoding: quoted-printable\r\n"), text);
    assertFalse(text.contains("Content-Transfer-Encoding: 8bit"), text);
    assertTrue(text.startsWith("From: a@example.org\r\nTo: b@example.net\r\nSubject: plain\r\n"), text);
    assertSameParts(message, out);
  }

  @Test
  void nestedMultipartsMessagePartsAndBinaryAttachment() throws Exception {
    byte[] binary = new byte[3000];
    for (int i = 0; i < binary.length; i++) {
      binary[i] = (byte) (i * 7);
    }
    ByteArrayOutputStream m = new ByteArrayOutputStream();
    m.writeBytes(crlf("""
        From: a@example.org
        Subject: nested
        MIME-Version: 1.0
        Content-Type: multipart/mixed; boundary="outer"
        Content-Transfer-Encoding: 8bit

        This is a preamble.
        --outer
        Content-Type: multipart/alternative; boundary=inner

        --inner
        Content-Type: text/plain; charset=UTF-8

        na\u00efve text without a transfer encoding
        --inner
        Content-Type: text/html; charset=UTF-8
        Content-Transfer-Encoding: 8bit

        <p>\u00e0 bient\u00f4t</p>
        --inner--
        --outer
        Content-Type: text/plain; charset=US-ASCII
        Content-Transfer-Encoding: base64

        aGVsbG8=
        --outer
        Content-Type: message/rfc822
        Content-Transfer-Encoding: 8bit

        From: c@example.com
        Subject: inner message
        Content-Type: text/plain; charset=ISO-8859-1
        Content-Transfer-Encoding: 8bit

        """));
    m.writeBytes("Stra\u00dfe\r\n".getBytes(StandardCharsets.ISO_8859_1));
    m.writeBytes(crlf("""
        --outer
        Content-Type: application/octet-stream
        Content-Transfer-Encoding: binary

        """));
    m.writeBytes(binary);
    m.writeBytes(crlf("""

        --outer--
        epilogue
        """));
    byte[] message = m.toByteArray();
    byte[] out = converted(message, true);
    assertSevenBitAndShort(out);
    String text = new String(out, StandardCharsets.US_ASCII);
    assertTrue(text.contains("aGVsbG8=\r\n--outer"), "an encoded part is kept: " + text);
    assertTrue(text.contains("Content-Type: application/octet-stream\r\nContent-Transfer-Encoding: base64\r\n"), text);
    assertTrue(text.contains("Content-Type: message/rfc822\r\nContent-Transfer-Encoding: 7bit\r\n"), text);
    assertTrue(text.contains("Content-Type: multipart/mixed; boundary=\"outer\"\r\nContent-Transfer-Encoding: 7bit\r\n"), text);
    assertTrue(text.contains("Content-Type: text/plain; charset=UTF-8\r\nContent-Transfer-Encoding: quoted-printable\r\n"),
        "a missing encoding is added: " + text);
    assertSameParts(message, out);
    List<MimeParts.Part> parts = parts(out);
    assertEquals(5, parts.size(), parts.toString());
    assertArrayEquals(binary, parts.get(4).body());
  }

  @Test
  void longLinesAreEncodedForEveryHostAndLongHeadersFolded() throws Exception {
    String longSubject = "Subject: " + "word ".repeat(300);
    byte[] message = crlf("From: a@example.org\n" + longSubject.trim() + "\nMIME-Version: 1.0\n"
        + "Content-Type: multipart/mixed; boundary=b\n\n--b\nContent-Type: text/plain\n\n" + "a".repeat(2000)
        + "\n--b\nContent-Type: text/plain; charset=UTF-8\nContent-Transfer-Encoding: 8bit\n\n" + LONG
        + "\n--b\nContent-Type: text/plain; charset=UTF-8\nContent-Transfer-Encoding: 8bit\n\nshort caf\u00e9\n--b--\n");
    SevenBitConversion.Plan plan = SevenBitConversion.plan(new ByteArrayInputStream(message), false);
    assertTrue(plan.changes());
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    SevenBitConversion.write(new ByteArrayInputStream(message), out, plan, 0);
    byte[] converted = out.toByteArray();
    String text = new String(converted, StandardCharsets.UTF_8);
    for (String line : text.split("\r\n")) {
      assertTrue(line.length() <= 998, "line of " + line.length());
    }
    assertTrue(text.contains("\r\n\r\nshort caf\u00e9\r\n--b--"), "an 8-bit part with short lines is kept for an 8BITMIME host: " + text);
    assertEquals(unfold(longSubject.trim()), unfold(header(text, "Subject")));
    assertSameParts(message, converted);
  }

  @Test
  void aLastLineEndingInWhiteSpaceKeepsItsLineBreak() throws Exception {
    byte[] message = crlf("From: a@example.org\nContent-Type: text/plain; charset=UTF-8\n"
        + "Content-Transfer-Encoding: 8bit\n\nD\u00e9j\u00e0 vu.\nUne ligne: " + "\u00e9t\u00e9 ".repeat(300) + "\n");
    byte[] out = converted(message, true);
    assertSameParts(message, out);
  }

  @Test
  void messageThatFitsIsWrittenAsItWas() throws Exception {
    byte[] message = crlf("""
        From: a@example.org
        Subject: fits
        MIME-Version: 1.0
        Content-Type: multipart/mixed; boundary=b

        preamble
        --b
        Content-Type: text/plain; charset=UTF-8
        Content-Transfer-Encoding: 8bit

        caf\u00e9
        --b
        Content-Type: text/plain

        plain
        --b--
        epilogue
        """);
    SevenBitConversion.Plan plan = SevenBitConversion.plan(new ByteArrayInputStream(message), false);
    assertFalse(plan.changes());
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    SevenBitConversion.write(new ByteArrayInputStream(message), out, plan, 0);
    assertEquals(new String(message, StandardCharsets.ISO_8859_1), out.toString(StandardCharsets.ISO_8859_1));
  }

  @Test
  void nonMimeEightBitMessageGetsMimeVersionAndEncoding() throws Exception {
    byte[] message = crlf("From: a@example.org\nSubject: old\n\nna\u00efve\n");
    byte[] out = converted(message, true);
    String text = new String(out, StandardCharsets.US_ASCII);
    assertTrue(text.startsWith("From: a@example.org\r\nSubject: old\r\nMIME-Version: 1.0\r\n"
        + "Content-Transfer-Encoding: quoted-printable\r\n\r\nna=C3=AFve\r\n"), text);
    assertSameParts(message, out);
  }

  @Test
  void leadingSignaturesAreLeftOutWhenAsked() throws Exception {
    byte[] message = crlf("DKIM-Signature: v=1; a=rsa-sha256; d=example.org;\n b=abc\nDKIM-Signature: v=1; d=x\n"
        + "Received: from x\nDKIM-Signature: v=1; d=other\nFrom: a@example.org\n\ncaf\u00e9\n");
    ContentFacts facts = ContentFacts.scan(message, 0, message.length);
    assertEquals(3, facts.signatures());
    assertEquals(2, facts.leadingSignatures());
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    SevenBitConversion.convert(() -> new ByteArrayInputStream(message), out, true, 2);
    assertTrue(out.toString(StandardCharsets.US_ASCII).startsWith("Received: from x\r\nDKIM-Signature: v=1; d=other\r\n"),
        out.toString(StandardCharsets.US_ASCII));
  }

  @Test
  void quotedPrintableOfTextDecodesToTheSameOctets() throws Exception {
    String text = "a line with trailing space \r\n\tand =equals= and tab\t\r\nbare\rcr\r\n" + "\u00e9".repeat(200)
        + "\r\nlast line without break ";
    byte[] in = text.getBytes(StandardCharsets.UTF_8);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    QuotedPrintableOutput qp = new QuotedPrintableOutput(out);
    qp.write(in);
    qp.finish();
    assertSevenBitAndShort(out.toByteArray());
    for (String line : out.toString(StandardCharsets.US_ASCII).split("\r\n")) {
      assertTrue(line.length() <= 76, line);
      assertFalse(line.endsWith(" ") || line.endsWith("\t"), line);
    }
    byte[] decoded = new org.apache.james.mime4j.codec.QuotedPrintableInputStream(
        new ByteArrayInputStream(out.toByteArray())).readAllBytes();
    assertArrayEquals(in, decoded);
  }

  static byte[] converted(byte[] message, boolean sevenBit) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    SevenBitConversion.Plan plan = SevenBitConversion.convert(() -> new ByteArrayInputStream(message), out, sevenBit, 0);
    assertTrue(plan.changes());
    return out.toByteArray();
  }

  static void assertSevenBitAndShort(byte[] out) {
    MimeParts.assertSevenBitAndShort(out);
  }

  static void assertSameParts(byte[] original, byte[] converted) throws Exception {
    MimeParts.assertSame(original, converted);
  }

  static List<MimeParts.Part> parts(byte[] message) throws Exception {
    return MimeParts.of(message);
  }

  static byte[] crlf(String text) {
    return text.replace("\n", "\r\n").getBytes(StandardCharsets.UTF_8);
  }

  private static String header(String message, String name) {
    int start = message.indexOf("\r\n" + name + ":") + 2;
    int end = start;
    do {
      end = message.indexOf("\r\n", end) + 2;
    } while (message.charAt(end) == ' ' || message.charAt(end) == '\t');
    return message.substring(start, end - 2);
  }

  private static String unfold(String field) {
    return field.replace("\r\n", "");
  }
}
