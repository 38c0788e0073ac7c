package io.postino.dkim;

import static io.postino.testing.SmtpTestClient.expect;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.postino.testing.SmtpTestClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Messages Postino signs, received over SMTP from an authenticated client and delivered to a
 * Maildir, verify with dkimpy and OpenDKIM fetching the key records from a DNS responder on
 * loopback: both signatures of a dual-signed (RSA and Ed25519) message, relaxed and simple, a
 * message large enough to stream to the spool; a message altered after signing fails with both.
 */
class DkimSigningInteropTest {

  static final List<String> BOTH_PASS = List.of("rsa-sha256=pass", "ed25519-sha256=pass");
  static final List<String> BOTH_FAIL = List.of("rsa-sha256=fail", "ed25519-sha256=fail");

  static final String MESSAGE = "From: Alice <alice@signer.example>\r\n"
      + "To: Bob <bob@local.example>\r\n"
      + "Subject: dinner   is\r\n\tready\r\n"
      + "Date: Sat, 05 Dec 2026 10:00:00 +0000\r\n"
      + "Message-ID: <m1@signer.example>\r\n"
      + "MIME-Version: 1.0\r\n"
      + "Content-Type: text/plain; charset=us-ascii\r\n"
      + "List-Id: <dinner.signer.example>\r\n"
      + "X-Not-Signed: whatever\r\n"
      + "\r\n"
      + "Hi Bob,  \r\n"
      + "\r\n"
      + "we lost the game.\t Are you hungry yet?\r\n"
      + "\r\n"
      + "\r\n";

  @TempDir
  Path dir;
  DkimTestbed bed;

  @BeforeEach
  void setUp() throws Exception {
    bed = new DkimTestbed(dir);
  }

  @AfterEach
  void tearDown() throws Exception {
    bed.close();
  }

  @Test
  void dualSignedRelaxedVerifiesWithDkimpyAndOpendkim() throws Exception {
    bed.server.start();
    Path delivered = bed.send(MESSAGE, true);
    String text = Files.readString(delivered, StandardCharsets.ISO_8859_1);
    assertEquals(2, count(text, "DKIM-Signature:"), text);
    assertTrue(text.contains("c=relaxed/relaxed"), text);
    assertTrue(text.replace("\r\n\t", "")
        .contains("h=From:From:Subject:Date:To:Message-ID:MIME-Version:Content-Type:List-Id;"), text);
    assertEquals(BOTH_PASS, bed.verify(delivered));
  }

  @Test
  void simpleCanonicalizationVerifiesWithDkimpyAndOpendkim() throws Exception {
    bed.dkim().put("canonicalization", "simple/simple").put("expiration", 86400);
    bed.server.start();
    Path delivered = bed.send(MESSAGE, true);
    String text = Files.readString(delivered, StandardCharsets.ISO_8859_1);
    assertTrue(text.contains("c=simple/simple"), text);
    assertTrue(text.contains(" x="), text);
    assertEquals(BOTH_PASS, bed.verify(delivered));
  }

  @Test
  void aMessageThatStreamsToTheSpoolIsSignedWhole() throws Exception {
    bed.server.start();
    StringBuilder body = new StringBuilder();
    for (int i = 0; body.length() < 3_000_000; i++) {
      body.append("line ").append(i).append(" of a long message,   with  some   spaces \t\r\n");
    }
    Path delivered = bed.send(MESSAGE.replace("\r\n\r\nHi Bob", "\r\n\r\n" + body + "Hi Bob"), true);
    assertEquals(BOTH_PASS, bed.verify(delivered));
  }

  @Test
  void onTheSubmissionPortTheFieldsPostinoAddsAreSignedToo() throws Exception {
    bed.server.withSubmission().start();
    String bare = MESSAGE.replace("Date: Sat, 05 Dec 2026 10:00:00 +0000\r\n", "")
        .replace("Message-ID: <m1@signer.example>\r\n", "");
    try (SmtpTestClient c = new SmtpTestClient(bed.server.submissionPort())) {
      expect(c.read(), 220);
      expect(c.command("EHLO client.example"), 250);
      expect(c.command("AUTH PLAIN " + Base64.getEncoder().encodeToString("\0alice\0secret".getBytes(
          StandardCharsets.US_ASCII))), 235);
      expect(c.startData("alice@signer.example", "bob@local.example"), 354);
      expect(c.command(bare + "\r\n."), 250);
    }
    Path delivered = bed.delivered();
    String text = Files.readString(delivered, StandardCharsets.ISO_8859_1);
    assertTrue(text.replace("\r\n\t", "").contains("h=From:From:Subject:Date:To:Message-ID:"), text);
    assertEquals(BOTH_PASS, bed.verify(delivered));
  }

  @Test
  void aMessageAlteredAfterSigningFailsWithBoth() throws Exception {
    bed.server.start();
    Path delivered = bed.send(MESSAGE, true);
    String text = Files.readString(delivered, StandardCharsets.ISO_8859_1);
    Path altered = dir.resolve("altered.eml");
    Files.writeString(altered, text.replace("we lost the game.", "we won the game."), StandardCharsets.ISO_8859_1);
    assertEquals(BOTH_FAIL, bed.verify(altered));
    // a second From added above the signed one (over-signed in h=, and refused outright by dkimpy)
    Path from = dir.resolve("from.eml");
    Files.writeString(from, text.replace("From: Alice", "From: Mallory <m@signer.example>\r\nFrom: Alice"),
        StandardCharsets.ISO_8859_1);
    assertEquals(BOTH_FAIL, DkimPeers.dkimpy(from, bed.dns.port(), dir).results());
  }

  static int count(String text, String what) {
    int n = 0;
    for (int i = text.indexOf(what); i >= 0; i = text.indexOf(what, i + 1)) {
      n++;
    }
    return n;
  }
}
