package io.postino.dkim;

import static io.postino.testing.SmtpTestClient.expect;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.postino.testing.AiosmtpdPeer;
import io.postino.testing.MimeParts;
import io.postino.testing.SmtpTestClient;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Mail Postino signs and converts on its way out is signed again over the converted octets: a
 * message with 8-bit content from an authenticated client, relayed to aiosmtpd, arrives 7-bit
 * (even at a host that offers 8BITMIME, so that no later hop converts it), decodes to the same
 * text, and both its signatures (RSA, Ed25519) verify with dkimpy and OpenDKIM.
 */
class DkimConversionInteropTest {

  static final byte[] MESSAGE = ("From: Alice <alice@signer.example>\r\n"
      + "To: Bob <bob@dest.test>\r\n"
      + "Subject: =?UTF-8?Q?d=C3=A9j=C3=A0?=\r\n"
      + "Date: Sat, 05 Dec 2026 10:00:00 +0000\r\n"
      + "Message-ID: <m8@signer.example>\r\n"
      + "MIME-Version: 1.0\r\n"
      + "Content-Type: text/plain; charset=UTF-8\r\n"
      + "Content-Transfer-Encoding: 8bit\r\n"
      + "\r\n"
      + "D\u00e9j\u00e0 vu, \u00e0 bient\u00f4t.\r\n"
      + "Une ligne tr\u00e8s longue: " + "\u00e9t\u00e9 ".repeat(300) + "\r\n").getBytes(StandardCharsets.UTF_8);

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
  void signedEightBitMailConvertedForA7BitHostStillVerifies() throws Exception {
    try (AiosmtpdPeer peer = new AiosmtpdPeer(dir, true)) {
      assertConvertedAndVerified(peer);
    }
  }

  @Test
  void signedEightBitMailIsConvertedEvenForAnEightBitHost() throws Exception {
    try (AiosmtpdPeer peer = new AiosmtpdPeer(dir, false)) {
      assertConvertedAndVerified(peer);
    }
  }

  private void assertConvertedAndVerified(AiosmtpdPeer peer) throws Exception {
    bed.server.dns().put("routes", new JsonObject().put("dest.test", "127.0.0.1:" + peer.port()));
    bed.server.start();
    try (SmtpTestClient c = bed.server.connect()) {
      expect(c.command("EHLO client.example"), 250);
      expect(c.command("AUTH PLAIN " + Base64.getEncoder().encodeToString("\0alice\0secret".getBytes(
          StandardCharsets.US_ASCII))), 235);
      expect(c.command("MAIL FROM:<alice@signer.example> BODY=8BITMIME"), 250);
      expect(c.command("RCPT TO:<bob@dest.test>"), 250);
      expect(c.command("DATA"), 354);
      String text = new String(MESSAGE, StandardCharsets.UTF_8);
      // the client's line ends the message's last line
      expect(c.command(text.substring(0, text.length() - 2) + "\r\n."), 250);
    }
    AiosmtpdPeer.Stored got = peer.next();
    byte[] content = got.content();
    MimeParts.assertSevenBitAndShort(content);
    MimeParts.assertSame(MESSAGE, content);
    String text = new String(content, StandardCharsets.US_ASCII);
    assertEquals(2, DkimSigningInteropTest.count(text, "DKIM-Signature:"), text);
    assertTrue(text.contains("Content-Transfer-Encoding: quoted-printable\r\n"), text);
    assertFalse(text.contains("Content-Transfer-Encoding: 8bit"), text);
    Path received = Files.write(dir.resolve("received.eml"), content);
    assertEquals(DkimSigningInteropTest.BOTH_PASS, bed.verify(received));
  }
}
