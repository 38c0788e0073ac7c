package io.postino.local;

import static io.postino.spool.SpoolTesting.SENDER;
import static io.postino.spool.SpoolTesting.await;
import static io.postino.spool.SpoolTesting.awaitFailure;
import static io.postino.spool.SpoolTesting.envelope;
import static io.postino.spool.SpoolTesting.store;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.postino.spool.Envelope;
import io.postino.spool.Spool;
import io.postino.spool.SpooledMessage;
import io.postino.smtp.MailAddress;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

@ExtendWith(VertxExtension.class)
class MaildirDeliveryTest {

  private static final Instant RECEIVED = Instant.parse("2026-01-02T03:04:05Z");
  private static final byte[] CONTENT = ("Subject: caf\u00e9\r\n\r\n.leading dot\r\n"
      + "x".repeat(5000) + "\r\n").getBytes(StandardCharsets.UTF_8);

  @TempDir
  Path dir;

  private Vertx vertx;
  private Spool spool;
  private Path root;
  private MaildirDelivery maildir;

  @BeforeEach
  void setUp(Vertx vertx) throws Exception {
    this.vertx = vertx;
    spool = await(Spool.open(vertx, dir.resolve("spool")));
    root = dir.resolve("maildir");
    maildir = new MaildirDelivery(vertx, root, "mx.test.example");
  }

  @Test
  void deliversAddedHeadersThenTheContentUnchanged() throws Exception {
    MailAddress bob = new MailAddress("Bob", "Example.COM");
    SpooledMessage message = spool(CONTENT, bob);

    Path delivered = await(maildir.deliver(message, bob, "localhost"));

    Path mailbox = root.resolve("example.com").resolve("bob");
    assertEquals(mailbox.resolve("new"), delivered.getParent());
    String name = delivered.getFileName().toString();
    assertTrue(name.matches(RECEIVED.getEpochSecond() + "\\.P" + message.queueId() + "R0\\.[^/:]+"), name);
    assertArrayEquals(concat("Return-Path: <sender@example.org>\r\nDelivered-To: Bob@Example.COM\r\n", CONTENT),
        Files.readAllBytes(delivered));
    assertEquals(List.of(), list(mailbox.resolve("tmp")));
    assertTrue(Files.isDirectory(mailbox.resolve("cur")));
  }

  @Test
  void deliveringAgainMakesNoSecondCopy() throws Exception {
    MailAddress bob = new MailAddress("bob", "example.com");
    SpooledMessage message = spool(CONTENT, bob);

    Path first = await(maildir.deliver(message, bob, "localhost"));
    Path second = await(maildir.deliver(message, bob, "localhost"));

    assertEquals(first, second);
    assertEquals(List.of(first), list(first.getParent()));
    assertEquals(List.of(), list(first.getParent().resolveSibling("tmp")));
  }

  @Test
  void recipientsSharingAMailboxDeliveredAtOnceMakeOneWholeCopy() throws Exception {
    // Bob and bob are one mailbox: delivered side by side, as LocalDelivery does, they must not
    // write one temporary file over the other
    byte[] big = new byte[4 * 1024 * 1024];
    java.util.Arrays.fill(big, (byte) 'x');
    MailAddress upper = new MailAddress("Bob", "example.com");
    MailAddress lower = new MailAddress("bob", "example.com");
    SpooledMessage message = spool(big, upper, lower);
    for (int round = 0; round < 5; round++) {
      var first = maildir.deliver(message, upper, "localhost");
      var second = maildir.deliver(message, lower, "localhost");
      Path a = await(first);
      Path b = await(second);
      assertEquals(a, b);
      assertEquals(List.of(a), list(a.getParent()));
      byte[] stored = Files.readAllBytes(a);
      // whichever attempt linked its copy first: either one is whole
      assertTrue(java.util.Arrays.equals(concat("Return-Path: <sender@example.org>\r\nDelivered-To: Bob@example.com\r\n",
          big), stored) || java.util.Arrays.equals(concat(
          "Return-Path: <sender@example.org>\r\nDelivered-To: bob@example.com\r\n", big), stored));
      assertEquals(List.of(), list(a.getParent().resolveSibling("tmp")));
      Files.delete(a);
    }
  }

  @Test
  void unsafeLocalPartsStayInsideTheirDomain() throws Exception {
    Map<String, String> expected = new LinkedHashMap<>();
    expected.put("../x", "_._x");
    expected.put("\"a/b\"", "a_b");
    expected.put(".hidden", "_hidden");
    expected.put("UPPER", "upper");
    expected.put("\"..\"", "_.");
    expected.put("\"\"", "_");
    expected.put("c\\d", "c_d");
    expected.put("e\u0001f\u001bg\u007fh\u0085i", "e_f_g_h_i");
    expected.put("\"i\\\"j\"", "i\"j");
    expected.put("\"/\"", "_");
    expected.put("x\u202Ey\u2066z\u200Fw", "x_y_z_w");
    MailAddress[] recipients = expected.keySet().stream()
        .map(local -> new MailAddress(local, "example.com")).toArray(MailAddress[]::new);
    SpooledMessage message = spool(CONTENT, recipients);

    for (MailAddress recipient : recipients) {
      Path delivered = await(maildir.deliver(message, recipient, "localhost"));
      Path mailbox = root.resolve("example.com").resolve(expected.get(recipient.localPart()));
      assertEquals(mailbox.resolve("new"), delivered.getParent(), recipient.localPart());
    }
    try (Stream<Path> all = Files.walk(dir)) {
      all.forEach(p -> assertTrue(p.equals(dir) || p.startsWith(root) || p.startsWith(dir.resolve("spool")), p::toString));
    }
    assertEquals(new HashSet<>(expected.values()).size(), list(root.resolve("example.com")).size());
  }

  @Test
  void composedAndDecomposedLocalPartsShareOneMailbox() throws Exception {
    MailAddress composed = new MailAddress("\u00fcser", "example.com");
    MailAddress decomposed = new MailAddress("U\u0308SER", "example.com");
    SpooledMessage message = spool(CONTENT, composed, decomposed);

    Path first = await(maildir.deliver(message, composed, "localhost"));
    Path second = await(maildir.deliver(message, decomposed, "localhost"));

    assertEquals(root.resolve("example.com").resolve("\u00fcser").resolve("new"), first.getParent());
    assertEquals(first, second);
    assertEquals(List.of(root.resolve("example.com").resolve("\u00fcser")), list(root.resolve("example.com")));
  }

  @Test
  void unsafeDomainsAreRefused() throws Exception {
    for (String domain : List.of("a/b", "..", ".hidden", "x\u0000y", "a\\b", "")) {
      MailAddress recipient = new MailAddress("bob", domain);
      SpooledMessage message = spool(CONTENT, recipient);
      assertInstanceOf(IllegalArgumentException.class,
          awaitFailure(maildir.deliver(message, recipient, "localhost")), domain);
    }
    assertTrue(Files.notExists(root) || list(root).isEmpty());
  }

  @Test
  void barePostmasterGoesToTheDefaultDomain() throws Exception {
    MailAddress postmaster = new MailAddress("PostMaster", "");
    SpooledMessage message = spool(CONTENT, postmaster);

    Path delivered = await(maildir.deliver(message, postmaster, "localhost"));

    assertEquals(root.resolve("localhost").resolve("postmaster").resolve("new"), delivered.getParent());
    assertArrayEquals(concat("Return-Path: <sender@example.org>\r\nDelivered-To: postmaster@localhost\r\n", CONTENT),
        Files.readAllBytes(delivered));
  }

  @Test
  void severalRecipientsGetOneCopyPerMailbox() throws Exception {
    MailAddress a = new MailAddress("a", "example.com");
    MailAddress b = new MailAddress("b", "example.com");
    MailAddress sameAsA = new MailAddress("A", "EXAMPLE.com");
    SpooledMessage message = spool(CONTENT, a, b, sameAsA);

    Path toA = await(maildir.deliver(message, a, "localhost"));
    Path toB = await(maildir.deliver(message, b, "localhost"));
    Path toSameAsA = await(maildir.deliver(message, sameAsA, "localhost"));

    assertTrue(toA.getFileName().toString().contains("R0."), toA::toString);
    assertTrue(toB.getFileName().toString().contains("R1."), toB::toString);
    assertEquals(toA, toSameAsA);
    assertEquals(List.of(toA), list(toA.getParent()));
    assertEquals(List.of(toB), list(toB.getParent()));
    assertArrayEquals(concat("Return-Path: <sender@example.org>\r\nDelivered-To: b@example.com\r\n", CONTENT),
        Files.readAllBytes(toB));
  }

  @Test
  void recipientOutsideTheEnvelopeStillGetsAStableName() throws Exception {
    MailAddress listed = new MailAddress("a", "example.com");
    MailAddress other = new MailAddress("c", "example.com");
    SpooledMessage message = spool(CONTENT, listed);

    Path first = await(maildir.deliver(message, other, "localhost"));
    Path again = await(maildir.deliver(message, other, "localhost"));

    assertTrue(first.getFileName().toString().contains("Rh"), first::toString);
    assertEquals(first, again);
  }

  @Test
  void nullSenderGivesAnEmptyReturnPath() throws Exception {
    MailAddress bob = new MailAddress("bob", "example.com");
    Envelope e = envelope(spool.newQueueId(), RECEIVED, bob);
    Envelope bounce = new Envelope(e.queueId(), MailAddress.NULL_SENDER, e.mailParameters(),
        e.recipients(), e.helo(), e.clientAddress(), e.protocol(), null, e.received());
    SpooledMessage message = await(store(vertx.getOrCreateContext(), spool, bounce, CONTENT));

    Path delivered = await(maildir.deliver(message, bob, "localhost"));

    assertArrayEquals(concat("Return-Path: <>\r\nDelivered-To: bob@example.com\r\n", CONTENT),
        Files.readAllBytes(delivered));
  }

  @Test
  void addressesCannotInjectHeaders() throws Exception {
    MailAddress sneaky = new MailAddress("x\r\nBcc: victim", "example.com");
    SpooledMessage message = spool(CONTENT, sneaky);

    assertInstanceOf(IllegalArgumentException.class,
        awaitFailure(maildir.deliver(message, sneaky, "localhost")));
    assertTrue(Files.notExists(root));
  }

  @Test
  void largeMessageIsCopiedExactly() throws Exception {
    byte[] big = new byte[6 << 20];
    new Random(7).nextBytes(big);
    MailAddress bob = new MailAddress("bob", "example.com");
    SpooledMessage message = spool(big, bob);

    Path delivered = await(maildir.deliver(message, bob, "localhost"));

    byte[] bytes = Files.readAllBytes(delivered);
    byte[] headers = "Return-Path: <sender@example.org>\r\nDelivered-To: bob@example.com\r\n"
        .getBytes(StandardCharsets.US_ASCII);
    assertEquals(headers.length + big.length, bytes.length);
    assertArrayEquals(big, Arrays.copyOfRange(bytes, headers.length, bytes.length));
  }

  @Test
  void deliveredMailIsReadableByItsOwnerOnlyByDefault() throws Exception {
    MailAddress bob = new MailAddress("bob", "example.com");
    Path delivered = await(maildir.deliver(spool(CONTENT, bob), bob, "localhost"));

    assertEquals("rw-------", mode(delivered));
    Path mailbox = root.resolve("example.com").resolve("bob");
    for (Path d : List.of(root, mailbox.getParent(), mailbox, mailbox.resolve("tmp"), mailbox.resolve("new"),
        mailbox.resolve("cur"))) {
      assertEquals("rwx------", mode(d), d::toString);
    }
  }

  @Test
  void configuredGroupModesAreAppliedExactlyWhateverTheUmask() throws Exception {
    // 0660 and 0770: the group bits a umask of 022 or 027 would take away must be there
    MaildirDelivery shared = new MaildirDelivery(vertx,
        new MaildirOptions().setRoot(root.toString()).setFileMode("0660").setDirectoryMode("0770"), "mx.test.example");
    MailAddress bob = new MailAddress("bob", "example.com");
    Path delivered = await(shared.deliver(spool(CONTENT, bob), bob, "localhost"));

    assertEquals("rw-rw----", mode(delivered));
    Path mailbox = root.resolve("example.com").resolve("bob");
    for (Path d : List.of(root, mailbox.getParent(), mailbox, mailbox.resolve("tmp"), mailbox.resolve("new"),
        mailbox.resolve("cur"))) {
      assertEquals("rwxrwx---", mode(d), d::toString);
    }
  }

  @Test
  void hostnamesAreEscapedAsMaildirAsks() {
    assertEquals("a\\057b\\072c", MailboxNames.escapeHostname("a/b:c"));
  }

  private SpooledMessage spool(byte[] content, MailAddress... recipients) throws Exception {
    Envelope envelope = envelope(spool.newQueueId(), RECEIVED, recipients);
    return await(store(vertx.getOrCreateContext(), spool, envelope, content));
  }

  private static String mode(Path p) throws Exception {
    return PosixFilePermissions.toString(Files.getPosixFilePermissions(p));
  }

  private static List<Path> list(Path directory) throws Exception {
    try (Stream<Path> files = Files.list(directory)) {
      return files.sorted().toList();
    }
  }

  private static byte[] concat(String headers, byte[] content) {
    byte[] h = headers.getBytes(StandardCharsets.UTF_8);
    byte[] out = Arrays.copyOf(h, h.length + content.length);
    System.arraycopy(content, 0, out, h.length, content.length);
    return out;
  }
}
