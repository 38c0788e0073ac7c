package io.postino.smtp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;

/**
 * Assertions on parser refusals: the catalogue reply itself, and its code and enhanced status
 * spelled out, so that a change in the catalogue shows up here.
 */
final class ReplyAssertions {

  private ReplyAssertions() {
  }

  static void assertRefused(String line, SmtpReply expected, int code, String status) {
    assertRefused(line.getBytes(StandardCharsets.UTF_8), expected, code, status);
  }

  static void assertRefused(byte[] line, SmtpReply expected, int code, String status) {
    SmtpException e = assertThrows(SmtpException.class, () -> CommandParser.parse(line, 0, line.length),
        () -> "accepted: " + new String(line, StandardCharsets.ISO_8859_1));
    SmtpReply reply = e.reply();
    assertSame(expected, reply, () -> "for " + new String(line, StandardCharsets.ISO_8859_1) + ": " + reply);
    assertEquals(code, reply.code());
    assertEquals(status, reply.status().toString());
  }

  /** Bytes from a string of chars 0..255, one byte each, for lines that are not valid UTF-8. */
  static byte[] latin1(String s) {
    return s.getBytes(StandardCharsets.ISO_8859_1);
  }
}
