package io.postino.dns;

import io.postino.bus.Route;
import io.postino.bus.RouteException;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Never deliver to ourselves: MX hosts that are this server, by name or by address and port. */
class LoopDetectionTest extends ResolverTestBase {

  @Test
  void whenTheBestMxIsOurNameMailLoops() {
    dns.zone("example.org. 300 IN MX 10 mail.postino.test.",
        "example.org. 300 IN MX 20 backup.example.org.",
        "mail.postino.test. 300 IN A 192.0.2.1",
        "backup.example.org. 300 IN A 192.0.2.2");
    RouteException failure = failure(resolver(options().setOwnHostnames(List.of("Mail.Postino.Test."))), "example.org");
    assertFailure(failure, true, 554, "5.4.6");
    assertEquals("mail for example.org loops back to myself", failure.reason());
  }

  @Test
  void asABackupMxWeKeepOnlyTheHostsPreferredToUs() {
    dns.zone("example.org. 300 IN MX 10 primary.example.org.",
        "example.org. 300 IN MX 20 mail.postino.test.",
        "example.org. 300 IN MX 20 peer.example.org.",
        "example.org. 300 IN MX 30 last.example.org.",
        "primary.example.org. 300 IN A 192.0.2.1",
        "peer.example.org. 300 IN A 192.0.2.3",
        "last.example.org. 300 IN A 192.0.2.4");
    Route route = route(resolver(options().setOwnHostnames(List.of("mail.postino.test"))), "example.org");
    assertEquals(List.of("primary.example.org"), names(route));
    assertEquals(0, dns.count("mail.postino.test", "A"), "a host known by name to be us is not even resolved");
  }

  @Test
  void anMxResolvingToOurListenAddressLoops() {
    dns.zone("example.org. 300 IN MX 10 other-name.example.org.", "other-name.example.org. 300 IN A 127.0.0.1");
    MxResolverOptions options = options().setOwnAddresses(List.of("127.0.0.1:25"));
    assertFailure(failure(resolver(options), "example.org"), true, 554, "5.4.6");
  }

  @Test
  void aWildcardListenAddressCoversLoopback() {
    dns.zone("example.org. 300 IN MX 10 mx.example.org.", "mx.example.org. 300 IN AAAA ::1");
    MxResolverOptions options = options().setOwnAddresses(List.of("[::]:25"));
    assertFailure(failure(resolver(options), "example.org"), true, 554, "5.4.6");
  }

  @Test
  void theSameAddressOnAnotherPortIsNotUs() {
    dns.zone("example.org. 300 IN MX 10 mx.example.org.", "mx.example.org. 300 IN A 127.0.0.1");
    MxResolverOptions options = options().setOwnAddresses(List.of("127.0.0.1:2525", "0.0.0.0:587"));
    assertEquals(List.of("mx.example.org"), names(route(resolver(options), "example.org")));
  }

  @Test
  void anImplicitMxThatIsUsLoops() {
    dns.zone("example.org. 300 IN A 127.0.0.1");
    MxResolverOptions options = options().setOwnAddresses(List.of("0.0.0.0:25"));
    assertFailure(failure(resolver(options), "example.org"), true, 554, "5.4.6");
  }

  @Test
  void aPreferredHostFailingTemporarilyBeforeUsDefersInsteadOfLooping() {
    dns.zone("example.org. 300 IN MX 10 primary.example.org.",
        "example.org. 300 IN MX 20 backup.example.org.",
        "backup.example.org. 300 IN A 127.0.0.1");
    dns.mode("primary.example.org", TestDnsServer.Mode.SERVFAIL);
    MxResolverOptions options = options().setOwnAddresses(List.of("127.0.0.1:25"));
    assertFailure(failure(resolver(options), "example.org"), false, 451, "4.4.3");
  }

  @Test
  void aLessPreferredHostFailingTemporarilyDoesNotHideTheLoop() {
    dns.zone("example.org. 300 IN MX 10 primary.example.org.",
        "example.org. 300 IN MX 20 backup.example.org.",
        "primary.example.org. 300 IN A 127.0.0.1");
    dns.mode("backup.example.org", TestDnsServer.Mode.SERVFAIL);
    MxResolverOptions options = options().setOwnAddresses(List.of("127.0.0.1:25"));
    assertFailure(failure(resolver(options), "example.org"), true, 554, "5.4.6");
  }

  @Test
  void whenTheHostsPreferredToUsHaveNoAddressMailLoops() {
    dns.zone("example.org. 300 IN MX 10 gone.example.org.", "example.org. 300 IN MX 20 mail.postino.test.");
    MxResolverOptions options = options().setOwnHostnames(List.of("mail.postino.test"));
    assertFailure(failure(resolver(options), "example.org"), true, 554, "5.4.6");
  }
}
