package io.postino.delivery;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.postino.bus.RecipientResult;
import io.postino.bus.RecipientResult.Outcome;
import io.postino.smtp.MailParameters;
import io.postino.testing.AiosmtpdPeer;
import io.postino.testing.MimeParts;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Delivery to a real strict 7-bit server ({@link AiosmtpdPeer}: aiosmtpd announcing neither
 * 8BITMIME nor SMTPUTF8, refusing 8-bit octets and lines over 998 octets). What it took is decoded
 * with Mime4j and compared with what was sent.
 */
class SevenBitPeerTest extends DeliveryTestBase {

  private AiosmtpdPeer peer;

  @BeforeEach
  void startPeer() throws IOException {
    peer = new AiosmtpdPeer(dir, true);
    deploy(Map.of("dest.test", List.of("127.0.0.1:" + peer.port())), fast());
  }

  @AfterEach
  void stopPeer() throws InterruptedException {
    peer.close();
  }

  @Test
  void eightBitMessageIsConvertedAndTheStrictServerTakesIt() throws Exception {
    byte[] attachment = new byte[150_000];
    for (int i = 0; i < attachment.length; i++) {
      attachment[i] = (byte) (i * 31 + (i >> 8));
    }
    ByteArrayOutputStream m = new ByteArrayOutputStream();
    m.writeBytes(text("""
        From: Ana <ana@example.org>
        To: bob@dest.test
        Subject: =?UTF-8?Q?r=C3=A9sum=C3=A9?=
        MIME-Version: 1.0
        Content-Type: multipart/mixed; boundary="mixed"

        --mixed
        Content-Type: multipart/alternative; boundary="alt"

        --alt
        Content-Type: text/plain; charset=UTF-8
        Content-Transfer-Encoding: 8bit

        Voil\u00e0 mon r\u00e9sum\u00e9, \u00e0 bient\u00f4t.
        --alt
        Content-Type: text/html; charset=UTF-8

        <p>Voil\u00e0 mon r\u00e9sum\u00e9</p>
        --alt--

        --mixed
        Content-Type: message/rfc822

        From: carol@example.com
        Subject: forwarded
        Content-Type: text/plain; charset=UTF-8
        Content-Transfer-Encoding: 8bit

        Gr\u00fc\u00dfe
        --mixed
        Content-Type: application/octet-stream; name="data.bin"
        Content-Transfer-Encoding: binary

        """));
    m.writeBytes(attachment);
    m.writeBytes(text("\n--mixed--\n"));
    byte[] message = m.toByteArray();
    assertTrue(message.length > ContentPreparation.HELD, "converted through a file, not in memory");
    MailParameters eightBit = new MailParameters(-1, MailParameters.Body.EIGHT_BIT_MIME, false, null, null, null);

    RecipientResult r = deliver(job(eightBit, message, "bob@dest.test")).results().get(0);

    assertEquals(Outcome.DELIVERED, r.outcome(), r.toString());
    AiosmtpdPeer.Stored got = peer.next();
    assertFalse(got.mailOptions().contains("BODY"), "no BODY=8BITMIME to a host without it: " + got.mailOptions());
    byte[] content = got.content();
    MimeParts.assertSevenBitAndShort(content);
    MimeParts.assertSame(message, content);
    try (Stream<Path> left = Files.walk(dir)) {
      assertEquals(List.of(), left.filter(p -> p.toString().endsWith(".7bit")).toList(), "converted copy deleted");
    }
  }

  @Test
  void longLinesAreReencodedRatherThanRefused() throws Exception {
    byte[] message = text("From: ana@example.org\nTo: bob@dest.test\nSubject: " + "long ".repeat(250)
        + "\n\n" + "A line the RFC forbids: " + "0123456789".repeat(150) + "\nand a short one.\n");

    RecipientResult r = deliver(job(MailParameters.NONE, message, "bob@dest.test")).results().get(0);

    assertEquals(Outcome.DELIVERED, r.outcome(), r.toString());
    byte[] content = peer.next().content();
    MimeParts.assertSevenBitAndShort(content);
    MimeParts.assertSame(message, content);
    String text = new String(content, StandardCharsets.US_ASCII);
    assertTrue(text.contains("\r\nContent-Transfer-Encoding: quoted-printable\r\n"), text);
    assertEquals("Subject: " + "long ".repeat(250), header(text, "Subject").replace("\r\n", ""));
  }

  @Test
  void messageSignedElsewhereGoesAsItIsAndTheRefusalSaysWhy() throws Exception {
    byte[] message = text("""
        Received: from relay.example.org by postino.test
        DKIM-Signature: v=1; a=rsa-sha256; d=example.org; s=sel; c=relaxed/simple; h=from:subject;
         bh=AAAA; b=BBBB
        From: ana@example.org
        Subject: sign\u00e9
        MIME-Version: 1.0
        Content-Type: text/plain; charset=UTF-8
        Content-Transfer-Encoding: 8bit

        Ce message est sign\u00e9.
        """);
    MailParameters eightBit = new MailParameters(-1, MailParameters.Body.EIGHT_BIT_MIME, false, null, null, null);

    RecipientResult r = deliver(job(eightBit, message, "bob@dest.test")).results().get(0);

    assertEquals(Outcome.PERMANENT, r.outcome(), r.toString());
    assertTrue(r.remote());
    assertTrue(r.text().startsWith("Error: strict ASCII mode"), r.text());
    assertTrue(r.text().contains("not converted to 7 bits because that would break its DKIM signature"), r.text());
  }

  @Test
  void smtpUtf8HeadersCannotGoToAHostWithoutIt() throws Exception {
    MailParameters utf8 = new MailParameters(-1, MailParameters.Body.EIGHT_BIT_MIME, true, null, null, null);
    byte[] message = text("From: ana@example.org\nSubject: r\u00e9sum\u00e9\n\nhello\n");

    RecipientResult r = deliver(job(utf8, message, "bob@dest.test")).results().get(0);

    assertEquals(Outcome.PERMANENT, r.outcome(), r.toString());
    assertEquals(553, r.code());
    assertEquals("5.6.7", r.status());
    assertFalse(r.remote());
  }

  @Test
  void smtpUtf8MessageThatIsAllAsciiGoesWithoutIt() throws Exception {
    MailParameters utf8 = new MailParameters(-1, MailParameters.Body.EIGHT_BIT_MIME, true, null, null, null);
    byte[] message = text("From: ana@example.org\nSubject: plain\n\nhello\n");

    RecipientResult r = deliver(job(utf8, message, "bob@dest.test")).results().get(0);

    assertEquals(Outcome.DELIVERED, r.outcome(), r.toString());
    AiosmtpdPeer.Stored got = peer.next();
    assertFalse(got.mailOptions().contains("SMTPUTF8"), got.mailOptions());
    assertEquals(new String(message, StandardCharsets.US_ASCII), new String(got.content(), StandardCharsets.US_ASCII));
  }

  private static byte[] text(String s) {
    return s.replace("\n", "\r\n").getBytes(StandardCharsets.UTF_8);
  }

  private static String header(String message, String name) {
    int start = message.indexOf(name + ":");
    int end = start;
    do {
      end = message.indexOf("\r\n", end) + 2;
    } while (message.charAt(end) == ' ' || message.charAt(end) == '\t');
    return message.substring(start, end - 2);
  }
}
