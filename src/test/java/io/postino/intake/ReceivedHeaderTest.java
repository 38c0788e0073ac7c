package io.postino.intake;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** The client part of the Received header: the real address always comes first in brackets. */
class ReceivedHeaderTest {

  @Test
  void validHeloNamesAndAddressLiteralsGoInAsTheyAre() {
    assertEquals("client.example ([192.0.2.7])", ReceivedHeader.fromClause("client.example", "192.0.2.7"));
    assertEquals("my_host.example ([192.0.2.7])", ReceivedHeader.fromClause("my_host.example", "192.0.2.7"));
    assertEquals("localhost ([192.0.2.7])", ReceivedHeader.fromClause("localhost", "192.0.2.7"));
    assertEquals("[198.51.100.1] ([192.0.2.7])", ReceivedHeader.fromClause("[198.51.100.1]", "192.0.2.7"));
    assertEquals("[IPv6:2001:db8::1] ([IPv6:2001:db8:0:0:0:0:0:7])",
        ReceivedHeader.fromClause("[IPv6:2001:db8::1]", "2001:db8:0:0:0:0:0:7"));
  }

  @Test
  void anythingElseIsReducedAndMarked() {
    assertEquals("unknown ([192.0.2.7] helo=trusted.example???10.99.0.1???by?mx.victim)",
        ReceivedHeader.fromClause("trusted.example ([10.99.0.1]) by mx.victim", "192.0.2.7"));
    // looks like an address without brackets: not a host name (numeric last label)
    assertEquals("unknown ([192.0.2.7] helo=10.99.0.1)", ReceivedHeader.fromClause("10.99.0.1", "192.0.2.7"));
    for (String bad : new String[] {"-a.example", "a-.example", "a..example", "a.example.", "[10.99.0.256]",
        "[10.99.0]", "[IPv6:zz::1]", "[tag:x]", "a b", "ex(ample)", "müller.example", "x".repeat(64) + ".example"}) {
      String clause = ReceivedHeader.fromClause(bad, "192.0.2.7");
      assertEquals("unknown ([192.0.2.7] helo=", clause.substring(0, clause.indexOf('=') + 1), bad);
      String reduced = clause.substring(clause.indexOf('=') + 1, clause.length() - 1);
      assertEquals(reduced.replaceAll("[^A-Za-z0-9._?-]", ""), reduced, bad);
    }
    assertEquals(255, ReceivedHeader.fromClause("y".repeat(600), "192.0.2.7").length()
        - "unknown ([192.0.2.7] helo=)".length());
  }
}
