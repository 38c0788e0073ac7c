package io.postino.server;

import static io.postino.testing.SmtpTestClient.expect;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.postino.Reloaded;
import io.postino.testing.HaProxy;
import io.postino.testing.LogCapture;
import io.postino.testing.SmtpTestClient;
import io.postino.testing.TestServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import javax.net.ssl.SSLEngine;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The SMTP listener behind a real HAProxy ({@link HaProxy}) speaking the PROXY protocol, versions 1
 * and 2. Loopback has a whole /8: clients connect to HAProxy from 127.0.0.3 (a trusted network) or
 * 127.0.0.4 (not one), and HAProxy connects to Postino from 127.0.0.2, the one trusted proxy and
 * itself a trusted network, so that any decision taken on the proxy's address rather than the
 * client's shows.
 */
class ProxyProtocolTest {

  private static final String PROXY = HaProxy.SOURCE;
  private static final String TRUSTED_CLIENT = "127.0.0.3";
  private static final String OTHER_CLIENT = "127.0.0.4";

  @TempDir
  Path dir;
  TestServer server;
  HaProxy haproxy;
  LogCapture logs;

  @BeforeEach
  void setUp() {
    server = new TestServer(dir).withSubmission();
    server.config.put("trustedNetworks", new JsonArray().add(PROXY + "/32").add(TRUSTED_CLIENT + "/32"));
    server.smtp().put("proxyProtocol", new JsonObject()
        .put("trustedProxies", new JsonArray().add(PROXY + "/32"))
        .put("timeout", 0.5));
    logs = new LogCapture();
  }

  @AfterEach
  void tearDown() throws Exception {
    logs.close();
    if (haproxy != null) {
      haproxy.close();
    }
    server.close();
  }

  private void start() throws Exception {
    server.start();
    haproxy = HaProxy.start(dir, server.port());
  }

  private int frontend(int version) {
    return version == 1 ? haproxy.v1Port() : haproxy.v2Port();
  }

  private static SmtpTestClient greeted(SmtpTestClient c) throws Exception {
    expect(c.read(), 220);
    return c;
  }

  @ParameterizedTest(name = "PROXY v{0}")
  @ValueSource(ints = {1, 2})
  void aClientThroughHaProxyIsLoggedReceivedAndTrustedByItsOwnAddress(int version) throws Exception {
    start();
    try (SmtpTestClient c = greeted(new SmtpTestClient(TRUSTED_CLIENT, frontend(version), 10_000))) {
      expect(c.command("EHLO client.example"), 250);
      expect(c.command("MAIL FROM:<sender@client.example>"), 250);
      // relay: allowed for the trusted network the client is in
      expect(c.command("RCPT TO:<someone@elsewhere.example>"), 250);
      expect(c.command("RCPT TO:<alice@local.example>"), 250);
      expect(c.command("DATA"), 354);
      c.send("Subject: through a balancer\r\n\r\nhello\r\n.\r\n");
      expect(c.read(), 250);
      expect(c.command("QUIT"), 221);
    }
    server.nextInbound();
    String message = Files.readString(server.mailbox("local.example", "alice").get(0), StandardCharsets.UTF_8);
    assertTrue(message.contains("\nReceived: from client.example ([" + TRUSTED_CLIENT + "])\r\n"), message);
    assertFalse(message.contains(PROXY), message);
    logs.await("connect from unknown\\[" + TRUSTED_CLIENT.replace(".", "\\.") + "\\]:");
    logs.await("\\w+: client=unknown\\[" + TRUSTED_CLIENT.replace(".", "\\.") + "\\]:");
    assertTrue(logs.lines().stream().noneMatch(l -> l.contains("[" + PROXY + "]")), logs.lines().toString());
  }

  @ParameterizedTest(name = "PROXY v{0}")
  @ValueSource(ints = {1, 2})
  void relayIsDecidedOnTheClientsAddressNotTheProxys(int version) throws Exception {
    start();
    try (SmtpTestClient c = greeted(new SmtpTestClient(OTHER_CLIENT, frontend(version), 10_000))) {
      expect(c.command("EHLO client.example"), 250);
      expect(c.command("MAIL FROM:<sender@client.example>"), 250);
      assertEquals("5.7.1", expect(c.command("RCPT TO:<someone@elsewhere.example>"), 554).enhanced());
      expect(c.command("RCPT TO:<alice@local.example>"), 250);
    }
  }

  @Test
  void theConnectionLimitPerClientCountsTheClientsNotTheProxy() throws Exception {
    server.smtp().put("maxConnectionsPerClient", 1);
    start();
    try (SmtpTestClient first = greeted(new SmtpTestClient(TRUSTED_CLIENT, haproxy.v1Port(), 10_000));
        SmtpTestClient second = new SmtpTestClient(TRUSTED_CLIENT, haproxy.v2Port(), 10_000);
        SmtpTestClient other = new SmtpTestClient(OTHER_CLIENT, haproxy.v1Port(), 10_000)) {
      assertEquals("4.7.0", expect(second.read(), 421).enhanced());
      expect(other.read(), 220);
      expect(first.command("NOOP"), 250);
    }
  }

  @ParameterizedTest(name = "PROXY v{0}")
  @ValueSource(ints = {1, 2})
  void aHeaderFromAPeerThatIsNoTrustedProxyIsRefused(int version) throws Exception {
    start();
    // straight to Postino from 127.0.0.1, claiming to forward a client of a trusted network
    try (SmtpTestClient c = new SmtpTestClient(server.port())) {
      c.sendBytes(header(version, TRUSTED_CLIENT, 40000));
      assertEquals("5.7.1", expect(c.read(), 554).enhanced());
      assertTrue(c.closedByServer());
    }
    logs.await("NOQUEUE: reject: CONNECT from unknown\\[127\\.0\\.0\\.1\\]:\\d+: 554 5\\.7\\.1 ");
  }

  @Test
  void aTrustedProxyThatSendsNoValidHeaderIsClosedWithoutAGreeting() throws Exception {
    start();
    try (SmtpTestClient c = new SmtpTestClient(PROXY, server.port(), 10_000)) {
      c.send("EHLO client.example\r\n");
      assertArrayEquals(new byte[0], c.readUntilClosed());
    }
    // a version 2 signature with a command that is neither LOCAL nor PROXY
    try (SmtpTestClient c = new SmtpTestClient(PROXY, server.port(), 10_000)) {
      byte[] bad = header(2, TRUSTED_CLIENT, 40000);
      bad[12] = 0x2F;
      c.sendBytes(bad);
      assertArrayEquals(new byte[0], c.readUntilClosed());
    }
    logs.await("PROXY protocol: connection closed: ");
  }

  @Test
  void aPeerThatSendsNothingIsClosedAfterTheHeaderTimeout() throws Exception {
    start();
    // closed by the configured 0.5 s, well within the client's 5 s, not by Vert.x's default 10 s
    try (SmtpTestClient c = new SmtpTestClient(PROXY, server.port(), 5_000)) {
      assertArrayEquals(new byte[0], c.readUntilClosed());
    }
  }

  @Test
  void aHealthCheckWithALocalHeaderIsTheProxysOwnSession() throws Exception {
    start();
    try (SmtpTestClient c = new SmtpTestClient(PROXY, server.port(), 10_000)) {
      // version 2, command LOCAL, no addresses: what a balancer's check sends
      byte[] local = new byte[16];
      System.arraycopy(SIGNATURE, 0, local, 0, 12);
      local[12] = 0x20;
      c.sendBytes(local);
      expect(c.read(), 220);
      expect(c.command("QUIT"), 221);
    }
    logs.await("connect from unknown\\[127\\.0\\.0\\.2\\]:");
  }

  @Test
  void aListenerWithoutProxyProtocolReadsNoHeader() throws Exception {
    start();
    try (SmtpTestClient c = greeted(new SmtpTestClient(TRUSTED_CLIENT, server.submissionPort(), 10_000))) {
      expect(c.command("EHLO client.example"), 250);
      // a header line there is only a line that is no command
      assertEquals("5.5.2", expect(c.command(new String(header(1, OTHER_CLIENT, 40000), StandardCharsets.US_ASCII)
          .strip()), 500).enhanced());
    }
    logs.await("connect from unknown\\[127\\.0\\.0\\.3\\]:");
  }

  @Test
  void submissionAndImplicitTlsHaveTheirOwnProxyProtocol() throws Exception {
    JsonObject proxyProtocol = new JsonObject().put("trustedProxies", new JsonArray().add(PROXY));
    server.smtp().remove("proxyProtocol");
    server.withSubmission().withSmtps();
    server.config.getJsonObject("submission").put("proxyProtocol", proxyProtocol);
    server.config.getJsonObject("smtps").put("proxyProtocol", proxyProtocol.copy());
    server.start();
    try (SmtpTestClient c = new SmtpTestClient(PROXY, server.submissionPort(), 10_000)) {
      c.sendBytes(header(2, OTHER_CLIENT, 40001));
      expect(c.read(), 220);
      expect(c.command("QUIT"), 221);
    }
    logs.await("connect from unknown\\[127\\.0\\.0\\.4\\]:40001");
    // the header comes before the TLS handshake
    try (SmtpTestClient c = new SmtpTestClient(PROXY, server.smtpsPort(), 10_000)) {
      c.sendBytes(header(1, OTHER_CLIENT, 40002));
      c.handshake();
      expect(c.read(), 220);
      expect(c.command("QUIT"), 221);
    }
    logs.await("connect from unknown\\[127\\.0\\.0\\.4\\]:40002");
    // the ClientHello in the same packet as the header, as a balancer may pass them on: it goes
    // through TLS, which answers with its ServerHello (a handshake record, 0x16)
    try (SmtpTestClient c = new SmtpTestClient(PROXY, server.smtpsPort(), 10_000)) {
      SSLEngine engine = SmtpTestClient.trustAll().createSSLEngine("localhost", server.smtpsPort());
      engine.setUseClientMode(true);
      engine.beginHandshake();
      ByteBuffer hello = ByteBuffer.allocate(engine.getSession().getPacketBufferSize());
      engine.wrap(ByteBuffer.allocate(0), hello);
      byte[] header = header(2, OTHER_CLIENT, 40004);
      byte[] both = Arrays.copyOf(header, header.length + hello.position());
      System.arraycopy(hello.array(), 0, both, header.length, hello.position());
      c.sendBytes(both);
      assertEquals(0x16, c.rawInput().read());
    }
    // on implicit TLS a peer that is no trusted proxy is closed without a word
    try (SmtpTestClient c = new SmtpTestClient(server.smtpsPort())) {
      c.sendBytes(header(1, OTHER_CLIENT, 40003));
      assertArrayEquals(new byte[0], c.readUntilClosed());
    }
    // and the SMTP listener, without the option, greets at once
    try (SmtpTestClient c = greeted(new SmtpTestClient(TRUSTED_CLIENT, server.port(), 10_000))) {
      expect(c.command("QUIT"), 221);
    }
  }

  @Test
  void aReloadKeepsTheProxiesTheListenerStartedWithAndSaysSo() throws Exception {
    start();
    JsonObject next = server.config.copy();
    next.getJsonObject("smtp").getJsonObject("proxyProtocol").put("trustedProxies", new JsonArray().add("127.0.0.1/32"));
    Reloaded reloaded = server.postino.reload(next).await();
    assertEquals(List.of("smtp.proxyProtocol.trustedProxies"), reloaded.needsRestart());
    assertEquals(List.of(), reloaded.applied());
    try (SmtpTestClient c = greeted(new SmtpTestClient(TRUSTED_CLIENT, haproxy.v2Port(), 10_000))) {
      expect(c.command("QUIT"), 221);
    }
    try (SmtpTestClient c = new SmtpTestClient(server.port())) {
      c.sendBytes(header(1, TRUSTED_CLIENT, 40000));
      expect(c.read(), 554);
    }
  }

  @Test
  void theOptionsReadBackAndAreRefusedWithoutATrustedProxy() {
    ServerOptions smtp = new ServerOptions(server.smtp());
    assertEquals(List.of(PROXY + "/32"), smtp.getProxyProtocol().getTrustedProxies());
    assertEquals(server.smtp().getJsonObject("proxyProtocol"), smtp.toJson().getJsonObject("proxyProtocol"));
    assertEquals(null, new ServerOptions(new JsonObject()).getProxyProtocol());
    JsonObject empty = new JsonObject().put("proxyProtocol", new JsonObject().put("trustedProxies", new JsonArray()));
    IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
        () -> new ServerOptions(empty));
    assertEquals("smtp.proxyProtocol: trustedProxies must name at least one network", e.getMessage());
    JsonObject submission = new JsonObject().put("enabled", true)
        .put("proxyProtocol", new JsonObject().put("trustedProxies", new JsonArray().add("10.0.0.0/8")));
    ListenerOptions listener = new ListenerOptions(submission, ListenerOptions.DEFAULT_SUBMISSION_PORT);
    assertTrue(listener.getProxyProtocol().isTrusted(new byte[] {10, 1, 2, 3}));
    assertFalse(listener.getProxyProtocol().isTrusted(new byte[] {127, 0, 0, 2}));
    assertEquals(ProxyProtocolOptions.DEFAULT_TIMEOUT, listener.getProxyProtocol().getTimeout());
  }

  private static final byte[] SIGNATURE = {0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A};

  /** A PROXY header for a TCP over IPv4 client at {@code source}:{@code port}, to 127.0.0.1:25. */
  private static byte[] header(int version, String source, int port) {
    if (version == 1) {
      return ("PROXY TCP4 " + source + " 127.0.0.1 " + port + " 25\r\n").getBytes(StandardCharsets.US_ASCII);
    }
    byte[] h = new byte[28];
    System.arraycopy(SIGNATURE, 0, h, 0, 12);
    h[12] = 0x21; // version 2, PROXY
    h[13] = 0x11; // TCP over IPv4
    h[15] = 12;   // the addresses' length
    String[] octets = source.split("\\.");
    for (int i = 0; i < 4; i++) {
      h[16 + i] = (byte) Integer.parseInt(octets[i]);
    }
    h[20] = 127;
    h[23] = 1;
    h[24] = (byte) (port >> 8);
    h[25] = (byte) port;
    h[27] = 25;
    return h;
  }
}
