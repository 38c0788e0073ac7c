package io.postino.dkim;

import static io.postino.testing.SmtpTestClient.expect;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.postino.testing.SmtpTestClient;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.yaml.snakeyaml.Yaml;

/**
 * The "Chain Validation" tests of ValiMail's ARC test suite (src/test/resources/arc-test-suite):
 * 29 messages: with no chain, passing chains of one to five sets, and chains with a missing, invalid
 * or wrongly marked seal or message signature, each sent over SMTP (BDAT, so their octets arrive
 * unchanged) to a Postino with {@code dkim.verify} whose DNS serves the suite's key record; its
 * {@code arc=} result must be the suite's {@code cv} (a chain the suite leaves without a result,
 * one whose newest seal says {@code cv=fail}, is {@code fail}, as RFC 8617 section 5.2 step 3 has
 * it).
 */
class ArcTestSuiteTest {

  @TempDir
  Path dir;
  DkimTestbed bed;
  Map<String, Object> suite;

  @BeforeEach
  @SuppressWarnings("unchecked")
  void setUp() throws Exception {
    try (InputStream in = getClass().getResourceAsStream("/arc-test-suite/chain-validation.yml")) {
      suite = new Yaml().load(in);
    }
    bed = new DkimTestbed(dir);
    ((Map<String, String>) suite.get("txt-records")).forEach((name, text) -> bed.dns.zone(DkimTestbed.txt(name + ".",
        text)));
    bed.dkim().put("verify", true);
    bed.server.start();
  }

  @AfterEach
  void tearDown() throws Exception {
    bed.close();
  }

  private String arcResult(String message) throws Exception {
    byte[] content = message.replace("\n", "\r\n").getBytes(StandardCharsets.UTF_8);
    try (SmtpTestClient c = bed.server.connect()) {
      expect(c.command("EHLO client.example"), 250);
      expect(c.command("MAIL FROM:<jqd@d1.example.org>"), 250);
      expect(c.command("RCPT TO:<bob@local.example>"), 250);
      c.send("BDAT " + content.length + " LAST\r\n");
      c.sendBytes(content);
      expect(c.read(), 250);
    }
    return ArcVerificationTest.arc(bed.delivered());
  }

  @Test
  @SuppressWarnings("unchecked")
  void chainValidation() throws Exception {
    Map<String, Map<String, Object>> tests = (Map<String, Map<String, Object>>) suite.get("tests");
    List<String> wrong = new ArrayList<>();
    for (Map.Entry<String, Map<String, Object>> t : tests.entrySet()) {
      String cv = String.valueOf(t.getValue().get("cv")).strip().toLowerCase(Locale.ROOT);
      String expected = "arc=" + (cv.isEmpty() ? "fail" : cv);
      String got = arcResult((String) t.getValue().get("message"));
      if (!got.startsWith(expected)) {
        wrong.add(t.getKey() + ": expected " + expected + ", got " + got);
      }
    }
    assertEquals(List.of(), wrong, tests.size() + " tests");
    assertEquals(29, tests.size(), "the suite's tests were all read: " + tests.keySet());
  }
}
