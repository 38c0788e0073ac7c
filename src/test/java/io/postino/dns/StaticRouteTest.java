package io.postino.dns;

import io.postino.bus.Route;
import io.postino.bus.RouteHost;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The static routing table: consulted before DNS, per domain or for every domain with "*". */
class StaticRouteTest extends ResolverTestBase {

  @Test
  void aDomainRouteIsUsedWithoutAskingDnsForMx() {
    MxResolver resolver = resolver(options().addRoute("Lab.Example", "127.0.0.1:2525", "[::1]:2526"));
    Route route = route(resolver, "lab.example");
    assertEquals(Route.Source.STATIC, route.source());
    assertEquals(List.of(new RouteHost("127.0.0.1", 0, List.of("127.0.0.1"), 2525),
        new RouteHost("::1", 1, List.of("::1"), 2526)), route.hosts());
    assertEquals(List.of(), dns.queries());
  }

  @Test
  void theWildcardRouteSendsEverythingElseToASmarthost() {
    dns.zone("smarthost.example.net. 300 IN A 192.0.2.25",
        "example.org. 300 IN MX 10 a.example.org.", "a.example.org. 300 IN A 192.0.2.1");
    MxResolver resolver = resolver(options()
        .addRoute("*", "smarthost.example.net:587")
        .addRoute("local.example", "127.0.0.1:2525"));
    Route viaSmarthost = route(resolver, "example.org");
    assertEquals(Route.Source.STATIC, viaSmarthost.source());
    assertEquals(List.of(new RouteHost("smarthost.example.net", 0, List.of("192.0.2.25"), 587)), viaSmarthost.hosts());
    assertEquals(0, dns.count("example.org", "MX"));
    assertEquals(List.of("127.0.0.1"), names(route(resolver, "local.example")), "an exact route beats the wildcard");
  }

  @Test
  void theWildcardRouteAppliesToAddressLiteralsToo() {
    MxResolver resolver = resolver(options().addRoute("*", "127.0.0.1:2525"));
    Route route = route(resolver, "[192.0.2.1]");
    assertEquals(Route.Source.STATIC, route.source());
    assertEquals(List.of("127.0.0.1"), names(route));
  }

  @Test
  void aRouteWithoutPortUsesTheSmtpPort() {
    MxResolver resolver = resolver(options().setSmtpPort(2525).addRoute("lab.example", "127.0.0.1"));
    assertEquals(2525, route(resolver, "lab.example").hosts().get(0).port());
  }

  @Test
  void theOrderOfAStaticRouteIsKept() {
    MxResolver resolver = resolver(options().addRoute("lab.example", "192.0.2.3:25", "192.0.2.1:25", "192.0.2.2:25"));
    for (int i = 0; i < 20; i++) {
      assertEquals(List.of("192.0.2.3", "192.0.2.1", "192.0.2.2"), names(route(resolver, "lab.example")));
    }
  }

  @Test
  void aStaticRouteToOurselvesLoops() {
    MxResolverOptions options = options().addRoute("*", "127.0.0.1:25").setOwnAddresses(List.of("127.0.0.1:25"));
    assertFailure(failure(resolver(options), "example.org"), true, 554, "5.4.6");
  }

  @Test
  void aStaticRouteWhoseHostDoesNotExistIsPermanent() {
    MxResolver resolver = resolver(options().addRoute("*", "gone.example.net:25"));
    assertFailure(failure(resolver, "example.org"), true, 554, "5.4.4");
  }
}
