package io.postino.dkim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.interfaces.EdECPrivateKey;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Inbound verification with {@code dkim.verify}: mail received over SMTP gets one
 * Authentication-Results field with a result per signature, its body hash computed as it streamed
 * to the spool and its key records fetched from a DNS responder on loopback (and cached). Messages
 * signed by dkimpy and the RFC 8463 example pass; altered ones fail.
 */
class DkimVerificationTest {

  private static final String UNSIGNED = "From: Carol <carol@signer.example>\r\n"
      + "To: Bob <bob@local.example>\r\n"
      + "Subject: lunch\r\n"
      + "Date: Sat, 05 Dec 2026 11:00:00 +0000\r\n"
      + "\r\n"
      + "Lunch at  noon?\r\n";

  @TempDir
  Path dir;
  DkimTestbed bed;

  @BeforeEach
  void setUp() throws Exception {
    bed = new DkimTestbed(dir);
    bed.dkim().put("verify", true);
  }

  @AfterEach
  void tearDown() throws Exception {
    bed.close();
  }

  /** The Authentication-Results field of a delivered message, unfolded. */
  private static String authenticationResults(Path delivered) throws Exception {
    String text = Files.readString(delivered, StandardCharsets.ISO_8859_1);
    Matcher m = Pattern.compile("(?m)^Authentication-Results: (.*(?:\r\n\t.*)*)\r\n").matcher(text);
    assertTrue(m.find(), text);
    String found = m.group(1).replace("\r\n\t", " ");
    assertTrue(!m.find(), "one Authentication-Results field: " + text);
    return found;
  }

  private String signedByDkimpy() throws Exception {
    Path ed = dir.resolve("ed.seed");
    byte[] seed = ((EdECPrivateKey) DkimTestbed.ed().getPrivate()).getBytes().orElseThrow();
    Files.writeString(ed, Base64.getEncoder().encodeToString(seed));
    byte[] once = DkimPeers.dkimpySign(UNSIGNED.getBytes(StandardCharsets.US_ASCII), "s2026r", "signer.example",
        dir.resolve("keys/rsa.pem"), "rsa-sha256", dir);
    return new String(DkimPeers.dkimpySign(once, "s2026e", "signer.example", ed, "ed25519-sha256", dir),
        StandardCharsets.ISO_8859_1);
  }

  @Test
  void messagesSignedByDkimpyPassAndTheKeyRecordsAreCached() throws Exception {
    bed.server.start();
    String signed = signedByDkimpy();
    String results = authenticationResults(bed.send(signed, false));
    assertTrue(results.startsWith("mx.test.example; dkim=pass header.d=signer.example header.s=s2026e"
        + " header.a=ed25519-sha256 header.b="), results);
    assertTrue(results.contains("; dkim=pass header.d=signer.example header.s=s2026r header.a=rsa-sha256"), results);

    authenticationResults(bed.send(signed, false));
    assertEquals(1, bed.dns.count("s2026r._domainkey.signer.example", "TXT"), "the key record came from the cache");
  }

  @Test
  void aMessageAlteredInTransitFails() throws Exception {
    bed.server.start();
    String results = authenticationResults(bed.send(signedByDkimpy().replace("noon", "one"), false));
    assertEquals(2, results.split("dkim=fail \\(body hash did not verify\\)", -1).length - 1, results);
    String header = authenticationResults(bed.send(signedByDkimpy().replace("Subject: lunch", "Subject: dinner"),
        false));
    assertEquals(2, header.split("dkim=fail \\(signature did not verify\\)", -1).length - 1, header);
  }

  @Test
  void theRfc8463ExampleVerifies() throws Exception {
    bed.dns.zone(DkimTestbed.txt("brisbane._domainkey.football.example.com.", Rfc8463VectorTest.ED25519_RECORD),
        DkimTestbed.txt("test._domainkey.football.example.com.", "v=DKIM1; k=rsa; p=MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQDkHlOQ"
            + "oBTzWRiGs5V6NpP3idY6Wk08a5qhdR6wy5bdOKb2jLQiY/J16JYi0Qvx/byYzCNb3W91y3FutACDfzwQ/BC/e/8uBsCR+yz1Lxj+PL6lHvqM"
            + "KrM3rG4hstT5QjvHO9PzoxZyVYLzBfO2EeC3Ip3G+2kryOTIKT+l/K4w3QIDAQAB"));
    bed.server.start();
    String message = Rfc8463VectorTest.signedMessage();
    String results = authenticationResults(bed.send(message, false));
    assertTrue(results.contains("dkim=pass header.d=football.example.com header.s=brisbane header.a=ed25519-sha256"),
        results);
    assertTrue(results.contains("dkim=pass header.d=football.example.com header.s=test header.a=rsa-sha256"), results);
  }

  @Test
  void aKeyRecordOfSeveralStringsIsFoundAmongOtherTxtRecords() throws Exception {
    // RFC 6376 section 3.6.2.2: a record's strings are joined; other TXT records at the selector are not
    // part of it, before or after it
    String rsa = "v=DKIM1; k=rsa; p=MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQDkHlOQ"
        + "oBTzWRiGs5V6NpP3idY6Wk08a5qhdR6wy5bdOKb2jLQiY/J16JYi0Qvx/byYzCNb3W91y3FutACDfzwQ/BC/e/8uBsCR+yz1Lxj+PL6lHvqM"
        + "KrM3rG4hstT5QjvHO9PzoxZyVYLzBfO2EeC3Ip3G+2kryOTIKT+l/K4w3QIDAQAB";
    String split = DkimTestbed.txt("test._domainkey.football.example.com.", rsa);
    assertTrue(split.split("\" \"").length == 2, "two strings: " + split);
    bed.dns.zone("test._domainkey.football.example.com. 300 IN TXT \"google-site-verification=abc\"", split,
        "test._domainkey.football.example.com. 300 IN TXT \"v=spf1 -all\"",
        DkimTestbed.txt("brisbane._domainkey.football.example.com.", Rfc8463VectorTest.ED25519_RECORD),
        "brisbane._domainkey.football.example.com. 300 IN TXT \"MS=ms12345\"");
    bed.server.start();
    String results = authenticationResults(bed.send(Rfc8463VectorTest.signedMessage(), false));
    assertTrue(results.contains("dkim=pass header.d=football.example.com header.s=brisbane header.a=ed25519-sha256"),
        results);
    assertTrue(results.contains("dkim=pass header.d=football.example.com header.s=test header.a=rsa-sha256"), results);
  }

  @Test
  void noSignatureUnknownKeysAndOwnMail() throws Exception {
    bed.server.start();
    assertEquals("mx.test.example; dkim=none; arc=none", authenticationResults(bed.send(UNSIGNED, false)));
    String unknown = signedByDkimpy().replace("s=s2026r", "s=gone");
    assertTrue(authenticationResults(bed.send(unknown, false)).contains("dkim=permerror (no key record) header.d=signer.example"
        + " header.s=gone"));
    // mail from an authenticated client is signed, not verified
    Path own = bed.send(DkimSigningInteropTest.MESSAGE, true);
    assertTrue(!Files.readString(own, StandardCharsets.ISO_8859_1).contains("Authentication-Results"));
  }

  @Test
  void verificationIsOffByDefault() throws Exception {
    bed.dkim().remove("verify");
    bed.server.start();
    Path delivered = bed.send(signedByDkimpy(), false);
    assertTrue(!Files.readString(delivered, StandardCharsets.ISO_8859_1).contains("Authentication-Results"));
    assertEquals(List.of(), bed.dns.queries());
  }
}
