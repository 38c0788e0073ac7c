package io.postino.mtasts;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The {@code _mta-sts} TXT record (RFC 8461 section 3.1). */
class StsRecordTest {

  @Test
  void theIdOfTheOneStsRecord() {
    assertEquals("20160831085700Z", StsRecord.id(List.of("v=STSv1; id=20160831085700Z;")));
    assertEquals("abc", StsRecord.id(List.of("v=STSv1;id=abc")));
    assertEquals("abc", StsRecord.id(List.of("v=STSv1; ext=1; id=abc; other=x")));
  }

  @Test
  void otherRecordsAreIgnored() {
    assertEquals("abc", StsRecord.id(List.of("v=spf1 -all", "v=STSv1; id=abc;", "hello")));
  }

  @Test
  void twoStsRecordsMeanNoPolicy() {
    assertNull(StsRecord.id(List.of("v=STSv1; id=abc;", "v=STSv1; id=def;")));
  }

  @Test
  void invalidRecordsMeanNoPolicy() {
    assertNull(StsRecord.id(List.of()));
    assertNull(StsRecord.id(List.of("v=STSv1")), "no id");
    assertNull(StsRecord.id(List.of("v=STSv1; id=;")), "empty id");
    assertNull(StsRecord.id(List.of("v=STSv1; id=a-b;")), "id with a hyphen");
    assertNull(StsRecord.id(List.of("v=STSv1; id=" + "a".repeat(33))), "id over 32 characters");
    assertNull(StsRecord.id(List.of("id=abc; v=STSv1;")), "v not first");
    assertNull(StsRecord.id(List.of("v=STSv2; id=abc;")));
    assertNull(StsRecord.id(List.of("v=STSv1; ; id=abc")), "empty field in the middle");
    assertNull(StsRecord.id(List.of("v=STSv1; junk; id=abc")), "a field without =");
  }
}
