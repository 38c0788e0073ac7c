package io.postino.alias;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.postino.smtp.MailAddress;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import org.junit.jupiter.api.Test;

/** The SRS codec: forward and reverse, SRS1 over SRS0, forgery, expiry, case changes. */
class SrsTest {

  private static final long TODAY = 20_427; // 2025-12-05
  private final Srs srs = new Srs("a secret of the test, 32 octets.".getBytes(StandardCharsets.UTF_8), 21);
  private final MailAddress alice = MailAddress.parse("alice@origin.example");

  @Test
  void forwardedSenderHasTheSrs0FormAndReversesToTheOriginal() {
    MailAddress rewritten = srs.forward(alice, "example.org", TODAY);

    assertEquals("example.org", rewritten.domain());
    assertTrue(rewritten.localPart().matches("SRS0=[A-Za-z0-9+/]{4}=" + Srs.stamp(TODAY) + "=origin\\.example=alice"),
        rewritten.localPart());
    assertEquals(new Srs.Valid(alice), srs.reverse(rewritten, TODAY));
    // the parser of the server takes it as an address: it can go into MAIL FROM as it is
    assertEquals(rewritten, MailAddress.parse(rewritten.address()));
  }

  @Test
  void theDayStampIsBase32OfTheDayModulo1024() {
    assertEquals("AA", Srs.stamp(0));
    assertEquals("AB", Srs.stamp(1));
    assertEquals("BA", Srs.stamp(32));
    assertEquals("77", Srs.stamp(1023));
    assertEquals("AA", Srs.stamp(1024));
  }

  @Test
  void aBounceUpToMaxAgeDaysLaterIsTakenAndOneDayMoreIsExpired() {
    MailAddress rewritten = srs.forward(alice, "example.org", TODAY);

    assertEquals(new Srs.Valid(alice), srs.reverse(rewritten, TODAY + 21));
    assertEquals(new Srs.Invalid("expired SRS address"), srs.reverse(rewritten, TODAY + 22));
    // a stamp from the future (beyond the 1024-day wrap) is not young
    assertEquals(new Srs.Invalid("expired SRS address"), srs.reverse(rewritten, TODAY - 1));
    // the stamp wraps every 1024 days: valid again across the wrap
    MailAddress beforeWrap = srs.forward(alice, "example.org", 1023);
    assertEquals(new Srs.Valid(alice), srs.reverse(beforeWrap, 1025));
  }

  @Test
  void anyChangeToTheAddressOrAnotherSecretIsRefused() {
    MailAddress rewritten = srs.forward(alice, "example.org", TODAY);
    String local = rewritten.localPart();

    String otherUser = local.replace("=alice", "=mallory");
    assertEquals(new Srs.Invalid("invalid SRS address"), srs.reverse(new MailAddress(otherUser, "example.org"), TODAY));
    String otherDomain = local.replace("origin.example", "victim.example");
    assertEquals(new Srs.Invalid("invalid SRS address"), srs.reverse(new MailAddress(otherDomain, "example.org"), TODAY));
    String otherDay = local.replace("=" + Srs.stamp(TODAY) + "=", "=" + Srs.stamp(TODAY - 1) + "=");
    assertEquals(new Srs.Invalid("invalid SRS address"), srs.reverse(new MailAddress(otherDay, "example.org"), TODAY));
    Srs other = new Srs("another secret, also 32 octets..".getBytes(StandardCharsets.UTF_8), 21);
    assertEquals(new Srs.Invalid("invalid SRS address"), other.reverse(rewritten, TODAY));
    assertInstanceOf(Srs.Invalid.class, srs.reverse(new MailAddress("SRS0=xxxx=AA=origin", "example.org"), TODAY));
    assertEquals(new Srs.NotSrs(), srs.reverse(alice, TODAY));
  }

  @Test
  void aServerThatChangesTheCaseOfTheLocalPartDoesNotBreakTheBounce() {
    MailAddress rewritten = srs.forward(alice, "example.org", TODAY);
    MailAddress lowered = new MailAddress(rewritten.localPart().toLowerCase(Locale.ROOT), "EXAMPLE.ORG");

    assertEquals(new Srs.Valid(alice), srs.reverse(lowered, TODAY));
  }

  @Test
  void anSrs0SenderOfAnotherForwarderBecomesSrs1AndReversesToThatForwarder() {
    Srs first = new Srs("the first forwarder's own secret".getBytes(StandardCharsets.UTF_8), 21);
    MailAddress once = first.forward(alice, "forwarder.example", TODAY);

    MailAddress twice = srs.forward(once, "example.org", TODAY);

    assertTrue(twice.localPart().startsWith("SRS1="), twice.localPart());
    assertTrue(twice.localPart().contains("=forwarder.example=="), twice.localPart());
    assertEquals(new Srs.Valid(once), srs.reverse(twice, TODAY));
    assertEquals(new Srs.Valid(alice), first.reverse(once, TODAY));
    // an SRS1 sender forwarded again keeps pointing at the first forwarder
    MailAddress thrice = srs.forward(twice, "third.example", TODAY);
    assertTrue(thrice.localPart().contains("=forwarder.example=="), thrice.localPart());
    assertEquals(new Srs.Valid(once), srs.reverse(thrice, TODAY));
    String forged = twice.localPart().replace("forwarder.example", "victim.example");
    assertEquals(new Srs.Invalid("invalid SRS address"), srs.reverse(new MailAddress(forged, "example.org"), TODAY));
  }

  @Test
  void aShortSecretIsRefused() {
    assertThrows(IllegalArgumentException.class, () -> new Srs(new byte[8], 21));
  }
}
