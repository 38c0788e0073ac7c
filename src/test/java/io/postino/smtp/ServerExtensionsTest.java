package io.postino.smtp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Reading what a server offers from its EHLO reply. */
class ServerExtensionsTest {

  private static ServerExtensions parse(String... lines) {
    return ServerExtensions.parse(new SmtpReply(250, null, List.of(lines)));
  }

  @Test
  void keywordsAnyCaseWithParameters() {
    ServerExtensions e = parse("mx.example Hello", "pipelining", "Size 35882577", "auth plain LOGIN", "STARTTLS",
        "CHUNKING", "BINARYMIME", "DSN", "SMTPUTF8", "8BITMIME");
    assertTrue(e.pipelining() && e.startTls() && e.dsn() && e.smtpUtf8() && e.eightBitMime() && e.binaryMime());
    assertEquals(35882577, e.maxSize());
    assertEquals(List.of("PLAIN", "LOGIN"), e.authMechanisms());
  }

  @Test
  void sizeWithoutLimitAndNoSize() {
    assertEquals(0, parse("mx", "SIZE").maxSize());
    assertEquals(0, parse("mx", "SIZE lots").maxSize());
    assertEquals(-1, parse("mx", "8BITMIME").maxSize());
  }

  @Test
  void theGreetingLineAndJunkAnnounceNothing() {
    ServerExtensions e = parse("PIPELINING is my name", "", "  ", "!!!", "CHUNKING");
    assertFalse(e.pipelining());
    assertFalse(e.binaryMime(), "CHUNKING without BINARYMIME");
  }

  @Test
  void oldStyleAuthEquals() {
    assertEquals(List.of("LOGIN", "PLAIN"), parse("mx", "AUTH=LOGIN PLAIN").authMechanisms());
    assertTrue(ServerExtensions.NONE.authMechanisms().isEmpty());
  }
}
