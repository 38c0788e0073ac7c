package io.postino.dkim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * ARC validation (RFC 8617) with {@code dkim.verify}, over SMTP: chains sealed by dkimpy
 * ({@code dkim.arc_sign}) with a key served by a DNS responder on loopback pass, and dkimpy's own
 * validator agrees; a message altered after the last seal, a chain a sealer marked failed
 * ({@code cv=fail}) and a chain with a set missing fail; an older message signature broken by a
 * forwarder shows in {@code header.oldest-pass}.
 */
class ArcVerificationTest {

  private static final String MESSAGE = "Authentication-Results: list.example; dkim=pass header.d=author.example\r\n"
      + "From: Carol <carol@author.example>\r\n"
      + "To: list@list.example\r\n"
      + "Subject: minutes\r\n"
      + "Date: Sat, 05 Dec 2026 11:00:00 +0000\r\n"
      + "\r\n"
      + "The minutes  are attached.\r\n";

  @TempDir
  Path dir;
  DkimTestbed bed;

  @BeforeEach
  void setUp() throws Exception {
    bed = new DkimTestbed(dir);
    bed.dkim().put("verify", true);
    bed.server.start();
  }

  @AfterEach
  void tearDown() throws Exception {
    bed.close();
  }

  /** The message with one more ARC set, sealed for signer.example by the ADMD {@code authservId}. */
  private String seal(String message, String authservId) throws Exception {
    return new String(DkimPeers.dkimpySeal(message.getBytes(StandardCharsets.ISO_8859_1), "s2026r", "signer.example",
        dir.resolve("keys/rsa.pem"), authservId, dir), StandardCharsets.ISO_8859_1);
  }

  /** Sealed by the list (i=1, cv=none), then by a forwarder that found the chain {@code forwarderSaw} (i=2). */
  private String twoSets(String forwarderSaw) throws Exception {
    String once = seal(MESSAGE, "list.example");
    return seal("Authentication-Results: fwd.example; arc=" + forwarderSaw + "\r\n" + once, "fwd.example");
  }

  /** The {@code arc=} result in the Authentication-Results of a delivered message, unfolded. */
  static String arc(Path delivered) throws Exception {
    String text = Files.readString(delivered, StandardCharsets.ISO_8859_1);
    Matcher m = Pattern.compile("(?m)^Authentication-Results: mx\\.test\\.example(.*(?:\r\n\t.*)*)\r\n").matcher(text);
    assertTrue(m.find(), text);
    Matcher arc = Pattern.compile("arc=[^;]*").matcher(m.group(1).replace("\r\n\t", " "));
    assertTrue(arc.find(), m.group(1));
    return arc.group();
  }

  @Test
  void aChainSealedTwiceByDkimpyPasses() throws Exception {
    String sealed = twoSets("pass");
    assertEquals("arc=pass header.oldest-pass=0 smtp.remote-ip=127.0.0.1", arc(bed.send(sealed, false)));
    Path file = Files.writeString(dir.resolve("sealed.eml"), sealed, StandardCharsets.ISO_8859_1);
    String dkimpy = DkimPeers.dkimpyArcVerify(file, bed.dns.port(), dir);
    assertTrue(dkimpy.startsWith("arc=pass"), dkimpy);
  }

  @Test
  void aMessageAlteredAfterTheLastSealFails() throws Exception {
    String altered = twoSets("pass").replace("attached", "lost");
    assertEquals("arc=fail (ARC-Message-Signature i=2: body hash did not verify) smtp.remote-ip=127.0.0.1",
        arc(bed.send(altered, false)));
    String header = twoSets("pass").replace("Subject: minutes", "Subject: agenda");
    assertEquals("arc=fail (ARC-Message-Signature i=2: signature did not verify) smtp.remote-ip=127.0.0.1",
        arc(bed.send(header, false)));
    Path file = Files.writeString(dir.resolve("altered.eml"), altered, StandardCharsets.ISO_8859_1);
    String dkimpy = DkimPeers.dkimpyArcVerify(file, bed.dns.port(), dir);
    assertTrue(dkimpy.startsWith("arc=fail"), dkimpy);
  }

  @Test
  void aChainMarkedFailedByASealerFails() throws Exception {
    assertEquals("arc=fail (ARC-Seal i=2 says the chain failed [cv=fail]) smtp.remote-ip=127.0.0.1",
        arc(bed.send(twoSets("fail"), false)));
  }

  @Test
  void aSealAlteredOrASetMissingFails() throws Exception {
    String sealed = twoSets("pass");
    // the first set's results rewritten: only the seals cover them
    String forged = sealed.replace("ARC-Authentication-Results: i=1; list.example; dkim=pass",
        "ARC-Authentication-Results: i=1; list.example; dkim=pass; spf=pass");
    assertTrue(!forged.equals(sealed), sealed);
    assertEquals("arc=fail (ARC-Seal i=2: signature did not verify) smtp.remote-ip=127.0.0.1",
        arc(bed.send(forged, false)));
    String incomplete = sealed.replaceFirst("(?m)^ARC-Authentication-Results: i=1;[^\r]*\r\n", "");
    assertEquals("arc=fail (ARC set i=1 is incomplete) smtp.remote-ip=127.0.0.1", arc(bed.send(incomplete, false)));
  }

  @Test
  void anOlderSignatureBrokenOnTheWayShowsInOldestPass() throws Exception {
    // the list seals, a forwarder changes the body and seals the chain it still found intact
    String once = seal(MESSAGE, "list.example").replace("attached", "in the wiki");
    String twice = seal("Authentication-Results: fwd.example; arc=pass\r\n" + once, "fwd.example");
    assertEquals("arc=pass header.oldest-pass=2 smtp.remote-ip=127.0.0.1", arc(bed.send(twice, false)));
  }

  @Test
  void aMessageWithoutArcFieldsHasNone() throws Exception {
    assertEquals("arc=none", arc(bed.send(MESSAGE, false)));
  }
}
