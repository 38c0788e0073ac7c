package io.postino.queue;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The journal's replay after a crash, read from real segment files. */
class SpoolJournalTest {

  @TempDir
  Path dir;

  Path journal;
  Path tmp;
  Path incoming;
  Path hold;

  @BeforeEach
  void directories() throws Exception {
    journal = dir.resolve("journal");
    tmp = Files.createDirectory(dir.resolve("tmp"));
    incoming = Files.createDirectory(dir.resolve("incoming"));
    hold = Files.createDirectory(dir.resolve("hold"));
  }

  private SpoolJournal open() throws Exception {
    return SpoolJournal.open(journal, tmp, incoming, hold);
  }

  /** A journal that retires its segment at every append. */
  private SpoolJournal openRetiringEachSegment() throws Exception {
    return SpoolJournal.open(journal, tmp, incoming, hold, 1, Long.MAX_VALUE);
  }

  private static SpoolJournal.Entry entry(String id, String text) {
    // in two buffers, as a header and a content would be
    byte[] bytes = text.getBytes(StandardCharsets.US_ASCII);
    int half = bytes.length / 2;
    return new SpoolJournal.Entry(id, new ByteBuffer[] {ByteBuffer.wrap(bytes, 0, half),
        ByteBuffer.wrap(bytes, half, bytes.length - half).slice()});
  }

  private static String read(Path file) throws Exception {
    return Files.readString(file, StandardCharsets.US_ASCII);
  }

  private List<Path> segments() throws Exception {
    try (Stream<Path> files = Files.list(journal)) {
      return files.sorted().toList();
    }
  }

  @Test
  void messagesLostOrCutShortInIncomingAreRewrittenWhole() throws Exception {
    SpoolJournal j = open();
    j.append(List.of(entry("AAA", "message a\r\n"), entry("BBB", "message b\r\n"), entry("CCC", "message c\r\n")));
    // after a power loss: A made it, B only in part, C not at all
    Files.writeString(incoming.resolve("AAA"), "message a\r\n");
    Files.writeString(incoming.resolve("BBB"), "mess");

    open();

    assertEquals("message a\r\n", read(incoming.resolve("AAA")));
    assertEquals("message b\r\n", read(incoming.resolve("BBB")));
    assertEquals("message c\r\n", read(incoming.resolve("CCC")));
    assertEquals(List.of(), segments(), "replayed segments are deleted");
    try (Stream<Path> left = Files.list(tmp)) {
      assertEquals(0, left.count());
    }
  }

  @Test
  void aHeldMessageStaysHeld() throws Exception {
    open().append(List.of(entry("AAA", "held\r\n")));
    Files.writeString(hold.resolve("AAA"), "held\r\n");

    open();

    assertFalse(Files.exists(incoming.resolve("AAA")));
    assertEquals("held\r\n", read(hold.resolve("AAA")));
  }

  @Test
  void doneMessagesStayGoneEvenWhenTheirRecordIsInALaterSegment() throws Exception {
    SpoolJournal j = openRetiringEachSegment();
    assertTrue(j.append(List.of(entry("AAA", "a\r\n"))));
    assertTrue(j.append(List.of(entry("BBB", "b\r\n"))));
    // delivered: its done record goes to a third segment, after both retired ones
    j.done("AAA", false);
    assertEquals(3, segments().size());

    open();

    assertFalse(Files.exists(incoming.resolve("AAA")));
    assertEquals("b\r\n", read(incoming.resolve("BBB")));
  }

  @Test
  void aRecordCutShortOrDamagedEndsItsSegment() throws Exception {
    SpoolJournal j = open();
    j.append(List.of(entry("AAA", "a\r\n")));
    Path segment = segments().get(0);
    // a record whose checksum does not match, then a good one that must not be trusted after it
    Files.write(segment, "M BBB 3 0\nb\r\n".getBytes(StandardCharsets.US_ASCII), StandardOpenOption.APPEND);
    open();
    assertEquals("a\r\n", read(incoming.resolve("AAA")));
    assertFalse(Files.exists(incoming.resolve("BBB")));

    Files.delete(incoming.resolve("AAA"));
    j = open();
    j.append(List.of(entry("CCC", "c\r\n")));
    // a record cut short by the crash: its octets never all reached the disk
    Files.write(segments().get(0), "M DDD 100 1f\nonly a part".getBytes(StandardCharsets.US_ASCII),
        StandardOpenOption.APPEND);
    open();
    assertEquals("c\r\n", read(incoming.resolve("CCC")));
    assertFalse(Files.exists(incoming.resolve("DDD")));
    assertFalse(Files.exists(incoming.resolve("AAA")), "its segment was replayed and deleted before");
  }

  @Test
  void aCheckpointSyncsTheRemainingFilesAndDeletesTheSegment() throws Exception {
    SpoolJournal j = openRetiringEachSegment();
    assertTrue(j.append(List.of(entry("AAA", "a\r\n"), entry("BBB", "b\r\n"))));
    Files.writeString(incoming.resolve("AAA"), "a\r\n");
    Files.writeString(hold.resolve("BBB"), "b\r\n");
    assertTrue(j.isJournaled("AAA"));

    j.checkpointRetired();

    assertEquals(List.of(), segments());
    assertFalse(j.isJournaled("AAA"));
    assertFalse(j.isJournaled("BBB"));
    // from now on the message files are the only copy
    Files.delete(incoming.resolve("AAA"));
    open();
    assertFalse(Files.exists(incoming.resolve("AAA")));
  }

  @Test
  void newSegmentsAreNumberedAfterTheReplayedOnes() throws Exception {
    SpoolJournal j = openRetiringEachSegment();
    j.append(List.of(entry("AAA", "a\r\n")));
    j.append(List.of(entry("BBB", "b\r\n")));
    Files.writeString(incoming.resolve("AAA"), "a\r\n");
    Files.writeString(incoming.resolve("BBB"), "b\r\n");

    open().append(List.of(entry("CCC", "c\r\n")));

    assertEquals(List.of(journal.resolve("0000000000000003")), segments());
  }
}
