package io.postino.dkim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The signed-field list, the author domain, and the layout of the signature field. */
class SignatureBuilderTest {

  @Test
  void fromIsOverSignedAndOnlyPresentFieldsAreListed() {
    List<String> fields = List.of("Received: from x", "From: a@b.example", "To: c@d.example", "To: e@f.example",
        "Subject: s", "X-Mailer: m", "list-unsubscribe: <mailto:u@b.example>", "List-Id: <l.b.example>",
        "Content-Type: text/plain");
    assertEquals(List.of("From", "From", "Subject", "To", "To", "Content-Type", "list-unsubscribe", "List-Id"),
        SignatureBuilder.signedNames(fields));
  }

  @Test
  void theAuthorDomainIsTheSingleFromMailboxDomain() {
    assertEquals("signer.example", AuthorDomain.of(List.of("From: Alice <alice@Signer.Example>")));
    assertEquals("signer.example", AuthorDomain.of(List.of("from :alice@signer.example (Alice)")));
    assertEquals("signer.example", AuthorDomain.of(List.of("From: \"Bob <bob@evil.example>, x\" <a@signer.example>")));
    assertEquals("signer.example", AuthorDomain.of(List.of("From: \"a@evil.example\"@signer.example")));
    assertNull(AuthorDomain.of(List.of("To: a@b.example")));
    assertNull(AuthorDomain.of(List.of("From: a@b.example", "From: c@d.example")));
    assertNull(AuthorDomain.of(List.of("From: a@b.example, c@d.example")));
    assertNull(AuthorDomain.of(List.of("From: undisclosed:;")));
    assertNull(AuthorDomain.of(List.of("From: nobody")));
  }

  @Test
  void theFieldIsFoldedAndBIsTheLastTag() throws Exception {
    DkimKey key = new DkimKey("Signer.Example", "s1", Algorithm.ED25519_SHA256, Rfc8463VectorTest.ed25519Key());
    String field = SignatureBuilder.sign(key, List.of("From: a@signer.example", "Subject: x"), new byte[32],
        Canonicalization.RELAXED, Canonicalization.SIMPLE, 1700000000, 1700086400);
    assertTrue(field.startsWith("DKIM-Signature: v=1; a=ed25519-sha256; c=relaxed/simple; d=signer.example;"), field);
    assertTrue(field.contains(" t=1700000000; x=1700086400;"), field);
    assertTrue(field.replace("\r\n\t", "").contains("h=From:From:Subject;"), field);
    assertTrue(field.endsWith("\r\n"), field);
    for (String line : field.split("\r\n")) {
      assertTrue(line.length() <= 78, line);
    }
    assertTrue(field.matches("(?s).*; b=[A-Za-z0-9+/]{4}.*"), "the signature starts right after b=: " + field);
  }
}
