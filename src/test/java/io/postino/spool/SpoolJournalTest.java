package io.postino.spool;

import static io.postino.spool.SpoolTesting.fileNames;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.postino.testing.PowerCutFileSystem;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import java.util.zip.CRC32C;
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
    return SpoolRecovery.recover(dir);
  }

  /** A journal that retires its segment at every append. */
  private SpoolJournal openRetiringEachSegment() throws Exception {
    return SpoolRecovery.recover(new SpoolFolders(dir), 1, Long.MAX_VALUE);
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
    assertTrue(j.published(j.append(List.of(entry("AAA", "a\r\n")))));
    assertTrue(j.published(j.append(List.of(entry("BBB", "b\r\n")))));
    // delivered: its done record goes to a third segment, after both retired ones
    j.done("AAA", false);
    assertEquals(3, segments().size());

    open();

    assertFalse(Files.exists(incoming.resolve("AAA")));
    assertEquals("b\r\n", read(incoming.resolve("BBB")));
  }

  @Test
  void aCheckpointSyncsTheRemainingFilesAndDeletesTheSegment() throws Exception {
    SpoolJournal j = openRetiringEachSegment();
    SpoolJournal.Segment s = j.append(List.of(entry("AAA", "a\r\n"), entry("BBB", "b\r\n")));
    Files.writeString(incoming.resolve("AAA"), "a\r\n");
    Files.writeString(hold.resolve("BBB"), "b\r\n");
    assertTrue(j.published(s));
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
    j.published(j.append(List.of(entry("AAA", "a\r\n"))));
    j.published(j.append(List.of(entry("BBB", "b\r\n"))));
    Files.writeString(incoming.resolve("AAA"), "a\r\n");
    Files.writeString(incoming.resolve("BBB"), "b\r\n");

    open().append(List.of(entry("CCC", "c\r\n")));

    assertEquals(List.of(journal.resolve("0000000000000003")), segments());
  }

  // ------------------------------------------------ issue #12, item 1: checkpoint before publish

  @Test
  void aCheckpointWaitsForTheFilesOfABatchStillBeingWritten() throws Exception {
    SpoolJournal j = openRetiringEachSegment();
    // the batch's append retires its segment...
    SpoolJournal.Segment s = j.append(List.of(entry("AAA", "a\r\n")));
    Path segment = segments().get(0);
    // ...and a checkpoint of an earlier batch, still running, reaches it before the file exists
    j.checkpointRetired();
    assertTrue(Files.exists(segment), "the segment is the only copy until the file is written and synced");
    assertTrue(j.isJournaled("AAA"));

    Files.writeString(incoming.resolve("AAA"), "a\r\n");
    assertTrue(j.published(s), "now the segment can be checkpointed");
    j.checkpointRetired();
    assertEquals(List.of(), segments());
    assertFalse(j.isJournaled("AAA"));
  }

  @Test
  void aLiveMessageWithoutAFileIsRewrittenNotTakenForGone() throws Exception {
    SpoolJournal j = openRetiringEachSegment();
    SpoolJournal.Segment s = j.append(List.of(entry("AAA", "a\r\n"), entry("BBB", "b\r\n")));
    Files.writeString(incoming.resolve("BBB"), "b\r\n");
    // AAA's file is missing, and AAA has no done record
    assertTrue(j.published(s));
    j.checkpointRetired();

    assertEquals("a\r\n", read(incoming.resolve("AAA")));
    assertEquals(List.of(), segments());
  }

  @Test
  void aMessageWithADoneRecordIsGoneAtTheCheckpoint() throws Exception {
    SpoolJournal j = openRetiringEachSegment();
    SpoolJournal.Segment s = j.append(List.of(entry("AAA", "a\r\n")));
    assertTrue(j.published(s));
    j.done("AAA", true);
    j.checkpointRetired();

    assertFalse(Files.exists(incoming.resolve("AAA")));
    assertEquals(1, segments().size(), "the segment holding the done record");
  }

  @Test
  void aRemovalCutShortIsCompletedAtTheNextStart() throws Exception {
    SpoolJournal j = open();
    j.published(j.append(List.of(entry("AAA", "a\r\n"), entry("BBB", "b\r\n"))));
    j.done("AAA", true);
    j.done("BBB", true);
    // the done records reached the disk, the deletions did not, and the files' content never did
    Files.writeString(incoming.resolve("AAA"), "");
    Files.writeString(hold.resolve("BBB"), "b\r\n");

    open();

    assertEquals(List.of(), fileNames(incoming));
    assertEquals(List.of(), fileNames(hold));
  }

  // ------------------------------------------------ issue #12, item 3: damaged records

  /** Appends each entry alone; returns the segment's size after each append. */
  private List<Long> appendEach(SpoolJournal j, SpoolJournal.Entry... entries) throws Exception {
    List<Long> ends = new ArrayList<>();
    for (SpoolJournal.Entry e : entries) {
      j.published(j.append(List.of(e)));
      ends.add(Files.size(segments().get(0)));
    }
    return ends;
  }

  private static void damage(Path file, long offset) throws Exception {
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE, StandardOpenOption.READ)) {
      ByteBuffer b = ByteBuffer.allocate(1);
      ch.read(b, offset);
      b.flip();
      b.put(0, (byte) (b.get(0) ^ 0x20));
      ch.write(b, offset);
    }
  }

  private List<String> corruptFiles() throws Exception {
    return fileNames(dir.resolve("corrupt"));
  }


  @Test
  void aDamagedRecordCostsOnlyItselfAndTheSegmentIsKeptAsEvidence() throws Exception {
    SpoolJournal j = open();
    List<Long> ends = appendEach(j, entry("AAA", "message a\r\n"), entry("BBB", "message b\r\n"),
        entry("CCC", "message c\r\n"), entry("DDD", "message d\r\n"));
    j.done("AAA", true);
    Path segment = segments().get(0);
    // a flipped bit in BBB's content, and one in the line that starts CCC's record
    damage(segment, ends.get(1) - 3);
    damage(segment, ends.get(1) + 2);

    open();

    assertFalse(Files.exists(incoming.resolve("AAA")), "its done record, after the damage, was read");
    assertFalse(Files.exists(incoming.resolve("BBB")));
    assertFalse(Files.exists(incoming.resolve("CCC")));
    assertEquals(List.of("DDD"), fileNames(incoming), "nothing under a damaged name either");
    assertEquals("message d\r\n", read(incoming.resolve("DDD")));
    assertEquals(List.of(), segments());
    assertEquals(List.of("journal-" + segment.getFileName()), corruptFiles());
  }

  @Test
  void recordsInsideAMessageAreNeverTakenForJournalRecords() throws Exception {
    // a sender who knows the format mails a record of its own, checksummed as an old segment would be
    byte[] forged = "from the attacker\r\n".getBytes(StandardCharsets.US_ASCII);
    CRC32C crc = new CRC32C();
    crc.update(forged);
    String content = "Subject: x\r\n\r\nM EVIL " + forged.length + " " + Long.toHexString(crc.getValue()) + "\n"
        + new String(forged, StandardCharsets.US_ASCII) + "D AAA\n";
    SpoolJournal j = open();
    j.published(j.append(List.of(entry("AAA", "a\r\n"))));
    long start = Files.size(segments().get(0));
    j.published(j.append(List.of(entry("BBB", content))));
    j.published(j.append(List.of(entry("CCC", "c\r\n"))));
    // BBB's record line is damaged: the reader looks for the next record, through BBB's content
    damage(segments().get(0), start);

    open();

    assertEquals("a\r\n", read(incoming.resolve("AAA")));
    assertFalse(Files.exists(incoming.resolve("EVIL")));
    assertFalse(Files.exists(incoming.resolve("BBB")));
    assertEquals("c\r\n", read(incoming.resolve("CCC")));
  }

  @Test
  void aSegmentCutAtEveryOffsetReplaysEveryWholeRecordBeforeTheCut() throws Exception {
    SpoolJournal j = open();
    List<Long> ends = new ArrayList<>(appendEach(j, entry("AAA", "message a\r\n"), entry("BBB", "message b\r\n")));
    j.done("AAA", true);
    ends.add(Files.size(segments().get(0)));
    ends.addAll(appendEach(j, entry("CCC", "message c\r\n")));
    j.done("BBB", true);
    ends.add(Files.size(segments().get(0)));
    byte[] whole = Files.readAllBytes(segments().get(0));
    // which records each cut keeps whole: A, B, done A, C, done B
    for (int cut = 0; cut <= whole.length; cut++) {
      Path real = Files.createDirectory(dir.resolve("cut" + cut));
      Files.write(Files.createDirectory(real.resolve("journal")).resolve("0000000000000001"), Arrays.copyOf(whole, cut));
      // the model's fsyncs cost nothing: a few hundred starts take a second
      Path root = PowerCutFileSystem.over(real).root();
      Path cutJournal = root.resolve("journal");
      Path cutIncoming = Files.createDirectory(root.resolve("incoming"));

      SpoolRecovery.recover(root);

      int kept = 0;
      while (kept < ends.size() && ends.get(kept) <= cut) {
        kept++;
      }
      String at = "cut at " + cut + " of " + whole.length;
      assertEquals(kept >= 1 && kept < 3, Files.exists(cutIncoming.resolve("AAA")), at);
      assertEquals(kept >= 2 && kept < 5, Files.exists(cutIncoming.resolve("BBB")), at);
      assertEquals(kept >= 4, Files.exists(cutIncoming.resolve("CCC")), at);
      if (Files.exists(cutIncoming.resolve("BBB"))) {
        assertEquals("message b\r\n", read(cutIncoming.resolve("BBB")), at);
      }
      try (Stream<Path> left = Files.list(cutJournal)) {
        assertEquals(0, left.count(), at + ": a torn tail is no damage, the segment is deleted");
      }
      try (Stream<Path> evidence = Files.list(root.resolve("corrupt"))) {
        assertEquals(0, evidence.count(), at);
      }
    }
  }

  @Test
  void segmentsOfTheEarlierFormatAreStillReplayed() throws Exception {
    Files.createDirectories(journal);
    CRC32C crc = new CRC32C();
    crc.update("a\r\n".getBytes(StandardCharsets.US_ASCII));
    Files.writeString(journal.resolve("0000000000000007"),
        "M AAA 3 " + Long.toHexString(crc.getValue()) + "\na\r\nM BBB 3 " + Long.toHexString(crc.getValue())
            + "\na\r\nD BBB\n", StandardCharsets.US_ASCII);

    open().append(List.of(entry("CCC", "c\r\n")));

    assertEquals("a\r\n", read(incoming.resolve("AAA")));
    assertFalse(Files.exists(incoming.resolve("BBB")));
    assertEquals(List.of(journal.resolve("0000000000000008")), segments());
  }
}
