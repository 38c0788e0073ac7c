package io.postino.delivery;

import io.postino.bus.Addresses;
import io.postino.bus.DeliveryJob;
import io.postino.bus.DeliveryReply;
import io.postino.dns.MxResolverOptions;
import io.postino.dns.MxResolverVerticle;
import io.postino.dns.TestDnsServer;
import io.postino.smtp.MailAddress;
import io.postino.smtp.MailParameters;
import io.postino.smtp.RcptParameters;
import io.postino.testing.SmtpSink;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the delivery tests share: a Vert.x with the MX resolver (asking only a test DNS server,
 * static routes first) and the delivery verticle, jobs over content files in a temporary
 * directory, and sending a job on the event bus.
 */
abstract class DeliveryTestBase {

  static final byte[] PREFIX = "SPOOL HEADER THE VERTICLE MUST SKIP\n".getBytes(StandardCharsets.US_ASCII);

  @TempDir
  Path dir;
  final Vertx vertx = Vertx.vertx();
  TestDnsServer dns;
  SmtpSink sink;

  @AfterEach
  void tearDown() throws IOException {
    vertx.close().await();
    if (sink != null) {
      sink.close();
    }
    if (dns != null) {
      dns.close();
    }
  }

  @BeforeEach
  void startDns() throws IOException {
    dns = TestDnsServer.start();
  }

  /** Resolver options that ask only the test DNS server. */
  MxResolverOptions mx() {
    return new MxResolverOptions().setServers(List.of(dns.address())).setQueryTimeout(500).setRetries(0);
  }

  /** Deploys the resolver (static routes, then the test DNS server) and the delivery verticle. */
  void deploy(Map<String, List<String>> routes, OutboundOptions options) {
    deploy(mx().setRoutes(routes), options);
  }

  void deploy(MxResolverOptions mx, OutboundOptions options) {
    vertx.deployVerticle(new MxResolverVerticle(Addresses.DEFAULT, mx)).await();
    vertx.deployVerticle(new DeliveryVerticle(Addresses.DEFAULT, options, "postino.test", dir)).await();
  }

  OutboundOptions fast() {
    return new OutboundOptions().setConnectTimeout(Duration.ofSeconds(2))
        .setCommandTimeout(Duration.ofSeconds(3)).setDataTimeout(Duration.ofSeconds(3));
  }

  DeliveryJob job(String content, String... recipients) throws IOException {
    return job(MailParameters.NONE, content.getBytes(StandardCharsets.UTF_8), recipients);
  }

  DeliveryJob job(MailParameters parameters, byte[] content, String... recipients) throws IOException {
    Path file = Files.createTempFile(dir, "msg", "");
    Files.write(file, concat(PREFIX, content));
    List<DeliveryJob.Recipient> rcpts = Arrays.stream(recipients)
        .map(r -> new DeliveryJob.Recipient(address(r), RcptParameters.NONE)).toList();
    return new DeliveryJob("Q1", address(recipients[0]).domain(), new MailAddress("alice", "example.org"), parameters,
        rcpts, new DeliveryJob.Content(file.toString(), PREFIX.length, content.length));
  }

  static MailAddress address(String s) {
    int at = s.lastIndexOf('@');
    return new MailAddress(s.substring(0, at), s.substring(at + 1));
  }

  DeliveryReply deliver(DeliveryJob job) {
    JsonObject body = vertx.eventBus().<JsonObject>request(Addresses.DEFAULT.deliverySubmit(), job.toJson(),
        new DeliveryOptions().setSendTimeout(20_000)).await().body();
    return DeliveryReply.fromJson(body);
  }

  static byte[] concat(byte[] a, byte[] b) {
    byte[] all = Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, all, a.length, b.length);
    return all;
  }

  /** A port on 127.0.0.1 with nothing listening. */
  static int deadPort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
      return s.getLocalPort();
    }
  }
}
