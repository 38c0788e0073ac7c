package io.postino.dnsbl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import org.junit.jupiter.api.Test;

/** The names DNS lists are asked (RFC 5782 sections 2.1 and 2.4). */
class QueryNameTest {

  @Test
  void ipv4IsItsOctetsReversed() {
    assertEquals("99.2.0.192.zen.example", QueryName.of("192.0.2.99", "zen.example"));
    assertEquals("5.0.0.127.bl.test", QueryName.of("127.0.0.5", "bl.test"));
  }

  @Test
  void ipv6IsItsNibblesReversedAllThirtyTwoOfThem() {
    // RFC 5782 section 2.4's example
    assertEquals("b.a.9.8.7.6.5.0.4.0.0.0.3.0.0.0.2.0.0.0.1.0.0.0.8.b.d.0.1.0.0.2.bl.test",
        QueryName.of("2001:db8:1:2:3:4:567:89ab", "bl.test"));
    assertEquals("1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.bl.test",
        QueryName.of("0:0:0:0:0:0:0:1%0", "bl.test"));
  }

  @Test
  void anIpv4MappedAddressIsAskedAsIpv4() {
    assertEquals("1.2.0.192.bl.test", QueryName.of("::ffff:192.0.2.1", "bl.test"));
  }

  @Test
  void somethingElseIsNotAsked() {
    assertNull(QueryName.of("mail.example", "bl.test"));
  }
}
