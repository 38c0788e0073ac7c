package io.postino.delivery;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.postino.bus.RecipientResult;
import io.postino.bus.RecipientResult.Outcome;
import io.postino.testing.ScriptedServer;
import java.io.IOException;
import java.net.SocketException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Destinations that answer with the wrong reply class, drop the connection after the final dot,
 * or stop reading: only a 2xx is a success, no failure carries a status of class 2 or 3, the
 * logs and results name the step that failed, and a connection given up on is reset so that
 * nothing still buffered reaches the server afterwards.
 */
class WrongRepliesTest extends DeliveryTestBase {

  private static final String EHLO = "250-peer.test Hello\r\n250 8BITMIME\r\n";

  /** A destination that takes everything up to the content: greeting, EHLO, MAIL, RCPT, DATA. */
  private static void acceptUpToTheContent(ScriptedServer.Peer p) throws IOException {
      p.send("220 peer.test\r\n");
      p.expect("EHLO");
      p.send(EHLO);
      p.expect("MAIL");
      p.send("250 2.1.0 Ok\r\n");
      p.expect("RCPT");
      p.send("250 2.1.5 Ok\r\n");
      p.expect("DATA");
      p.send("354 go ahead\r\n");
  }

  private void route(ScriptedServer peer, OutboundOptions options) {
    deploy(Map.of("dest.test", List.of("127.0.0.1:" + peer.port())), options);
  }

  @Test
  void a354ToTheFinalDotIsNoDelivery() throws Exception {
    try (ScriptedServer peer = new ScriptedServer(p -> {
      acceptUpToTheContent(p);
      p.data();
      p.send("354 3.0.0 go ahead again\r\n");
      p.line();
    })) {
      route(peer, fast());
      RecipientResult r = deliver(job("x\r\n", "bob@dest.test")).results().get(0);
      assertEquals(Outcome.TRANSIENT, r.outcome(), r.toString());
      assertEquals("4.5.0", r.status());
      assertEquals(354, r.code());
      peer.assertNoErrors();
    }
  }

  @Test
  void a3xxToRcptIsNoAcceptanceAndNoDataIsSent() throws Exception {
    try (ScriptedServer peer = new ScriptedServer(p -> {
      p.send("220 peer.test\r\n");
      p.expect("EHLO");
      p.send(EHLO);
      p.expect("MAIL");
      p.send("250 2.1.0 Ok\r\n");
      p.expect("RCPT");
      p.send("354 3.1.5 sure\r\n");
      p.expect("RCPT");
      p.send("250 2.1.5 Ok\r\n");
      p.expect("DATA");
      p.send("354 go ahead\r\n");
      p.data();
      p.send("250 2.0.0 queued\r\n");
      p.line();
    })) {
      route(peer, fast());
      List<RecipientResult> r = deliver(job("x\r\n", "bob@dest.test", "carol@dest.test")).results();
      assertEquals(Outcome.TRANSIENT, r.get(0).outcome(), r.toString());
      assertEquals("4.5.0", r.get(0).status());
      assertEquals(Outcome.DELIVERED, r.get(1).outcome(), r.toString());
      peer.assertNoErrors();
    }
  }

  @Test
  void aStatusOfAnotherClassThanTheReplyIsReplacedByTheClassDefault() throws Exception {
    try (ScriptedServer peer = new ScriptedServer(p -> {
      p.send("220 peer.test\r\n");
      p.expect("EHLO");
      p.send(EHLO);
      p.expect("MAIL");
      p.send("250 2.1.0 Ok\r\n");
      p.expect("RCPT");
      p.send("450 2.1.1 try later\r\n");
      p.expect("RCPT");
      p.send("550 3.1.1 no\r\n");
      p.line();
    })) {
      route(peer, fast());
      List<RecipientResult> r = deliver(job("x\r\n", "bob@dest.test", "carol@dest.test")).results();
      assertEquals(Outcome.TRANSIENT, r.get(0).outcome(), r.toString());
      assertEquals("4.0.0", r.get(0).status());
      assertEquals(Outcome.PERMANENT, r.get(1).outcome(), r.toString());
      assertEquals("5.0.0", r.get(1).status());
    }
  }

  @Test
  void aDropAfterTheFinalDotIsNamedSoNotAsAGreetingFailure() throws Exception {
    try (ScriptedServer peer = new ScriptedServer(p -> {
      acceptUpToTheContent(p);
      p.data();
      p.close();
    })) {
      route(peer, fast());
      RecipientResult r = deliver(job("x\r\n", "bob@dest.test")).results().get(0);
      assertEquals(Outcome.TRANSIENT, r.outcome(), r.toString());
      assertTrue(r.text().contains("end of data"), r.text());
      assertFalse(r.text().contains("greeting"), r.text());
      peer.assertNoErrors();
    }
  }

  @Test
  void aConnectionGivenUpOnIsResetSoItsFinalDotNeverArrives() throws Exception {
    CountDownLatch givenUp = new CountDownLatch(1);
    CountDownLatch read = new CountDownLatch(1);
    String[] received = {"not read"};
    try (ScriptedServer peer = new ScriptedServer(p -> {
      acceptUpToTheContent(p);
      // a tarpit: the content and its dot wait unread in the kernel until the client gave up
      givenUp.await(10, TimeUnit.SECONDS);
      try {
        received[0] = p.data();
      } catch (SocketException reset) {
        received[0] = null;
      } finally {
        read.countDown();
      }
    })) {
      route(peer, fast().setDataTimeout(Duration.ofSeconds(1)));
      // larger than the server's receive buffer: the tail and the dot wait in the client's kernel
      String content = ("0123456789".repeat(7) + "\r\n").repeat(8 * 1024);
      RecipientResult r = deliver(job(content, "bob@dest.test")).results().get(0);
      givenUp.countDown();
      assertEquals(Outcome.TRANSIENT, r.outcome(), r.toString());
      assertTrue(r.text().contains("timed out while waiting for the reply to end of data"), r.text());
      assertTrue(read.await(10, TimeUnit.SECONDS));
      assertNull(received[0], "the server read the whole message after the client gave up");
      peer.assertNoErrors();
    }
  }
}
