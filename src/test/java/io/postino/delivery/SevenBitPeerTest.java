package io.postino.delivery;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.postino.bus.RecipientResult;
import io.postino.bus.RecipientResult.Outcome;
import io.postino.smtp.MailParameters;
import io.postino.testing.MimeParts;
import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Delivery to a real strict 7-bit server: aiosmtpd (Debian {@code python3-aiosmtpd}, installed by
 * {@code .ci/run}) with {@code decode_data=True} and no SMTPUTF8 announces neither 8BITMIME nor
 * SMTPUTF8, refuses content with an 8-bit octet ({@code 500 Error: strict ASCII mode}) and a line
 * over 998 octets ({@code 500 Line too long}). What it took is stored for the test to decode.
 */
class SevenBitPeerTest extends DeliveryTestBase {

  private static final String PEER = """
      import asyncio, os, sys
      from aiosmtpd.smtp import SMTP
      out = sys.argv[1]
      class Store:
          def __init__(self):
              self.count = 0
          async def handle_DATA(self, server, session, envelope):
              self.count += 1
              path = os.path.join(out, 'message-%d' % self.count)
              with open(path, 'wb') as f:
                  f.write(envelope.original_content)
              print('STORED ' + path + ' ' + envelope.mail_from + ' ' + ' '.join(envelope.mail_options), flush=True)
              return '250 2.0.0 stored'
      async def main():
          loop = asyncio.get_running_loop()
          handler = Store()
          server = await loop.create_server(lambda: SMTP(handler, decode_data=True, enable_SMTPUTF8=False,
              hostname='strict.test'), '127.0.0.1', 0)
          print('PORT %d' % server.sockets[0].getsockname()[1], flush=True)
          await server.serve_forever()
      asyncio.run(main())
      """;

  private Process peer;
  private BufferedReader said;
  private Path stored;

  @BeforeEach
  void startPeer() throws IOException {
    Path script = dir.resolve("peer.py");
    Files.writeString(script, PEER);
    stored = Files.createDirectory(dir.resolve("stored"));
    try {
      peer = new ProcessBuilder("/usr/bin/python3", script.toString(), stored.toString())
          .redirectError(ProcessBuilder.Redirect.INHERIT).start();
    } catch (IOException e) {
      throw new AssertionError("python3 cannot run (Debian: apt-get install python3-aiosmtpd)", e);
    }
    said = new BufferedReader(new InputStreamReader(peer.getInputStream(), StandardCharsets.UTF_8));
    String first = said.readLine();
    assertTrue(first != null && first.startsWith("PORT "), "aiosmtpd did not start (Debian: apt-get install"
        + " python3-aiosmtpd): " + first);
    deploy(Map.of("dest.test", List.of("127.0.0.1:" + first.substring(5).trim())), fast());
  }

  @AfterEach
  void stopPeer() throws InterruptedException {
    peer.destroy();
    peer.waitFor(10, TimeUnit.SECONDS);
  }

  /** The next message the peer stored, and the MAIL parameters it got. */
  private String[] nextStored() throws IOException {
    String line = said.readLine();
    assertTrue(line != null && line.startsWith("STORED "), String.valueOf(line));
    return line.substring(7).split(" ", 3);
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
    assertTrue(message.length > ContentPreparation.SMALL, "converted through a file, not in memory");
    MailParameters eightBit = new MailParameters(-1, MailParameters.Body.EIGHT_BIT_MIME, false, null, null, null);

    RecipientResult r = deliver(job(eightBit, message, "bob@dest.test")).results().get(0);

    assertEquals(Outcome.DELIVERED, r.outcome(), r.toString());
    String[] got = nextStored();
    assertFalse(got.length > 2 && got[2].contains("BODY"), "no BODY=8BITMIME to a host without it: " + got[2]);
    byte[] content = Files.readAllBytes(Path.of(got[0]));
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
    byte[] content = Files.readAllBytes(Path.of(nextStored()[0]));
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
    String[] got = nextStored();
    assertFalse(got.length > 2 && got[2].contains("SMTPUTF8"), got[2]);
    assertEquals(new String(message, StandardCharsets.US_ASCII), Files.readString(Path.of(got[0])));
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
