package io.postino.spool;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.postino.bus.RecipientResult;
import io.postino.smtp.MailAddress;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The status file's lines about reports read back: who was warned, whose success was reported. */
class MessageStatusTest {

  private static List<String> lines(String... lines) {
    return List.of(lines);
  }

  @Test
  void warningsAndSuccessReportsAreKeptPerRecipient() {
    RecipientResult delivered = new RecipientResult(new MailAddress("carol", "example.org"),
        RecipientResult.Outcome.DELIVERED, 250, "2.0.0", "delivered to mailbox", false, null, null);
    MessageStatus s = MessageStatus.replay("Q", 3, lines(
        MessageStatus.resultLine(0, delivered).trim(),
        MessageStatus.successReportedLine(List.of(0)).trim(),
        MessageStatus.warnedLine(List.of(2)).trim()));

    assertTrue(s.isSuccessReported(0));
    assertFalse(s.isSuccessReported(1));
    assertFalse(s.isWarned(0));
    assertFalse(s.isWarned(1));
    assertTrue(s.isWarned(2));
    assertEquals(List.of(1, 2), s.pending());
  }

  @Test
  void aWarningWrittenForTheWholeMessageCoversEveryRecipient() {
    MessageStatus s = MessageStatus.replay("Q", 2, lines("{\"warned\":true}"));

    assertTrue(s.isWarned(0));
    assertTrue(s.isWarned(1));
  }
}
