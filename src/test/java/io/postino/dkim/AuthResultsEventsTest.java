package io.postino.dkim;

import static io.postino.testing.SmtpTestClient.expect;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.postino.authres.AuthResult;
import io.postino.bus.InboundEvent;
import io.postino.bus.PolicyRequest;
import io.postino.bus.PolicyVerdict;
import io.postino.testing.SmtpTestClient;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The results a received message got (here DKIM's and ARC's, with {@code dkim.verify}) reach an
 * application twice: in the {@code postino.policy.data} request, before the message is accepted,
 * and in the {@code postino.inbound} event once it is delivered; each as the list of
 * {@code {method, result, reason, properties}} its Authentication-Results field records.
 */
class AuthResultsEventsTest {

  private static final String UNSIGNED = "From: Carol <carol@signer.example>\r\n"
      + "To: Bob <bob@local.example>\r\n"
      + "Subject: lunch\r\n"
      + "\r\n"
      + "Lunch at noon?\r\n";

  @TempDir
  Path dir;
  DkimTestbed bed;
  final BlockingQueue<JsonObject> policyRequests = new LinkedBlockingQueue<>();

  @BeforeEach
  void setUp() throws Exception {
    bed = new DkimTestbed(dir);
    bed.dkim().put("verify", true);
    bed.server.start();
    bed.server.vertx.eventBus().<JsonObject>consumer("postino.policy.data", msg -> {
      policyRequests.add(msg.body());
      msg.reply(PolicyVerdict.ACCEPT.toJson());
    }).completion().await();
  }

  @AfterEach
  void tearDown() throws Exception {
    bed.close();
  }

  /** Sends the message; returns the policy request and the inbound event it gave. */
  private List<JsonObject> send(String message) throws Exception {
    try (SmtpTestClient c = bed.server.connect()) {
      expect(c.command("EHLO client.example"), 250);
      expect(c.startData("carol@signer.example", "bob@local.example"), 354);
      expect(c.command(message + "\r\n."), 250);
    }
    JsonObject request = policyRequests.poll(20, TimeUnit.SECONDS);
    if (request == null) {
      throw new AssertionError("no postino.policy.data request");
    }
    return List.of(request, bed.server.nextInbound());
  }

  private String signed() throws Exception {
    return new String(DkimPeers.dkimpySign(UNSIGNED.getBytes(StandardCharsets.US_ASCII), "s2026r", "signer.example",
        dir.resolve("keys/rsa.pem"), "rsa-sha256", dir), StandardCharsets.ISO_8859_1);
  }

  private static void assertResults(JsonObject request, JsonObject inbound, String dkim, String reason)
      throws Exception {
    JsonArray json = request.getJsonArray("authResults");
    assertEquals(inbound.getJsonArray("authResults"), json, "the hook and the event see the same results");
    JsonObject first = json.getJsonObject(0);
    assertEquals("dkim", first.getString("method"));
    assertEquals(dkim, first.getString("result"));
    assertEquals(reason, first.getString("reason"));
    assertEquals("signer.example", first.getJsonObject("properties").getString("header.d"));
    assertEquals("s2026r", first.getJsonObject("properties").getString("header.s"));
    assertEquals("rsa-sha256", first.getJsonObject("properties").getString("header.a"));
    List<AuthResult> read = PolicyRequest.fromJson(request).authResults();
    assertEquals(read, InboundEvent.fromJson(inbound).authResults());
    assertEquals(2, read.size(), read.toString());
    assertEquals(AuthResult.of("arc", "none", null), read.get(1));
  }

  @Test
  void aPassIsSeenByThePolicyHookAndTheInboundEvent() throws Exception {
    List<JsonObject> seen = send(signed());
    assertResults(seen.get(0), seen.get(1), "pass", null);
  }

  @Test
  void aFailIsSeenWithItsReason() throws Exception {
    List<JsonObject> seen = send(signed().replace("noon", "one"));
    assertResults(seen.get(0), seen.get(1), "fail", "body hash did not verify");
  }

  @Test
  void withoutResultsTheListIsEmpty() throws Exception {
    bed.dkim().put("verify", false);
    bed.server.close();
    bed.server.start();
    bed.server.vertx.eventBus().<JsonObject>consumer("postino.policy.data", msg -> {
      policyRequests.add(msg.body());
      msg.reply(PolicyVerdict.ACCEPT.toJson());
    }).completion().await();
    List<JsonObject> seen = send(UNSIGNED);
    assertEquals(new JsonArray(), seen.get(0).getJsonArray("authResults"));
    assertEquals(new JsonArray(), seen.get(1).getJsonArray("authResults"));
  }
}
