package io.postino.smtp;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * Message-ID and Date added to submitted messages that lack them, at the end of the header
 * section; the output must not depend on how the content is cut into chunks.
 */
class SubmissionHeadersTest {

  private static final String ID = "Message-ID: <Q1@mx.example>\r\n";
  private static final String DATE = "Date: Tue, 1 Jul 2025 10:00:00 +0000\r\n";

  /** The content passed through whole, then split at every position, then a byte at a time. */
  private static String complete(String content) {
    byte[] in = content.getBytes(StandardCharsets.UTF_8);
    String whole = run(in, new int[] {in.length});
    for (int cut = 0; cut <= in.length; cut++) {
      assertEquals(whole, run(in, new int[] {cut, in.length - cut}), "split at " + cut);
    }
    int[] ones = new int[in.length];
    java.util.Arrays.fill(ones, 1);
    assertEquals(whole, run(in, ones), "byte by byte");
    return whole;
  }

  private static String run(byte[] in, int[] chunks) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    SubmissionHeaders h = new SubmissionHeaders("<Q1@mx.example>", "Tue, 1 Jul 2025 10:00:00 +0000", out::write);
    int off = 0;
    for (int n : chunks) {
      h.accept(in, off, n);
      off += n;
    }
    h.finish();
    return out.toString(StandardCharsets.UTF_8);
  }

  @Test
  void bothMissingAreAddedBeforeTheBlankLine() {
    assertEquals("Subject: hi\r\nFrom: a@b.example\r\n" + ID + DATE + "\r\nbody\r\n",
        complete("Subject: hi\r\nFrom: a@b.example\r\n\r\nbody\r\n"));
  }

  @Test
  void presentFieldsAreKeptInAnyCase() {
    String msg = "message-id: <x@y>\r\nDATE: Mon, 30 Jun 2025 09:00:00 +0000\r\nSubject: s\r\n\r\nbody\r\n";
    assertEquals(msg, complete(msg));
  }

  @Test
  void onlyTheMissingOneIsAdded() {
    assertEquals("Date: Mon, 30 Jun 2025 09:00:00 +0000\r\n" + ID + "\r\nb\r\n",
        complete("Date: Mon, 30 Jun 2025 09:00:00 +0000\r\n\r\nb\r\n"));
    assertEquals("Message-Id: <x@y>\r\n" + DATE + "\r\nb\r\n", complete("Message-Id: <x@y>\r\n\r\nb\r\n"));
  }

  @Test
  void obsoleteSpaceBeforeTheColonStillNamesTheField() {
    assertEquals("Date : Mon, 30 Jun 2025 09:00:00 +0000\r\n" + ID + "\r\nb\r\n",
        complete("Date : Mon, 30 Jun 2025 09:00:00 +0000\r\n\r\nb\r\n"));
  }

  @Test
  void aFoldedValueIsPartOfItsField() {
    String msg = "Subject: a\r\n Date: not a field\r\n\tmore\r\n\r\nb\r\n";
    assertEquals("Subject: a\r\n Date: not a field\r\n\tmore\r\n" + ID + DATE + "\r\nb\r\n", complete(msg));
  }

  @Test
  void fieldsThatOnlyStartLikeThemDoNotCount() {
    assertEquals("Resent-Date: x\r\nDates: y\r\nMessage-IDs: z\r\n" + ID + DATE + "\r\nb\r\n",
        complete("Resent-Date: x\r\nDates: y\r\nMessage-IDs: z\r\n\r\nb\r\n"));
  }

  @Test
  void aBodyWithoutHeadersGetsHeadersAndABlankLine() {
    assertEquals(ID + DATE + "\r\nHello there\r\nbye\r\n", complete("Hello there\r\nbye\r\n"));
    assertEquals(ID + DATE + "\r\n x\r\n", complete(" x\r\n"));
  }

  @Test
  void aNonHeaderLineEndsTheHeaderSection() {
    assertEquals("Subject: s\r\n" + ID + DATE + "\r\nnot a header\r\nDate: body\r\n",
        complete("Subject: s\r\nnot a header\r\nDate: body\r\n"));
  }

  @Test
  void aMessageThatIsAllHeaderSection() {
    assertEquals("Subject: s\r\n" + ID + DATE, complete("Subject: s\r\n"));
    assertEquals(ID + DATE, complete(""));
  }

  @Test
  void aLastHeaderLineWithoutLineEnd() {
    assertEquals("Subject: s\r\n" + ID + DATE, complete("Subject: s"));
    assertEquals("Subject: s\r\n" + ID + DATE + "\r\npartial", complete("Subject: s\r\npartial"));
  }

  @Test
  void anOverlongFieldNameIsTheStartOfTheBody() {
    String name = "X".repeat(SubmissionHeaders.MAX_FIELD_NAME + 10);
    assertEquals(ID + DATE + "\r\n" + name + ": v\r\n", complete(name + ": v\r\n"));
    String fits = "X".repeat(SubmissionHeaders.MAX_FIELD_NAME - 1);
    assertEquals(fits + ": v\r\n" + ID + DATE + "\r\nb\r\n", complete(fits + ": v\r\n\r\nb\r\n"));
  }

  @Test
  void theBodyIsNeverInspected() {
    String msg = "Subject: s\r\n\r\nMessage-ID: <not@header>\r\nDate: no\r\n";
    assertEquals("Subject: s\r\n" + ID + DATE + "\r\nMessage-ID: <not@header>\r\nDate: no\r\n", complete(msg));
  }

  @Test
  void eightBitHeaderValuesPassUnchanged() {
    String msg = "Subject: Grüße\r\n\r\nü\r\n";
    assertEquals("Subject: Grüße\r\n" + ID + DATE + "\r\nü\r\n", complete(msg));
  }

  /**
   * Reading only (every listener, for the log's accept line): content passes unchanged, however
   * cut, and the first Message-ID is noted, unfolded and trimmed.
   */
  private static String readMessageId(String content) {
    byte[] in = content.getBytes(StandardCharsets.UTF_8);
    String id = null;
    for (int cut = 0; cut <= in.length; cut++) {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      SubmissionHeaders h = SubmissionHeaders.reading(out::write);
      h.accept(in, 0, cut);
      h.accept(in, cut, in.length - cut);
      h.finish();
      assertEquals(content, out.toString(StandardCharsets.UTF_8), "split at " + cut);
      if (cut > 0) {
        assertEquals(id, h.messageId(), "split at " + cut);
      }
      id = h.messageId();
    }
    return id;
  }

  @Test
  void readingNotesTheMessageIdAndChangesNothing() {
    assertEquals("<a.1@client.example>", readMessageId("Subject: s\r\nMessage-ID:  <a.1@client.example> \r\n\r\nb\r\n"));
    assertEquals("<folded@client.example>", readMessageId("message-id:\r\n\t<folded@client.example>\r\nX: y\r\n\r\nb\r\n"));
    assertEquals("<first@x>", readMessageId("Message-ID: <first@x>\r\nMessage-ID: <second@x>\r\n\r\nb\r\n"));
    assertEquals(null, readMessageId("Subject: s\r\n\r\nMessage-ID: <in-body@x>\r\n"));
    assertEquals(null, readMessageId("no header at all\r\nMessage-ID: <x@y>\r\n"));
    assertEquals("<last@x>", readMessageId("Message-ID: <last@x>"));
  }

  @Test
  void aCompletingFilterReportsTheIdItAdded() {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    SubmissionHeaders h = new SubmissionHeaders("<Q1@mx.example>", "Tue, 1 Jul 2025 10:00:00 +0000", out::write);
    byte[] in = "Subject: s\r\n\r\nb\r\n".getBytes(StandardCharsets.US_ASCII);
    h.accept(in, 0, in.length);
    h.finish();
    assertEquals("<Q1@mx.example>", h.messageId());
  }
}
