package io.postino.bus;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.postino.smtp.MailAddress;
import io.postino.smtp.MailParameters;
import io.postino.smtp.RcptParameters;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.EnumSet;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The delivery job, reply and event JSON: what the README shows reads back to equal values. */
class DeliveryMessagesTest {

  private static final RecipientResult BOUNCED = new RecipientResult(new MailAddress("bob", "example.com"),
      RecipientResult.Outcome.PERMANENT, 550, "5.1.1", "<bob@example.com>: User unknown", true, "mx1.example.com",
      "192.0.2.1");

  @Test
  void jobRoundTrip() {
    DeliveryJob job = new DeliveryJob("01HV5Q8Z3K2M4AB", "example.com", new MailAddress("alice", "example.org"),
        new MailParameters(2048, MailParameters.Body.EIGHT_BIT_MIME, false, null, MailParameters.Ret.HDRS, "x1"),
        List.of(new DeliveryJob.Recipient(new MailAddress("\"a@b\"", "example.com"),
            new RcptParameters(EnumSet.of(RcptParameters.Notify.FAILURE, RcptParameters.Notify.DELAY),
                "rfc822;a@example.com"))),
        new DeliveryJob.Content("/var/spool/postino/incoming/01HV5Q8Z3K2M4AB", 412, 2048));

    JsonObject json = job.toJson();

    assertEquals(1, json.getInteger("version"));
    assertEquals("8BITMIME", json.getJsonObject("parameters").getString("body"));
    assertEquals("\"a@b\"@example.com", json.getJsonArray("recipients").getJsonObject(0).getString("address"));
    assertEquals(job, DeliveryJob.fromJson(new JsonObject(json.encode())));
  }

  @Test
  void requireTlsTravelsInTheJobAndIsAbsentWhenNotGiven() {
    DeliveryJob job = new DeliveryJob("Q", "example.com", new MailAddress("alice", "example.org"),
        MailParameters.NONE.withRequireTls(true),
        List.of(new DeliveryJob.Recipient(new MailAddress("bob", "example.com"), RcptParameters.NONE)),
        new DeliveryJob.Content("/spool/Q", 0, 10));
    JsonObject json = job.toJson();
    assertEquals(true, json.getJsonObject("parameters").getBoolean("requireTls"));
    assertEquals(true, DeliveryJob.fromJson(new JsonObject(json.encode())).parameters().requireTls());
    json.getJsonObject("parameters").remove("requireTls");
    assertEquals(false, DeliveryJob.fromJson(json).parameters().requireTls());
    assertEquals(null, BusJson.mailParameters(MailParameters.NONE).getValue("requireTls"));
  }

  @Test
  void aJobOfTheQueueNamesItsNodeAndIsVersion2() {
    List<DeliveryJob.Recipient> bob = List.of(new DeliveryJob.Recipient(new MailAddress("bob", "example.com"),
        RcptParameters.NONE));
    DeliveryJob job = new DeliveryJob("Q", "example.com", new MailAddress("alice", "example.org"), MailParameters.NONE,
        bob, DeliveryJob.Content.onNode("5f0c", "/var/spool/postino/incoming/Q", 412, 2048));
    JsonObject json = job.toJson();
    assertEquals(2, json.getInteger("version"));
    assertEquals("5f0c", json.getJsonObject("content").getString("node"));
    assertEquals(job, DeliveryJob.fromJson(new JsonObject(json.encode())));

    // the node alone (no path) is enough
    DeliveryJob remote = job.withContent(DeliveryJob.Content.onNode("5f0c", null, 0, 2048));
    assertEquals(remote, DeliveryJob.fromJson(new JsonObject(remote.toJson().encode())));

    // content in the job, base64
    DeliveryJob inline = job.withContent(DeliveryJob.Content.inline(Buffer.buffer("Subject: hi\r\n\r\nhello\r\n")));
    JsonObject inlineJson = new JsonObject(inline.toJson().encode());
    assertEquals("U3ViamVjdDogaGkNCg0KaGVsbG8NCg==", inlineJson.getJsonObject("content").getString("data"));
    assertEquals(inline, DeliveryJob.fromJson(inlineJson));

    // version 1 names a file only
    assertThrows(IllegalArgumentException.class, () -> DeliveryJob.fromJson(json.copy().put("version", 1)));
    assertThrows(IllegalArgumentException.class, () -> DeliveryJob.fromJson(json.copy().put("version", 3)));
    // inline data that does not match its length
    assertThrows(IllegalArgumentException.class, () -> DeliveryJob.fromJson(inlineJson.copy()
        .put("content", inlineJson.getJsonObject("content").copy().put("length", 3))));
  }

  @Test
  void whatASuccessReportWouldSayTravelsWithADeliveredResult() {
    MailAddress bob = new MailAddress("bob", "example.com");
    RecipientResult passedOn = new RecipientResult(bob, RecipientResult.Outcome.DELIVERED, 250, "2.0.0", "Ok", true,
        "mx1.example.com", "192.0.2.1", 25, 0, 0, RecipientResult.Success.PASSED_ON);
    assertEquals("passedOn", passedOn.toJson().getString("success"));
    assertEquals(passedOn, RecipientResult.fromJson(new JsonObject(passedOn.toJson().encode())));
    // without it (an older node, a status file written before): the remote reply relays, a local one delivers
    JsonObject remote = passedOn.toJson();
    remote.remove("success");
    assertEquals(RecipientResult.Success.RELAYED, RecipientResult.fromJson(remote).success());
    RecipientResult local = new RecipientResult(bob, RecipientResult.Outcome.DELIVERED, 250, "2.0.0",
        "delivered to mailbox", false, null, null);
    assertEquals(RecipientResult.Success.DELIVERED, local.success());
    assertEquals(null, BOUNCED.success());
    assertEquals(null, BOUNCED.toJson().getString("success"));
  }

  @Test
  void nullSenderIsTheEmptyString() {
    DeliveryJob job = new DeliveryJob("Q", "example.com", MailAddress.NULL_SENDER, MailParameters.NONE,
        List.of(new DeliveryJob.Recipient(new MailAddress("bob", "example.com"), RcptParameters.NONE)),
        new DeliveryJob.Content("/spool/Q", 0, 1));
    assertEquals("", job.toJson().getString("sender"));
    assertEquals(MailAddress.NULL_SENDER, DeliveryJob.fromJson(job.toJson()).sender());
  }

  @Test
  void replyAndEventRoundTrip() {
    DeliveryReply reply = new DeliveryReply("Q", "example.com", List.of(BOUNCED));
    assertEquals(reply, DeliveryReply.fromJson(new JsonObject(reply.toJson().encode())));
    assertEquals("permanent", reply.toJson().getJsonArray("results").getJsonObject(0).getString("outcome"));

    DeliveryEvent event = new DeliveryEvent(DeliveryEvent.Type.DEFERRED, "Q", new MailAddress("alice", "example.org"),
        2, Instant.parse("2026-05-01T10:05:00Z"), BOUNCED);
    assertEquals(event, DeliveryEvent.fromJson(new JsonObject(event.toJson().encode())));
    assertEquals("deferred", event.toJson().getString("event"));
  }

  @Test
  void otherVersionsAreRefused() {
    JsonObject json = new DeliveryReply("Q", "d", List.of()).toJson().put("version", 2);
    assertThrows(IllegalArgumentException.class, () -> DeliveryReply.fromJson(json));
  }
}
