package io.postino.delivery;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.postino.bus.Addresses;
import io.postino.bus.DeliveryJob;
import io.postino.bus.DeliveryReply;
import io.postino.bus.RecipientResult;
import io.postino.bus.RecipientResult.Outcome;
import io.postino.smtp.MailAddress;
import io.postino.smtp.MailParameters;
import io.postino.smtp.RcptParameters;
import io.postino.testing.SmtpSink;
import io.postino.testing.TestCertificate;
import io.postino.testing.TestServer;
import io.vertx.core.Future;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The delivery verticle on its own, over real sockets: jobs sent on the event bus, routes from a
 * static table or a test DNS server, destinations that are real SMTP servers (SubEthaSMTP) or
 * scripted ones for what no real server does.
 */
class DeliveryVerticleTest extends DeliveryTestBase {

  @Test
  void deliversTheContentExactlyToEveryRecipient() throws Exception {
    sink = new SmtpSink().start();
    deploy(Map.of("dest.test", List.of("127.0.0.1:" + sink.port())), fast());
    String content = "Subject: dots\r\n\r\n.leading dot\r\n..two\r\n.\r\nend \u00e9\r\n";

    DeliveryReply reply = deliver(job(content, "bob@dest.test", "carol@dest.test"));

    assertEquals(List.of(Outcome.DELIVERED, Outcome.DELIVERED), reply.results().stream().map(RecipientResult::outcome).toList());
    RecipientResult r = reply.results().get(0);
    assertEquals(250, r.code());
    assertEquals("127.0.0.1", r.mx());
    assertTrue(r.remote());
    SmtpSink.Received got = sink.next();
    assertEquals("alice@example.org", got.from());
    assertEquals(List.of("bob@dest.test", "carol@dest.test"), got.recipients());
    assertArrayEquals(content.getBytes(StandardCharsets.UTF_8), got.data());
  }

  @Test
  void oneRecipientRefusedTheOtherDelivered() throws Exception {
    sink = new SmtpSink().refuse("bad@dest.test", 550).refuse("later@dest.test", 450).start();
    deploy(Map.of("dest.test", List.of("127.0.0.1:" + sink.port())), fast());

    DeliveryReply reply = deliver(job("Subject: x\r\n\r\nx\r\n", "bad@dest.test", "good@dest.test", "later@dest.test"));

    RecipientResult bad = reply.results().get(0);
    assertEquals(Outcome.PERMANENT, bad.outcome());
    assertEquals(550, bad.code());
    assertEquals("5.1.1", bad.status());
    assertTrue(bad.text().contains("refused by the test"), bad.text());
    assertEquals(Outcome.DELIVERED, reply.results().get(1).outcome());
    assertEquals(Outcome.TRANSIENT, reply.results().get(2).outcome());
    assertEquals(List.of("good@dest.test"), sink.next().recipients());
  }

  @Test
  void deadPrimaryThenSecondary() throws Exception {
    sink = new SmtpSink().start();
    deploy(Map.of("dest.test", List.of("127.0.0.1:" + deadPort(), "127.0.0.1:" + sink.port())), fast());

    DeliveryReply reply = deliver(job("Subject: x\r\n\r\nx\r\n", "bob@dest.test"));

    assertEquals(Outcome.DELIVERED, reply.results().get(0).outcome());
    assertEquals(List.of("bob@dest.test"), sink.next().recipients());
  }

  @Test
  void everyHostDeadIsTransient() throws Exception {
    deploy(Map.of("dest.test", List.of("127.0.0.1:" + deadPort())), fast());

    RecipientResult r = deliver(job("x\r\n", "bob@dest.test")).results().get(0);

    assertEquals(Outcome.TRANSIENT, r.outcome());
    assertEquals("4.4.1", r.status());
    assertFalse(r.remote());
    assertTrue(r.text().contains("connect to"), r.text());
  }

  @Test
  void nullMxIsPermanentWithoutAnyConnection() throws Exception {
    deploy(Map.of(), fast());
    dns.zone("nullmx.test. 300 IN MX 0 .");

    RecipientResult r = deliver(job("x\r\n", "bob@nullmx.test")).results().get(0);

    assertEquals(Outcome.PERMANENT, r.outcome());
    assertEquals(556, r.code());
    assertEquals("5.1.10", r.status());
    assertNull(r.mx());
  }

  @Test
  void mxRecordsAreTriedInOrder() throws Exception {
    sink = new SmtpSink().start();
    // both MX hosts on the sink's port: the preferred one on 127.0.0.2, where nothing listens
    dns.zone("mx.test. 300 IN MX 10 primary.mx.test.", "mx.test. 300 IN MX 20 backup.mx.test.",
        "primary.mx.test. 300 IN A 127.0.0.2", "backup.mx.test. 300 IN A 127.0.0.1");
    deploy(mx().setSmtpPort(sink.port()), fast());

    RecipientResult r = deliver(job("x\r\n", "bob@mx.test")).results().get(0);

    assertEquals(Outcome.DELIVERED, r.outcome());
    assertEquals("backup.mx.test", r.mx());
    assertEquals(1, dns.count("primary.mx.test", "A"));
  }

  @Test
  void connectionIsReusedForTheNextJob() throws Exception {
    sink = new SmtpSink().start();
    deploy(Map.of("dest.test", List.of("127.0.0.1:" + sink.port())), fast());

    for (int i = 0; i < 3; i++) {
      assertEquals(Outcome.DELIVERED, deliver(job("n " + i + "\r\n", "bob@dest.test")).results().get(0).outcome());
    }

    assertEquals(3, sink.transactions());
    assertEquals(1, sink.sessions());
  }

  @Test
  void messagesPerConnectionAreLimited() throws Exception {
    sink = new SmtpSink().start();
    deploy(Map.of("dest.test", List.of("127.0.0.1:" + sink.port())), fast().setMaxMessagesPerConnection(2));

    for (int i = 0; i < 5; i++) {
      assertEquals(Outcome.DELIVERED, deliver(job("n " + i + "\r\n", "bob@dest.test")).results().get(0).outcome());
    }

    assertEquals(3, sink.sessions());
  }

  @Test
  void connectionsPerHostAreLimited() throws Exception {
    assertConcurrency(fast().setMaxConnectionsPerHost(2), 2);
  }

  @Test
  void deliveriesPerDomainAreLimited() throws Exception {
    assertConcurrency(fast().setMaxConnectionsPerDomain(1), 1);
  }

  @Test
  void connectionsInTotalAreLimited() throws Exception {
    assertConcurrency(fast().setMaxConnections(3), 3);
  }

  /** Six jobs at once to one host that holds every reply: no more than {@code limit} get there. */
  private void assertConcurrency(OutboundOptions options, int limit) throws Exception {
    sink = new SmtpSink().start();
    deploy(Map.of("dest.test", List.of("127.0.0.1:" + sink.port())), options);
    sink.hold(recipients -> true);
    List<Future<Message<JsonObject>>> replies = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      replies.add(vertx.eventBus().request(Addresses.DEFAULT.deliverySubmit(), job("n" + i + "\r\n", "r" + i + "@dest.test").toJson()));
    }
    TestServer.await(limit + " held", () -> sink.held() == limit);
    sink.release();
    for (var reply : replies) {
      assertEquals(Outcome.DELIVERED, DeliveryReply.fromJson(reply.await().body()).results().get(0).outcome());
    }
    assertEquals(limit, sink.maxHeld());
    assertTrue(sink.sessions() <= limit, "sessions " + sink.sessions());
  }

  @Test
  void tooBigForTheHostIsPermanentAndNothingIsSent() throws Exception {
    sink = new SmtpSink().startSmall(1000);
    deploy(Map.of("dest.test", List.of("127.0.0.1:" + sink.port())), fast());

    RecipientResult r = deliver(job("x".repeat(2000) + "\r\n", "bob@dest.test")).results().get(0);

    assertEquals(Outcome.PERMANENT, r.outcome());
    assertEquals("5.3.4", r.status());
    assertEquals(0, sink.transactions());
  }

  @Test
  void jobPastItsDeadlineDeliversNothingAndIsTransient() throws Exception {
    sink = new SmtpSink().start();
    deploy(Map.of("dest.test", List.of("127.0.0.1:" + sink.port())), fast());

    JsonObject body = vertx.eventBus().<JsonObject>request(Addresses.DEFAULT.deliverySubmit(),
        job("Subject: late\r\n\r\nx\r\n", "bob@dest.test", "carol@dest.test").toJson(),
        new DeliveryOptions().setSendTimeout(20_000)
            .addHeader(DeliveryJob.DEADLINE_HEADER, Long.toString(System.currentTimeMillis() - 1))).await().body();
    DeliveryReply reply = DeliveryReply.fromJson(body);

    assertEquals(2, reply.results().size());
    for (RecipientResult r : reply.results()) {
      assertEquals(Outcome.TRANSIENT, r.outcome());
      assertEquals("4.4.7", r.status());
      assertTrue(r.text().contains("deadline"), r.text());
    }
    assertEquals(0, sink.sessions());
    assertEquals(0, sink.transactions());
    // a job within its deadline still goes through
    DeliveryReply ok = vertx.eventBus().<JsonObject>request(Addresses.DEFAULT.deliverySubmit(),
        job("Subject: on time\r\n\r\nx\r\n", "bob@dest.test").toJson(),
        new DeliveryOptions().setSendTimeout(20_000)
            .addHeader(DeliveryJob.DEADLINE_HEADER, Long.toString(System.currentTimeMillis() + 20_000)))
        .map(m -> DeliveryReply.fromJson(m.body())).await();
    assertEquals(Outcome.DELIVERED, ok.results().get(0).outcome());
    assertEquals(1, sink.transactions());
  }

  @Test
  void jobThatIsNotAJobIsRefused() throws Exception {
    deploy(Map.of(), fast());
    CompletionException e = org.junit.jupiter.api.Assertions.assertThrows(CompletionException.class, () ->
        vertx.eventBus().request(Addresses.DEFAULT.deliverySubmit(), new JsonObject().put("version", 99))
            .toCompletionStage().toCompletableFuture().orTimeout(10, TimeUnit.SECONDS).join());
    assertEquals(400, ((ReplyException) e.getCause()).failureCode());
  }

  @Test
  void contentOutsideTheSpoolIsRefused() throws Exception {
    deploy(Map.of(), fast());
    DeliveryJob job = new DeliveryJob("Q1", "dest.test", MailAddress.NULL_SENDER, MailParameters.NONE,
        List.of(new DeliveryJob.Recipient(address("bob@dest.test"), RcptParameters.NONE)),
        new DeliveryJob.Content(dir.resolve("../../etc/passwd").toString(), 0, 10));
    CompletionException e = org.junit.jupiter.api.Assertions.assertThrows(CompletionException.class, () ->
        vertx.eventBus().request(Addresses.DEFAULT.deliverySubmit(), job.toJson())
            .toCompletionStage().toCompletableFuture().orTimeout(10, TimeUnit.SECONDS).join());
    assertEquals(400, ((ReplyException) e.getCause()).failureCode());
  }

  @Test
  void contentInTheJobIsSentAsItIs() throws Exception {
    sink = new SmtpSink().start();
    deploy(Map.of("dest.test", List.of("127.0.0.1:" + sink.port())), fast());
    byte[] content = "Subject: inline\r\n\r\ncarried in the job\r\n".getBytes(StandardCharsets.US_ASCII);
    DeliveryJob job = job("unused\r\n", "bob@dest.test").withContent(DeliveryJob.Content.inline(
        io.vertx.core.buffer.Buffer.buffer(content)));

    DeliveryReply reply = deliver(job);

    assertEquals(Outcome.DELIVERED, reply.results().get(0).outcome());
    assertArrayEquals(content, sink.next().data());
  }

  @Test
  void contentOfANodeThatDoesNotServeItIsATransientFailure() throws Exception {
    sink = new SmtpSink().start();
    deploy(Map.of("dest.test", List.of("127.0.0.1:" + sink.port())), fast());
    DeliveryJob job = job("Subject: x\r\n\r\nx\r\n", "bob@dest.test")
        .withContent(DeliveryJob.Content.onNode("gone-node", "/var/spool/elsewhere/Q1", 0, 10));

    RecipientResult result = deliver(job).results().get(0);

    assertEquals(Outcome.TRANSIENT, result.outcome());
    assertEquals("4.3.0", result.status());
    assertTrue(result.text().startsWith("cannot read message content from node gone-node"), result.text());
    assertEquals(0, sink.sessions());
  }

  @Test
  void aFileOfANodeOfThisProcessIsReadOnlyUnderTheSpool() throws Exception {
    deploy(Map.of(), fast());
    vertx.sharedData().<String, Boolean>getLocalMap(io.postino.bus.SpoolRead.LOCAL_NODES).put("here", true);
    DeliveryJob job = new DeliveryJob("Q1", "dest.test", MailAddress.NULL_SENDER, MailParameters.NONE,
        List.of(new DeliveryJob.Recipient(address("bob@dest.test"), RcptParameters.NONE)),
        DeliveryJob.Content.onNode("here", dir.resolve("../../etc/passwd").toString(), 0, 10));
    CompletionException e = org.junit.jupiter.api.Assertions.assertThrows(CompletionException.class, () ->
        vertx.eventBus().request(Addresses.DEFAULT.deliverySubmit(), job.toJson())
            .toCompletionStage().toCompletableFuture().orTimeout(10, TimeUnit.SECONDS).join());
    assertEquals(400, ((ReplyException) e.getCause()).failureCode());
  }

  @Test
  void requiredTlsWithVerificationAndAuthAgainstARealServer() throws Exception {
    TestCertificate cert = TestCertificate.create("relay.test", dir);
    sink = new SmtpSink().startWithTlsAndAuth(cert, "postino", "s3cret");
    OutboundOptions options = fast()
        .setRequireTlsDomains(List.of("dest.test"))
        .setTrustedCertificates(List.of(cert.pemFile.toString()))
        .setAuth(Map.of("relay.test", new OutboundOptions.Credentials("postino", "s3cret")));
    deploy(Map.of("*", List.of("relay.test:" + sink.port())), options);
    dns.zone("relay.test. 300 IN A 127.0.0.1");

    DeliveryReply reply = deliver(job("Subject: over TLS\r\n\r\nsecret\r\n", "bob@dest.test"));

    assertEquals(Outcome.DELIVERED, reply.results().get(0).outcome(), reply.toString());
    SmtpSink.Received got = sink.next();
    assertTrue(got.tls());
    assertEquals("postino", got.identity());
  }

  @Test
  void requiredTlsWithAnUntrustedCertificateWaits() throws Exception {
    TestCertificate cert = TestCertificate.create("relay.test", dir);
    sink = new SmtpSink().startWithTlsAndAuth(cert, "postino", "s3cret");
    deploy(Map.of("*", List.of("relay.test:" + sink.port())), fast().setRequireTlsDomains(List.of("dest.test")));
    dns.zone("relay.test. 300 IN A 127.0.0.1");

    RecipientResult r = deliver(job("x\r\n", "bob@dest.test")).results().get(0);

    assertEquals(Outcome.TRANSIENT, r.outcome());
    assertEquals("4.7.5", r.status(), r.text());
    assertEquals(0, sink.transactions());
  }

  @Test
  void opportunisticTlsIsUsedWithoutVerification() throws Exception {
    sink = new SmtpSink().startWithTls(TestCertificate.create("mx.dest.test", dir));
    deploy(Map.of("dest.test", List.of("127.0.0.1:" + sink.port())), fast());

    assertEquals(Outcome.DELIVERED, deliver(job("x\r\n", "bob@dest.test")).results().get(0).outcome());
    assertTrue(sink.next().tls());
  }

  @Test
  void aCertificateThatFailsVerificationIsNeverFollowedByPlaintext() throws Exception {
    sink = new SmtpSink().startWithTls(TestCertificate.create("mx.dest.test", dir));
    deploy(Map.of("dest.test", List.of("127.0.0.1:" + sink.port())), fast().setVerifyCertificates(true));

    RecipientResult r = deliver(job("x\r\n", "bob@dest.test")).results().get(0);

    assertEquals(Outcome.TRANSIENT, r.outcome());
    assertEquals("4.7.5", r.status());
    assertEquals(0, sink.transactions());
  }

  @Test
  void wrongPasswordWaits() throws Exception {
    TestCertificate cert = TestCertificate.create("relay.test", dir);
    sink = new SmtpSink().startWithTlsAndAuth(cert, "postino", "s3cret");
    deploy(Map.of("*", List.of("relay.test:" + sink.port())),
        fast().setAuth(Map.of("relay.test", new OutboundOptions.Credentials("postino", "wrong"))));
    dns.zone("relay.test. 300 IN A 127.0.0.1");

    RecipientResult r = deliver(job("x\r\n", "bob@dest.test")).results().get(0);

    assertEquals(Outcome.TRANSIENT, r.outcome());
    assertTrue(r.remote());
    assertEquals(0, sink.transactions());
  }
}
