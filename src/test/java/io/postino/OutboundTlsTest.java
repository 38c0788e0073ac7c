package io.postino;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.postino.bus.Route;
import io.postino.bus.RouteHost;
import io.postino.dns.MxResolverOptions;
import io.postino.dns.TestDnsServer;
import io.postino.testing.MtaStsServer;
import io.postino.testing.TestCa;
import io.postino.tlspolicy.TlsPolicy;
import io.vertx.core.Vertx;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The node's TLS policy services built from its configuration: MTA-STS on or off. */
class OutboundTlsTest {

  static final Route ROUTE = new Route("dest.test",
      List.of(new RouteHost("mx.dest.test", 10, List.of("127.0.0.1"), 25)), Route.Source.MX);

  @TempDir
  Path dir;
  final Vertx vertx = Vertx.vertx();
  TestDnsServer dns;
  MtaStsServer web;
  PostinoOptions config;

  @BeforeEach
  void setUp() throws Exception {
    dns = TestDnsServer.start();
    TestCa ca = TestCa.create("test-ca", dir);
    web = MtaStsServer.start(vertx, ca.issue("mta-sts.dest.test").keyCertOptions())
        .policy("version: STSv1\nmode: enforce\nmx: mx.dest.test\nmax_age: 86400\n");
    dns.zone("mta-sts.dest.test. 300 IN A 127.0.0.1", "_mta-sts.dest.test. 300 IN TXT \"v=STSv1; id=1;\"");
    config = new PostinoOptions().setSpoolDirectory(dir.resolve("spool"))
        .setDns(new MxResolverOptions().setServers(List.of(dns.address())).setQueryTimeout(500).setRetries(0));
    config.getDelivery().setTrustedCertificates(List.of(ca.pemFile().toString()));
    config.getDelivery().getTlsPolicy().setMtaStsPort(web.port());
  }

  @AfterEach
  void tearDown() throws Exception {
    web.close();
    vertx.close().await();
    dns.close();
  }

  @Test
  void mtaStsPoliciesAreFetchedThroughTheNodesDnsAndKeptUnderTheSpool() {
    TlsPolicy p = OutboundTls.create(vertx, config).policies().forRoute(ROUTE).await().hosts().get(0).policy();

    assertEquals(new TlsPolicy.Pkix(TlsPolicy.Pkix.MTA_STS, true, true), p);
    assertTrue(Files.exists(dir.resolve("spool/mta-sts/dest.test.json")));
  }

  @Test
  void mtaStsOffAsksNothing() {
    config.getDelivery().getTlsPolicy().setMtaSts(false);

    TlsPolicy p = OutboundTls.create(vertx, config).policies().forRoute(ROUTE).await().hosts().get(0).policy();

    assertEquals(new TlsPolicy.Opportunistic(), p);
    assertEquals(0, web.requests().size());
    assertEquals(0, dns.count("_mta-sts.dest.test", "TXT"));
  }
}
