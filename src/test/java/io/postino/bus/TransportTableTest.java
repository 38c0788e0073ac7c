package io.postino.bus;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.postino.PostinoOptions;
import io.postino.config.ConfigException;
import io.postino.smtp.MailAddress;
import io.vertx.core.json.JsonObject;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TransportTableTest {

  @Test
  void entriesReadAsPostfixWritesThem() {
    assertEquals(new Transport.Lmtp(null, 0, "/run/dovecot/lmtp"), Transport.parse("lmtp:unix:/run/dovecot/lmtp"));
    assertEquals(new Transport.Lmtp("mail.example.org", 24, null), Transport.parse("lmtp:mail.example.org"));
    assertEquals(new Transport.Lmtp("127.0.0.1", 2424, null), Transport.parse("lmtp:inet:127.0.0.1:2424"));
    assertEquals(new Transport.Lmtp("2001:db8::1", 24, null), Transport.parse("lmtp:[2001:db8::1]:24"));
    assertEquals(new Transport.Discard("discarded"), Transport.parse("discard"));
    assertEquals(new Transport.Discard("spam trap"), Transport.parse("discard:spam trap"));
    assertEquals(new Transport.Error("5.1.1", "mailbox unavailable"), Transport.parse("error:5.1.1 mailbox unavailable"));
    assertEquals(new Transport.Error("5.0.0", "gone"), Transport.parse("error:gone"));
    assertEquals(new Transport.Error("4.3.2", "come back later"), Transport.parse("ERROR:4.3.2 come back later"));
    assertFalse(((Transport.Error) Transport.parse("error:4.3.2 later")).permanent());
    // an entry's spec reads back as the same entry
    for (String spec : List.of("lmtp:unix:/x", "lmtp:[2001:db8::1]:25", "lmtp:h:1", "discard:x", "error:5.7.1 no")) {
      assertEquals(Transport.parse(spec), Transport.parse(Transport.parse(spec).spec()));
    }
  }

  @Test
  void wrongEntriesAreRefusedWithTheReason() {
    for (String spec : List.of("smtp:[mx.example]:25", "lmtp:", "lmtp:unix:", "lmtp:host:port", "lmtp:host:0",
        "lmtp:2001:db8::1:24", "lmtp:[2001:db8::1", "error:2.0.0 fine", "discard:a\r\nb")) {
      assertThrows(IllegalArgumentException.class, () -> Transport.parse(spec), spec);
    }
  }

  @Test
  void theAddressThenTheDomainThenItsParentsThenTheWildcard() {
    Map<String, String> entries = new LinkedHashMap<>();
    entries.put("Old@Example.org", "error:5.1.6 moved");
    entries.put("example.org", "lmtp:unix:/run/dovecot/lmtp");
    entries.put(".example.net", "discard");
    TransportTable table = TransportTable.of(entries);

    assertEquals(new Transport.Error("5.1.6", "moved"), table.lookup(MailAddress.parse("old@EXAMPLE.org")));
    assertEquals(new Transport.Lmtp(null, 0, "/run/dovecot/lmtp"), table.lookup(MailAddress.parse("bob@example.org")));
    assertNull(table.lookup(MailAddress.parse("bob@sub.example.org")), "a domain is not its subdomains");
    assertEquals(new Transport.Discard("discarded"), table.lookup(MailAddress.parse("x@a.b.example.net")));
    assertNull(table.lookup(MailAddress.parse("x@example.net")), ".example.net is its subdomains only");
    assertNull(table.lookup(MailAddress.parse("x@elsewhere.example")));

    entries.put("*", "error:4.4.1 not now");
    assertEquals(new Transport.Error("4.4.1", "not now"),
        TransportTable.of(entries).lookup(MailAddress.parse("x@elsewhere.example")));
    assertTrue(TransportTable.of(Map.of()).isEmpty());
  }

  @Test
  void theConfigurationNamesTheKeyOfAWrongEntry() {
    JsonObject json = new JsonObject().put("transport", new JsonObject()
        .put("example.org", "lmtp:unix:/run/dovecot/lmtp").put("bad.example", "smtp:[mx]:25"));
    ConfigException e = assertThrows(ConfigException.class, () -> new PostinoOptions(json));
    assertTrue(e.getMessage().startsWith("transport: bad.example: unknown transport smtp"), e.getMessage());

    ConfigException wrongType = assertThrows(ConfigException.class,
        () -> new PostinoOptions(new JsonObject().put("transport", new JsonObject().put("example.org", 24))));
    assertTrue(wrongType.getMessage().contains("transport.example.org"), wrongType.getMessage());
    assertThrows(ConfigException.class,
        () -> new PostinoOptions(new JsonObject().put("transport", new JsonObject().put("a@@b", "discard"))));

    PostinoOptions ok = new PostinoOptions(new JsonObject().put("transport",
        new JsonObject().put("example.org", "lmtp:unix:/run/dovecot/lmtp")));
    assertEquals(Map.of("example.org", "lmtp:unix:/run/dovecot/lmtp"), ok.getTransport());
    assertEquals(ok.getTransport(), new PostinoOptions(ok).getTransport());
  }

  @Test
  void aJobCarriesItsLmtpServer() {
    DeliveryJob job = new DeliveryJob("Q1", "example.org", MailAddress.parse("alice@example.net"),
        io.postino.smtp.MailParameters.NONE,
        List.of(new DeliveryJob.Recipient(MailAddress.parse("bob@example.org"), io.postino.smtp.RcptParameters.NONE)),
        new DeliveryJob.Content("/spool/incoming/Q1", 10, 20), new Transport.Lmtp(null, 0, "/run/dovecot/lmtp"));
    JsonObject json = job.toJson();
    assertEquals("lmtp:unix:/run/dovecot/lmtp", json.getString("transport"));
    assertEquals(job, DeliveryJob.fromJson(json));
    assertNull(DeliveryJob.fromJson(json.copy().put("transport", null)).lmtp());
    assertThrows(IllegalArgumentException.class, () -> DeliveryJob.fromJson(json.copy().put("transport", "discard")));
  }
}
