package io.postino.it;

import static io.postino.testing.SmtpTestClient.expect;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.postino.dns.TestDnsServer;
import io.postino.testing.LogCapture;
import io.postino.testing.SmtpSink;
import io.postino.testing.SmtpTestClient;
import io.postino.testing.TestCertificate;
import io.postino.testing.TestCa;
import io.postino.testing.TestServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * DANE in a whole node, as configured (the default {@code delivery.tlsPolicy.dane: may}, the DNS
 * server on loopback whose AD bit is believed): what the operator reads in the delivery lines for
 * a destination whose certificate matches its TLSA record and one whose does not.
 */
class DaneLogLinesTest {

  @TempDir
  Path dir;

  private final LogCapture log = new LogCapture();

  @AfterEach
  void tearDown() {
    log.close();
  }

  @Test
  void aMatchingTlsaRecordIsLoggedAsVerifiedDaneAndAMismatchAsADeferral() throws Exception {
    TestCa.Issued cert = TestCa.selfSigned("mx.dest.test").dns("mx.dest.test").issue();
    TestCa.Issued other = TestCa.selfSigned("mx.bad.test").dns("mx.bad.test").issue();
    try (TestDnsServer dns = TestDnsServer.start();
        SmtpSink sink = new SmtpSink().startWithTls(TestCertificate.serving(cert));
        TestServer server = new TestServer(dir)) {
      String port = String.valueOf(sink.port());
      dns.zone("dest.test. 300 IN MX 10 mx.dest.test.", "mx.dest.test. 300 IN A 127.0.0.1",
          "_" + port + "._tcp.mx.dest.test. 300 IN TLSA 3 1 1 " + spki(cert),
          "bad.test. 300 IN MX 10 mx.bad.test.", "mx.bad.test. 300 IN A 127.0.0.1",
          "_" + port + "._tcp.mx.bad.test. 300 IN TLSA 3 1 1 " + spki(other));
      dns.signed("dest.test", "mx.dest.test", "_" + port + "._tcp.mx.dest.test", "bad.test", "mx.bad.test",
          "_" + port + "._tcp.mx.bad.test");
      server.config.put("dns", new JsonObject().put("servers", new JsonArray().add(dns.address()))
          .put("queryTimeout", 500).put("retries", 0).put("smtpPort", sink.port()));
      server.start();
      String queueId;
      try (SmtpTestClient c = server.connect()) {
        expect(c.startData("alice@local.example", "bob@dest.test", "carol@bad.test"), 354);
        c.send("Subject: out\r\n\r\nhello\r\n.\r\n");
        String text = expect(c.read(), 250).text();
        queueId = text.substring(text.indexOf("queued as ") + 10).trim();
      }
      String id = Pattern.quote(queueId);
      log.await(id + ": to=<bob@dest\\.test>, relay=mx\\.dest\\.test\\[127\\.0\\.0\\.1\\]:" + port
          + ", .*, tls=dane:TLSv1\\.[23]:\\w+:verified, dsn=2\\.0\\.0, status=sent ");
      log.await(id + ": to=<carol@bad\\.test>, .*dsn=4\\.7\\.5, status=deferred \\(.*TLS handshake with "
          + "mx\\.bad\\.test.*");
      assertEquals(1, sink.transactions(), "only the matching host got mail");
    }
  }

  private static String spki(TestCa.Issued issued) throws Exception {
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
        .digest(issued.certificate().getPublicKey().getEncoded()));
  }
}
