package io.postino.smtp;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * The removal of Authentication-Results fields that claim this server's authserv-id, whatever
 * their spelling and folding and however the content is split into pieces; everything else,
 * other servers' results and ARC's included, passes unchanged.
 */
class ForgedResultsFilterTest {

  private static final String ID = "mx.test.example";

  /** The filter's output for {@code message} fed whole, octet by octet, and split at every point: all equal. */
  private static String filter(String message) {
    byte[] in = message.getBytes(StandardCharsets.ISO_8859_1);
    String whole = run(in, in.length);
    assertEquals(whole, run(in, 1), "octet by octet");
    for (int split = 1; split < in.length; split++) {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      ForgedResultsFilter f = new ForgedResultsFilter(ID, out::write);
      f.accept(in, 0, split);
      f.accept(in, split, in.length - split);
      f.finish();
      assertEquals(whole, out.toString(StandardCharsets.ISO_8859_1), "split at " + split);
    }
    return whole;
  }

  private static String run(byte[] in, int piece) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ForgedResultsFilter f = new ForgedResultsFilter(ID, out::write);
    for (int i = 0; i < in.length; i += piece) {
      f.accept(in, i, Math.min(piece, in.length - i));
    }
    f.finish();
    return out.toString(StandardCharsets.ISO_8859_1);
  }

  @Test
  void fieldsClaimingThisServerAreRemoved() {
    String rest = "From: a@example.org\r\nSubject: hi\r\n\r\nbody\r\n";
    assertEquals(rest, filter("Authentication-Results: mx.test.example; dkim=pass header.d=example.org\r\n" + rest));
    assertEquals(rest, filter("authentication-results : MX.Test.Example. ; dkim=pass\r\n" + rest));
    assertEquals(rest, filter("Authentication-Results: \"mx.test.example\"; spf=pass\r\n" + rest));
    assertEquals(rest, filter("Authentication-Results: mx.test.example 1; dkim=pass\r\n" + rest));
    assertEquals(rest, filter("Authentication-Results: mx.test.example; none\r\n" + rest));
    // folded, with a comment before the authserv-id, continuation lines removed with it
    assertEquals("Received: from x\r\n" + rest, filter("Received: from x\r\n"
        + "Authentication-Results:\r\n\t(forged) mx.test.example;\r\n\tdkim=pass\r\n header.d=bank.example\r\n" + rest));
    // the message ends in it; its authserv-id hidden behind a long comment
    assertEquals("From: a@example.org\r\n", filter("From: a@example.org\r\nAuthentication-Results: mx.test.example"));
    assertEquals(rest, filter("Authentication-Results: (" + "x".repeat(3000) + ") mx.test.example; dkim=pass\r\n" + rest));
    assertEquals(rest, filter("Authentication-Results:" + "\r\n ".repeat(600) + "mx.test.example; dkim=pass\r\n" + rest));
    // several, between other fields
    assertEquals("From: a@example.org\r\nSubject: hi\r\n\r\nbody\r\n", filter("Authentication-Results: mx.test.example;"
        + " spf=pass\r\nFrom: a@example.org\r\nAuthentication-Results: mx.test.example; dkim=pass\r\nSubject: hi\r\n\r\n"
        + "body\r\n"));
  }

  @Test
  void aLineThatIsNoFieldIsPassedOnAsItComesNotHeld() {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ForgedResultsFilter f = new ForgedResultsFilter(ID, out::write);
    byte[] line = "x".repeat(800).getBytes(StandardCharsets.US_ASCII);
    f.accept(line, 0, line.length);
    // no more than a field name's worth waits for the colon that would make it a field
    assertEquals(800, out.size());
  }

  @Test
  void everythingElsePassesUnchanged() {
    for (String message : new String[] {
        "Authentication-Results: other.example; dkim=pass\r\nFrom: a@example.org\r\n\r\nbody\r\n",
        "Authentication-Results: mx.test.example.evil; dkim=pass\r\n\r\nbody\r\n",
        "Authentication-Results: mx.test.exampl; dkim=pass\r\n\r\nbody\r\n",
        "Authentication-Results: sub.mx.test.example; dkim=pass\r\n\r\nbody\r\n",
        "ARC-Authentication-Results: i=1; mx.test.example; dkim=pass\r\n\r\nbody\r\n",
        "X-Authentication-Results: mx.test.example; dkim=pass\r\n\r\nbody\r\n",
        "Authentication-Results:\r\nFrom: a@example.org\r\n\r\nbody\r\n",
        // in the body, it is text
        "From: a@example.org\r\n\r\nAuthentication-Results: mx.test.example; dkim=pass\r\n",
        // a first line that is no field starts the body
        "Not a field\r\nAuthentication-Results: mx.test.example; dkim=pass\r\n\r\n",
        " starts with a space\r\nAuthentication-Results: mx.test.example; dkim=pass\r\n",
        "Two words: x\r\nAuthentication-Results: mx.test.example; dkim=pass\r\n",
        // the message ends before the authserv-id is known
        "From: a@example.org\r\nAuthentication-Results: mx.te",
    }) {
      assertEquals(message, filter(message));
    }
  }
}
