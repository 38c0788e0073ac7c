package io.postino.delivery;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.postino.bus.DeliveryJob;
import io.postino.bus.RecipientResult;
import io.postino.bus.RecipientResult.Outcome;
import io.postino.smtp.MailAddress;
import io.postino.smtp.MailParameters;
import io.postino.smtp.RcptParameters;
import io.postino.testing.ScriptedServer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The SMTP client against scripted peers, for what real servers do not do on demand: replies
 * split oddly, refused EHLO, refused greetings, malformed replies, plaintext injected after
 * STARTTLS, connections that die while parked, and pipelining proven by a server that reads the
 * whole command group before answering.
 */
class ScriptedPeerTest extends DeliveryTestBase {

  private static final String EHLO = "250-peer.test Hello\r\n250-SIZE 100000\r\n250 8BITMIME\r\n";

  private void route(ScriptedServer... servers) {
    List<String> hosts = Arrays.stream(servers).map(s -> "127.0.0.1:" + s.port()).toList();
    deploy(Map.of("dest.test", hosts), fast());
  }

  @Test
  void multiLineRepliesArrivingByteByByte() throws Exception {
    try (ScriptedServer peer = new ScriptedServer(p -> {
      for (char c : "220-peer.test ESMTP\r\n220-more greeting\r\n220 ready\r\n".toCharArray()) {
        p.send(String.valueOf(c));
      }
      p.expect("EHLO postino.test");
      p.send("250-peer.test\r\n");
      p.send("250-SIZE");
      p.send(" 100000\r\n250 ");
      p.send("8BITMIME\r\n");
      p.transaction();
      p.expect("QUIT");
    })) {
      route(peer);
      RecipientResult r = deliver(job("Subject: x\r\n\r\nhi\r\n", "bob@dest.test")).results().get(0);
      assertEquals(Outcome.DELIVERED, r.outcome(), r.toString());
      assertEquals("2.0.0", r.status());
      assertEquals("Ok: queued", r.text());
      peer.assertNoErrors();
      assertTrue(peer.lines().contains("MAIL FROM:<alice@example.org> SIZE=" + "Subject: x\r\n\r\nhi\r\n".length()),
          peer.lines().toString());
    }
  }

  @Test
  void heloWhenEhloIsRefused() throws Exception {
    try (ScriptedServer peer = new ScriptedServer(p -> {
      p.send("220 old.test\r\n");
      p.expect("EHLO");
      p.send("502 5.5.1 what?\r\n");
      p.expect("HELO postino.test");
      p.send("250 old.test\r\n");
      p.transaction();
    })) {
      route(peer);
      assertEquals(Outcome.DELIVERED, deliver(job("x\r\n", "bob@dest.test")).results().get(0).outcome());
      peer.assertNoErrors();
      // no SIZE parameter for a server that announced nothing
      assertTrue(peer.lines().contains("MAIL FROM:<alice@example.org>"), peer.lines().toString());
    }
  }

  @Test
  void refusedGreetingMovesToTheNextHost() throws Exception {
    try (ScriptedServer busy = new ScriptedServer(p -> {
          p.send("421 4.3.2 busy, try later\r\n");
        });
        ScriptedServer good = new ScriptedServer(p -> {
          p.send("220 good.test\r\n");
          p.expect("EHLO");
          p.send(EHLO);
          p.transaction();
        })) {
      route(busy, good);
      RecipientResult r = deliver(job("x\r\n", "bob@dest.test")).results().get(0);
      assertEquals(Outcome.DELIVERED, r.outcome());
      assertEquals(1, busy.connections());
      good.assertNoErrors();
    }
  }

  @Test
  void aTemporaryRefusalOfMailMovesToTheNextHostAPermanentOneDoesNot() throws Exception {
    ScriptedServer.Script refuseMail = p -> {
      p.send("220 first.test\r\n");
      p.expect("EHLO");
      p.send(EHLO);
      p.expect("MAIL");
      p.send("451 4.3.0 not now\r\n");
      p.line();
    };
    try (ScriptedServer first = new ScriptedServer(refuseMail);
        ScriptedServer second = new ScriptedServer(p -> {
          p.send("220 second.test\r\n");
          p.expect("EHLO");
          p.send(EHLO);
          p.expect("MAIL");
          p.send("550 5.7.1 sender refused\r\n");
          p.line();
        });
        ScriptedServer third = new ScriptedServer(p -> {
          throw new AssertionError("a host after a permanent answer");
        })) {
      route(first, second, third);
      RecipientResult r = deliver(job("x\r\n", "bob@dest.test")).results().get(0);
      assertEquals(Outcome.PERMANENT, r.outcome());
      assertEquals("sender refused", r.text());
      assertEquals(1, first.connections());
      assertEquals(0, third.connections());
      third.assertNoErrors();
    }
  }

  @Test
  void permanentGreetingRefusalEverywhereIsPermanent() throws Exception {
    try (ScriptedServer closed = new ScriptedServer(p -> p.send("554 5.7.1 no mail here\r\n"))) {
      route(closed);
      RecipientResult r = deliver(job("x\r\n", "bob@dest.test")).results().get(0);
      assertEquals(Outcome.PERMANENT, r.outcome());
      assertEquals(554, r.code());
      assertEquals("5.7.1", r.status());
      assertTrue(r.remote());
    }
  }

  @Test
  void aMalformedReplyIsATemporaryFailure() throws Exception {
    try (ScriptedServer peer = new ScriptedServer(p -> {
      p.send("220 peer.test\r\n");
      p.expect("EHLO");
      p.send(EHLO);
      p.expect("MAIL");
      p.send("hello, I am not SMTP\r\n");
      p.line();
    })) {
      route(peer);
      RecipientResult r = deliver(job("x\r\n", "bob@dest.test")).results().get(0);
      assertEquals(Outcome.TRANSIENT, r.outcome());
      assertEquals("4.5.0", r.status());
      assertFalse(r.remote());
      assertTrue(r.text().contains("malformed reply"), r.text());
    }
  }

  @Test
  void plaintextInjectedAfterStarttlsEndsTheSession() throws Exception {
    try (ScriptedServer peer = new ScriptedServer(p -> {
      p.send("220 peer.test\r\n");
      p.expect("EHLO");
      p.send("250-peer.test\r\n250 STARTTLS\r\n");
      p.expect("STARTTLS");
      // a man in the middle appends a reply of his own to the plaintext 220
      p.send("220 2.0.0 go ahead\r\n250 2.1.0 injected\r\n");
      p.line();
    })) {
      route(peer);
      RecipientResult r = deliver(job("x\r\n", "bob@dest.test")).results().get(0);
      assertEquals(Outcome.TRANSIENT, r.outcome());
      assertEquals("4.7.0", r.status());
      assertTrue(r.text().contains("plaintext after its reply to STARTTLS"), r.text());
      assertFalse(peer.lines().stream().anyMatch(l -> l.startsWith("MAIL")), peer.lines().toString());
    }
  }

  @Test
  void eightBitContentToAHostWithout8bitmimeIsConvertedAndAnnouncedWithItsNewSize() throws Exception {
    // completed by the peer's thread after its 250, which the delivery may see first
    CompletableFuture<String> content = new CompletableFuture<>();
    try (ScriptedServer peer = new ScriptedServer(p -> {
      p.send("220 peer.test\r\n");
      p.expect("EHLO");
      p.send("250-peer.test\r\n250 SIZE\r\n");
      content.complete(p.transaction());
      p.line();
    })) {
      route(peer);
      MailParameters eightBit = new MailParameters(-1, MailParameters.Body.EIGHT_BIT_MIME, false, null, null, null);
      byte[] body = "Subject: caf\u00e9\r\n\r\nd\u00e9j\u00e0 vu\r\n".getBytes(StandardCharsets.UTF_8);
      RecipientResult r = deliver(job(eightBit, body, "bob@dest.test")).results().get(0);
      assertEquals(Outcome.DELIVERED, r.outcome(), r.toString());
      peer.assertNoErrors();
      String converted = "Subject: caf\u00e9\r\nMIME-Version: 1.0\r\nContent-Transfer-Encoding: quoted-printable\r\n"
          + "\r\nd=C3=A9j=C3=A0 vu\r\n";
      assertEquals(converted, content.get(10, TimeUnit.SECONDS));
      assertTrue(peer.lines().contains("MAIL FROM:<alice@example.org> SIZE="
          + converted.getBytes(StandardCharsets.UTF_8).length), "the size sent, no BODY: " + peer.lines());
    }
  }

  @Test
  void internationalizedAddressesNeedSmtpUtf8() throws Exception {
    try (ScriptedServer peer = new ScriptedServer(p -> {
      p.send("220 peer.test\r\n");
      p.expect("EHLO");
      p.send(EHLO);
      p.line();
    })) {
      route(peer);
      RecipientResult r = deliver(job("x\r\n", "jos\u00e9@dest.test")).results().get(0);
      assertEquals(Outcome.PERMANENT, r.outcome());
      assertEquals("5.6.7", r.status());
      assertFalse(peer.lines().stream().anyMatch(l -> l.startsWith("MAIL")), peer.lines().toString());
    }
  }

  @Test
  void authLoginWhenPlainIsNotOffered() throws Exception {
    try (ScriptedServer peer = new ScriptedServer(p -> {
      p.send("220 relay.test\r\n");
      p.expect("EHLO");
      p.send("250-relay.test\r\n250 AUTH LOGIN\r\n");
      p.expect("AUTH LOGIN");
      p.send("334 VXNlcm5hbWU6\r\n");
      p.expect("cG9zdGlubw==");
      p.send("334 UGFzc3dvcmQ6\r\n");
      p.expect("czNjcmV0");
      p.send("235 2.7.0 Authentication successful\r\n");
      p.transaction();
    })) {
      deploy(Map.of("dest.test", List.of("127.0.0.1:" + peer.port())), fast().setAuthRequiresTls(false)
          .setAuth(Map.of("127.0.0.1", new OutboundOptions.Credentials("postino", "s3cret"))));
      assertEquals(Outcome.DELIVERED, deliver(job("x\r\n", "bob@dest.test")).results().get(0).outcome());
      peer.assertNoErrors();
    }
  }

  @Test
  void noPasswordWithoutTls() throws Exception {
    try (ScriptedServer peer = new ScriptedServer(p -> {
      p.send("220 relay.test\r\n");
      p.expect("EHLO");
      p.send("250-relay.test\r\n250 AUTH PLAIN LOGIN\r\n");
      p.line();
    })) {
      deploy(Map.of("dest.test", List.of("127.0.0.1:" + peer.port())),
          fast().setAuth(Map.of("127.0.0.1", new OutboundOptions.Credentials("postino", "s3cret"))));
      RecipientResult r = deliver(job("x\r\n", "bob@dest.test")).results().get(0);
      assertEquals(Outcome.TRANSIENT, r.outcome());
      assertEquals("4.7.0", r.status());
      assertFalse(peer.lines().stream().anyMatch(l -> l.startsWith("AUTH")), peer.lines().toString());
    }
  }

  @Test
  void binaryMimeGoesAsOneBdatChunkUnchanged() throws Exception {
    byte[] content = "Subject: bin\r\n\r\n\u0000\r.\n\u00ff\r\n.\r\n".getBytes(StandardCharsets.ISO_8859_1);
    byte[][] got = new byte[1][];
    try (ScriptedServer peer = new ScriptedServer(p -> {
      p.send("220 peer.test\r\n");
      p.expect("EHLO");
      p.send("250-peer.test\r\n250-CHUNKING\r\n250 BINARYMIME\r\n");
      p.expect("MAIL FROM:<alice@example.org> BODY=BINARYMIME");
      p.send("250 ok\r\n");
      p.expect("RCPT");
      p.send("250 ok\r\n");
      p.expect("BDAT " + content.length + " LAST");
      got[0] = p.bytes(content.length);
      p.send("250 2.0.0 got it\r\n");
      p.line();
    })) {
      route(peer);
      MailParameters binary = new MailParameters(-1, MailParameters.Body.BINARY_MIME, false, null, null, null);
      RecipientResult r = deliver(job(binary, content, "bob@dest.test")).results().get(0);
      assertEquals(Outcome.DELIVERED, r.outcome(), r.toString());
      peer.assertNoErrors();
      assertEquals(new String(content, StandardCharsets.ISO_8859_1), new String(got[0], StandardCharsets.ISO_8859_1));
    }
  }

  @Test
  void binaryMimeToAHostWithoutChunkingIsPermanent() throws Exception {
    try (ScriptedServer peer = new ScriptedServer(p -> {
      p.send("220 peer.test\r\n");
      p.expect("EHLO");
      p.send(EHLO);
      p.line();
    })) {
      route(peer);
      MailParameters binary = new MailParameters(-1, MailParameters.Body.BINARY_MIME, false, null, null, null);
      RecipientResult r = deliver(job(binary, new byte[] {0, 1, 2}, "bob@dest.test")).results().get(0);
      assertEquals(Outcome.PERMANENT, r.outcome());
      assertEquals("5.6.3", r.status());
    }
  }

  @Test
  void commandsArePipelinedAndDsnParametersPassedOn() throws Exception {
    try (ScriptedServer peer = new ScriptedServer(p -> {
      p.send("220 peer.test\r\n");
      p.expect("EHLO");
      p.send("250-peer.test\r\n250-PIPELINING\r\n250-DSN\r\n250 SIZE 0\r\n");
      // the whole group is read before any reply: a client that waited would deadlock here
      p.expect("MAIL FROM:<alice@example.org> SIZE=3 RET=HDRS ENVID=id+2B1");
      p.expect("RCPT TO:<bob@dest.test> NOTIFY=FAILURE,DELAY ORCPT=rfc822;bob+2Bx@dest.test");
      p.expect("RCPT TO:<eve@dest.test>");
      p.expect("DATA");
      p.send("250 ok\r\n250 ok\r\n550 5.1.1 no eve\r\n354 go\r\n");
      p.data();
      p.send("250 2.0.0 queued\r\n");
    })) {
      route(peer);
      MailParameters dsn = new MailParameters(-1, MailParameters.Body.SEVEN_BIT, false, null, MailParameters.Ret.HDRS,
          "id+1");
      DeliveryJob plain = job(dsn, "x\r\n".getBytes(StandardCharsets.US_ASCII), "bob@dest.test", "eve@dest.test");
      DeliveryJob withNotify = new DeliveryJob(plain.queueId(), plain.domain(), plain.sender(), dsn, List.of(
          new DeliveryJob.Recipient(new MailAddress("bob", "dest.test"), new RcptParameters(
              EnumSet.of(RcptParameters.Notify.FAILURE, RcptParameters.Notify.DELAY), "rfc822;bob+x@dest.test")),
          plain.recipients().get(1)), plain.content());
      List<RecipientResult> results = deliver(withNotify).results();
      peer.assertNoErrors();
      assertEquals(Outcome.DELIVERED, results.get(0).outcome());
      assertEquals(Outcome.PERMANENT, results.get(1).outcome());
      assertEquals("no eve", results.get(1).text());
    }
  }

  @Test
  void aParkedConnectionThatDiedIsReplacedUnnoticed() throws Exception {
    try (ScriptedServer peer = new ScriptedServer(p -> {
          p.send("220 peer.test\r\n");
          p.expect("EHLO");
          p.send(EHLO);
          p.transaction();
          // hangs up without a word while the client keeps the session for the next message
          p.close();
        }, p -> {
          p.send("220 peer.test\r\n");
          p.expect("EHLO");
          p.send(EHLO);
          p.transaction();
        })) {
      route(peer);
      assertEquals(Outcome.DELIVERED, deliver(job("one\r\n", "bob@dest.test")).results().get(0).outcome());
      assertEquals(Outcome.DELIVERED, deliver(job("two\r\n", "bob@dest.test")).results().get(0).outcome());
      assertEquals(2, peer.connections());
      peer.assertNoErrors();
    }
  }

  @Test
  void anUnaskedReplyToAParkedConnectionRetiresIt() throws Exception {
    CountDownLatch said = new CountDownLatch(1);
    try (ScriptedServer peer = new ScriptedServer(p -> {
          p.send("220 peer.test\r\n");
          p.expect("EHLO");
          p.send(EHLO);
          p.transaction();
          p.send("421 4.4.2 idle too long\r\n");
          said.countDown();
          p.line();
        }, p -> {
          p.send("220 peer.test\r\n");
          p.expect("EHLO");
          p.send(EHLO);
          p.transaction();
        })) {
      route(peer);
      assertEquals(Outcome.DELIVERED, deliver(job("one\r\n", "bob@dest.test")).results().get(0).outcome());
      assertTrue(said.await(10, TimeUnit.SECONDS));
      assertEquals(Outcome.DELIVERED, deliver(job("two\r\n", "bob@dest.test")).results().get(0).outcome());
      // whether the 421 was seen while parked or arrived as the "reply" to RSET, the session was
      // dropped and the message went over a new one
      assertEquals(2, peer.connections());
      peer.assertNoErrors();
    }
  }
}
