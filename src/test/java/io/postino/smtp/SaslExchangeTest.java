package io.postino.smtp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.postino.smtp.SaslExchange.Challenge;
import io.postino.smtp.SaslExchange.Credentials;
import io.postino.smtp.SaslExchange.Refused;
import io.postino.smtp.SaslExchange.Step;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import org.junit.jupiter.api.Test;

/** The SASL side of AUTH (RFC 4954, 4616): challenges, credentials and refusals, without a server. */
class SaslExchangeTest {

  private static String b64(String s) {
    return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
  }

  private static String b64(byte[] b) {
    return Base64.getEncoder().encodeToString(b);
  }

  @Test
  void plainWithInitialResponse() {
    Step step = SaslExchange.create("plain").start(b64("\0alice\0s3cret"));
    assertEquals(new Credentials("alice", "s3cret"), step);
  }

  @Test
  void plainWithAnAuthorizationIdentityEqualToTheUser() {
    assertEquals(new Credentials("alice", "pw"), SaslExchange.create("PLAIN").start(b64("alice\0alice\0pw")));
  }

  @Test
  void plainChallengeForm() {
    SaslExchange ex = SaslExchange.create("PLAIN");
    assertEquals(new Challenge(""), ex.start(null));
    assertEquals(new Credentials("bob", "pässword"), ex.respond(b64("\0bob\0pässword")));
  }

  @Test
  void loginChallengeForm() {
    SaslExchange ex = SaslExchange.create("LOGIN");
    assertEquals(new Challenge(b64("Username:")), ex.start(null));
    assertEquals(new Challenge(b64("Password:")), ex.respond(b64("alice")));
    assertEquals(new Credentials("alice", "pw"), ex.respond(b64("pw")));
  }

  @Test
  void loginWithTheUserNameAsInitialResponse() {
    SaslExchange ex = SaslExchange.create("LOGIN");
    assertEquals(new Challenge(b64("Password:")), ex.start(b64("alice")));
    assertEquals(new Credentials("alice", "pw"), ex.respond(b64("pw")));
  }

  @Test
  void starCancels() {
    Step step = SaslExchange.create("PLAIN").respond("*");
    Refused refused = (Refused) step;
    assertEquals(Replies.AUTH_CANCELLED, refused.reply());
    assertEquals("5.7.0", refused.reply().status().toString());
    assertFalse(refused.failedAttempt());
    SaslExchange login = SaslExchange.create("LOGIN");
    login.start(null);
    login.respond(b64("alice"));
    assertEquals(Replies.AUTH_CANCELLED, ((Refused) login.respond("*")).reply());
  }

  @Test
  void badBase64Is501WithoutCountingAsAFailedLogin() {
    for (String bad : new String[] {"not base64!", "AAA=A", "a b", "ü"}) {
      Refused refused = (Refused) SaslExchange.create("PLAIN").start(bad);
      assertEquals(501, refused.reply().code(), bad);
      assertEquals("5.5.2", refused.reply().status().toString());
      assertFalse(refused.failedAttempt());
    }
  }

  @Test
  void malformedCredentialsAreAFailedLogin() {
    for (byte[] bad : new byte[][] {
        "alice".getBytes(StandardCharsets.UTF_8),          // no NUL at all
        "\0alice".getBytes(StandardCharsets.UTF_8),        // one NUL
        "\0alice\0pw\0x".getBytes(StandardCharsets.UTF_8), // three
        "\0\0pw".getBytes(StandardCharsets.UTF_8),         // no user
        "\0alice\0".getBytes(StandardCharsets.UTF_8),      // no password
        "bob\0alice\0pw".getBytes(StandardCharsets.UTF_8), // acting for another user
        {0, 'a', 0, (byte) 0xff, (byte) 0xfe},             // password not UTF-8
    }) {
      Refused refused = (Refused) SaslExchange.create("PLAIN").start(b64(bad));
      assertEquals(535, refused.reply().code());
      assertEquals("5.7.8", refused.reply().status().toString());
      assertTrue(refused.failedAttempt());
    }
    assertTrue(((Refused) SaslExchange.create("PLAIN").start("=")).failedAttempt());
  }

  @Test
  void unknownMechanism() {
    assertNull(SaslExchange.create("CRAM-MD5"));
    assertNull(SaslExchange.create("XOAUTH2"));
  }
}
