package io.postino.dns;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Defaults, JSON mapping and validation of the resolver options. */
class MxResolverOptionsTest {

  @Test
  void defaults() {
    MxResolverOptions options = new MxResolverOptions();
    assertEquals(MxResolverOptions.DEFAULT_SERVERS, options.getServers());
    assertFalse(options.getServers().isEmpty());
    assertEquals(5000, options.getQueryTimeout());
    assertEquals(1, options.getRetries());
    assertFalse(options.isPreferIpv6());
    assertEquals(30, options.getNegativeTtl());
    assertEquals(300, options.getDefaultTtl());
    assertEquals(25, options.getSmtpPort());
    assertEquals(Map.of(), options.getRoutes());
    assertEquals(List.of(), options.getOwnHostnames());
    assertEquals(List.of(), options.getOwnAddresses());
  }

  @Test
  void jsonRoundTrip() {
    JsonObject json = new JsonObject("""
        {"servers": ["10.0.0.1:53", "[2001:db8::53]:5353", "10.0.0.2"],
         "queryTimeout": 1500, "retries": 3, "preferIpv6": true, "negativeTtl": 5,
         "defaultTtl": 60, "smtpPort": 2525,
         "routes": {"*": "smarthost.example.net:587", "lab.example": ["127.0.0.1:2525", "[::1]:2525"]},
         "ownHostnames": ["mail.example.org"], "ownAddresses": ["0.0.0.0:25", "[::]:25"]}""");
    MxResolverOptions options = new MxResolverOptions(json);
    assertEquals(List.of("10.0.0.1:53", "[2001:db8::53]:5353", "10.0.0.2:53"), options.getServers());
    assertEquals(1500, options.getQueryTimeout());
    assertEquals(3, options.getRetries());
    assertEquals(true, options.isPreferIpv6());
    assertEquals(5, options.getNegativeTtl());
    assertEquals(60, options.getDefaultTtl());
    assertEquals(2525, options.getSmtpPort());
    assertEquals(Map.of("*", List.of("smarthost.example.net:587"), "lab.example", List.of("127.0.0.1:2525", "[::1]:2525")),
        options.getRoutes());
    assertEquals(List.of("mail.example.org"), options.getOwnHostnames());
    assertEquals(List.of("0.0.0.0:25", "[::]:25"), options.getOwnAddresses());
    assertEquals(options.toJson(), new MxResolverOptions(options.toJson()).toJson());
    assertEquals(options.toJson(), new MxResolverOptions(options).toJson());
  }

  @Test
  void settersRejectInvalidValues() {
    MxResolverOptions o = new MxResolverOptions();
    assertThrows(IllegalArgumentException.class, () -> o.setServers(List.of()));
    assertThrows(IllegalArgumentException.class, () -> o.setServers(List.of("dns.example.net:53")));
    assertThrows(IllegalArgumentException.class, () -> o.setServers(List.of("10.0.0.1:99999")));
    assertThrows(IllegalArgumentException.class, () -> o.setQueryTimeout(0));
    assertThrows(IllegalArgumentException.class, () -> o.setRetries(-1));
    assertThrows(IllegalArgumentException.class, () -> o.setNegativeTtl(-1));
    assertThrows(IllegalArgumentException.class, () -> o.setDefaultTtl(-1));
    assertThrows(IllegalArgumentException.class, () -> o.setSmtpPort(0));
    assertThrows(IllegalArgumentException.class, () -> o.addRoute("bad domain", "127.0.0.1:25"));
    assertThrows(IllegalArgumentException.class, () -> o.addRoute("example.org"));
    assertThrows(IllegalArgumentException.class, () -> o.addRoute("example.org", "host:port"));
    assertThrows(IllegalArgumentException.class, () -> o.setOwnHostnames(List.of("not a name")));
    assertThrows(IllegalArgumentException.class, () -> o.setOwnAddresses(List.of("mail.example.org:25")));
  }

  @Test
  void resolvConfNameserversBecomeServers() {
    assertEquals(List.of("192.0.2.53:53", "[2001:db8::53]:53"), SystemResolvers.parse("""
        # comment
        search example.org
        nameserver 192.0.2.53
        nameserver 2001:db8::53
        nameserver fe80::1%eth0
        options ndots:2
        """));
    assertEquals(List.of("127.0.0.1:53"), SystemResolvers.parse("search example.org\n"));
  }

  @Test
  void hostPortForms() {
    assertEquals(new HostPort("192.0.2.1", 25), HostPort.parse("192.0.2.1", 25));
    assertEquals(new HostPort("2001:db8::1", 587), HostPort.parse("[2001:DB8:0::1]:587", 25));
    assertEquals(new HostPort("2001:db8::1", 25), HostPort.parse("2001:db8::1", 25));
    assertEquals(new HostPort("mx.example.org", 2525), HostPort.parse("MX.example.org:2525", 25));
    assertEquals("[2001:db8::1]:25", HostPort.parse("[2001:db8::1]", 25).toString());
    assertThrows(IllegalArgumentException.class, () -> HostPort.parse("[::1", 25));
    assertThrows(IllegalArgumentException.class, () -> HostPort.parse("host:", 25));
  }
}
