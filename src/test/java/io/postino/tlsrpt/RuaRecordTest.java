package io.postino.tlsrpt;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The destinations of a domain's TLSRPT record (RFC 8460 section 3). */
class RuaRecordTest {

  @Test
  void mailtoAndHttpsDestinationsAreFound() {
    assertEquals(List.of("mailto:tlsrpt@example.com", "https://reports.example.com/v1"),
        RuaRecord.destinations(List.of("v=TLSRPTv1; rua=mailto:tlsrpt@example.com, https://reports.example.com/v1")));
    assertEquals(List.of("mailto:a@example.com"), RuaRecord.destinations(List.of("v=TLSRPTv1;rua=mailto:a@example.com;")));
  }

  @Test
  void otherRecordsAreIgnoredAndMoreThanOneMeansNone() {
    assertEquals(List.of("mailto:a@example.com"),
        RuaRecord.destinations(List.of("v=spf1 -all", "v=TLSRPTv1; rua=mailto:a@example.com")));
    assertEquals(List.of(), RuaRecord.destinations(List.of("v=TLSRPTv1; rua=mailto:a@example.com",
        "v=TLSRPTv1; rua=mailto:b@example.com")));
    assertEquals(List.of(), RuaRecord.destinations(List.of("v=TLSRPTv10; rua=mailto:a@example.com")));
    assertEquals(List.of(), RuaRecord.destinations(List.of()));
  }

  @Test
  void unsupportedSchemesAndAddresslessMailtosAreDropped() {
    assertEquals(List.of("https://r.example/"), RuaRecord.destinations(List.of(
        "v=TLSRPTv1; rua=http://r.example/,mailto:,ftp://r.example/,https://r.example/")));
  }

  @Test
  void aMailtoAddressIsDecoded() {
    assertEquals("tls!rpt,x@example.com", RuaRecord.mailbox("mailto:tls%21rpt%2Cx@example.com"));
    assertEquals("a@example.com", RuaRecord.mailbox("mailto:a@example.com?subject=x"));
  }
}
