package io.postino;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.postino.cli.Main;
import io.postino.config.ConfigException;
import io.postino.server.ServerOptions;
import io.postino.server.auth.AuthOptions;
import io.postino.server.tls.TlsOptions;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class PostinoOptionsTest {

  @ParameterizedTest
  @ValueSource(strings = {"conf/postino.json", "conf/postino-service.json", "conf/cluster-listener.json",
      "conf/cluster-delivery.json",
      "benchmarks/load/postino-bench.json"})
  void everyShippedConfigurationLoads(String file) throws Exception {
    PostinoOptions options = new PostinoOptions(Main.readConfig(Path.of(file)));
    assertFalse(options.getRoles().isEmpty());
  }

  @Test
  void routesSayWhatDnssecValidatedUnlessDaneIsOffForEveryDomainAndTheAdBitIsBelievedFromLoopbackByDefault() {
    assertTrue(new PostinoOptions().resolverOptions().isDnssec(), "DANE may by default");
    assertFalse(new PostinoOptions().resolverOptions().isTrustAdBit());
    JsonObject off = new JsonObject().put("delivery", new JsonObject().put("tlsPolicy",
        new JsonObject().put("dane", "none")));
    assertFalse(new PostinoOptions(off).resolverOptions().isDnssec());
    JsonObject oneDomain = new JsonObject().put("delivery", new JsonObject().put("tlsPolicy",
        new JsonObject().put("dane", "none").put("domains", new JsonObject().put("example.org", "dane-only"))))
        .put("dns", new JsonObject().put("trustAdBit", true));
    assertTrue(new PostinoOptions(oneDomain).resolverOptions().isDnssec());
    assertTrue(new PostinoOptions(oneDomain).resolverOptions().isTrustAdBit());
  }

  @Test
  void aTypoedKeyIsRefusedWithItsFullPath() {
    JsonObject json = new JsonObject().put("smtp", new JsonObject().put("maxConection", 10));
    ConfigException e = assertThrows(ConfigException.class, () -> new PostinoOptions(json));
    assertEquals("unknown configuration key smtp.maxConection (did you mean smtp.maxConnections?)", e.getMessage());
  }

  @Test
  void typosAreFoundInEverySection() {
    JsonObject json = new JsonObject()
        .put("hostnme", "mx.test")
        .put("delivery", new JsonObject().put("maxConnectionPerHost", 3).put("auth", new JsonObject()
            .put("smarthost.test", new JsonObject().put("username", "u").put("password", "p").put("realm", "r"))))
        .put("policy", new JsonObject().put("timeOut", 3))
        .put("cluster", new JsonObject().put("member", List.of("127.0.0.1")));
    ConfigException e = assertThrows(ConfigException.class, () -> new PostinoOptions(json));
    assertEquals("unknown configuration keys hostnme (did you mean hostname?); "
        + "delivery.maxConnectionPerHost (did you mean delivery.maxConnectionsPerHost?); "
        + "delivery.auth.smarthost.test.realm; "
        + "policy.timeOut (did you mean policy.timeout?); cluster.member (did you mean cluster.members?)",
        e.getMessage());
  }

  @Test
  void aValueOutOfRangeIsReportedUnderItsSection() {
    JsonObject json = new JsonObject().put("smtp", new JsonObject().put("maxRecipients", 0));
    assertEquals("smtp: maxRecipients must be positive: 0",
        assertThrows(ConfigException.class, () -> new PostinoOptions(json)).getMessage());
  }

  @Test
  void smarthostCredentialsNeedBothParts() {
    JsonObject json = new JsonObject().put("delivery", new JsonObject().put("auth", new JsonObject()
        .put("smarthost.test", new JsonObject().put("username", "u").put("pasword", "p"))));
    assertEquals("delivery.auth.smarthost.test.password: missing, expected a string",
        assertThrows(ConfigException.class, () -> new PostinoOptions(json)).getMessage());
  }

  @Test
  void aWrongTypeIsRefusedWithItsFullPath() {
    JsonObject json = new JsonObject().put("smtp", new JsonObject().put("maxConnections", "ten"));
    ConfigException e = assertThrows(ConfigException.class, () -> new PostinoOptions(json));
    assertEquals("smtp.maxConnections: expected a number, got \"ten\"", e.getMessage());

    JsonObject tls = new JsonObject().put("tls", new JsonObject().put("enabled", "true"));
    assertEquals("tls.enabled: expected true or false, got \"true\"",
        assertThrows(ConfigException.class, () -> new PostinoOptions(tls)).getMessage());
  }

  @Test
  void theTypedSettersSayWhatTheJsonSays() {
    PostinoOptions typed = new PostinoOptions()
        .setHostname("mx.test")
        .setSmtp(new ServerOptions().setPort(0).setMaxRecipients(7))
        .setLocalDomains(List.of("example.test"))
        .setRoles(Set.of(Role.QUEUE, Role.DELIVERY));
    typed.getQueue().setDeliverAcrossCluster(true);
    PostinoOptions json = new PostinoOptions(new JsonObject()
        .put("hostname", "mx.test")
        .put("smtp", new JsonObject().put("port", 0).put("maxRecipients", 7))
        .put("localDomains", List.of("example.test"))
        .put("roles", List.of("queue", "delivery"))
        .put("queue", new JsonObject().put("deliverAcrossCluster", true)));

    assertEquals(json.getHostname(), typed.getHostname());
    assertEquals(json.getSmtp().toJson(), typed.getSmtp().toJson());
    assertEquals(json.getLocalDomains(), typed.getLocalDomains());
    assertEquals(json.getRoles(), typed.getRoles());
    assertEquals(json.getQueue().toJson(), typed.getQueue().toJson());
    assertThrows(IllegalArgumentException.class, () -> typed.setTrustedNetworks(List.of("10.0.0.0/33")));
  }

  @Test
  @Timeout(value = 30, unit = TimeUnit.SECONDS)
  void aRunningNodeKeepsTheOptionsItWasStartedWith(@TempDir Path dir) {
    Vertx vertx = Vertx.vertx();
    try {
      PostinoOptions options = new PostinoOptions()
          .setHostname("mx.test")
          .setSpoolDirectory(dir.resolve("spool"))
          .setSmtp(new ServerOptions().setHost("127.0.0.1").setPort(0))
          .setTls(new TlsOptions().setEnabled(false))
          .setAuth(new AuthOptions().setEnabled(false));
      options.getMaildir().setRoot(dir.resolve("maildir").toString());
      Postino postino = Postino.start(vertx, options).await();
      options.setHostname("changed.test");

      assertTrue(postino.smtpPort() > 0);
      assertEquals("mx.test", postino.options().getHostname());
      assertEquals(List.of(), postino.queue().held().await());
      assertThrows(IllegalStateException.class, () -> postino.reloadTls().await(), "TLS is off");
      assertThrows(IllegalStateException.class, () -> postino.reloadUsers().await(), "AUTH is off");
      postino.close().await();
    } finally {
      vertx.close().await();
    }
  }
}
