package io.postino.delivery;

import io.postino.bus.DeliveryJob;
import io.postino.mime.ContentFacts;
import io.postino.mime.Resigner;
import io.postino.mime.SevenBitConversion;
import io.vertx.core.buffer.Buffer;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Set;
import java.util.function.Supplier;

/**
 * Makes a message's content fit the host it goes to, before MAIL (so that SIZE is the size sent):
 * one pass over the spooled octets ({@link ContentFacts}) finds whether anything needs converting,
 * and only then does {@link SevenBitConversion} rewrite it: to 7 bits for a host without 8BITMIME,
 * and, for every host, parts with lines over 998 octets (RFC 5322 section 2.1.1). A message with a
 * DKIM signature made elsewhere is sent as it is (converting its body would break the signature;
 * the host may well take it). A message this node signed (its signatures at the very top) that
 * has 8-bit octets or long lines is converted for every host and signed again by the
 * {@link Resigner}: no later hop then needs to convert it. A message declared SMTPUTF8 whose
 * header fields are not all ASCII cannot go to a host without SMTPUTF8 (RFC 6531: {@code 5.6.7}).
 *
 * <p>Content of up to {@value #HELD} octets (as much as the spool holds in memory while it
 * receives), and content the job carries, is read whole with one system call, scanned and, when
 * needed, converted in memory, and sent from memory; larger content is read as it is scanned and
 * converted into a file in the spool's {@code tmp} directory (deleted there at start-up if a crash
 * leaves it), never whole in memory. Blocking: on a worker.
 */
final class ContentPreparation {

  /** Content up to this size is read whole, once, and sent from memory. */
  static final int HELD = 128 * 1024;

  private ContentPreparation() {
  }

  /**
   * @param sevenBit         the host takes 7-bit content only (DATA without 8BITMIME)
   * @param asciiHeadersOnly the message was declared SMTPUTF8 and the host does not offer it
   * @param convertible      false for content that goes as it is whatever it holds (BDAT)
   * @param resigner         signs again a message this node signed, once converted; or null
   */
  static OutboundContent prepare(DeliveryJob.Content content, String queueId, String target, boolean sevenBit,
      boolean asciiHeadersOnly, boolean convertible, Resigner resigner) throws IOException {
    byte[] small = content.data() != null ? content.data().getBytes()
        : content.length() <= HELD ? readWhole(content) : null;
    Supplier<InputStream> open = small != null ? () -> new ByteArrayInputStream(small) : () -> range(content);
    if (!convertible) {
      return asIs(content, small, false);
    }
    ContentFacts facts;
    if (small != null) {
      facts = ContentFacts.scan(small, 0, small.length);
    } else {
      try (InputStream in = open.get()) {
        facts = ContentFacts.scan(in);
      }
    }
    if (asciiHeadersOnly && facts.eightBit() && (facts.headerEightBit() || headersOfPartsNeedUtf8(open, sevenBit))) {
      return OutboundContent.unfit(Failure.permanent(553, "5.6.7", "message headers are not ASCII, and SMTPUTF8"
          + " was not offered by host " + target));
    }
    boolean eightBitAsIs = sevenBit && facts.eightBit();
    // signed here: 7-bit for every host, so that no later hop has to convert it and break the signature
    boolean resign = resigner != null && facts.leadingSignatures() > 0 && !facts.signedElsewhere()
        && (facts.eightBit() || facts.longLines());
    if (!resign && (facts.fitsAsIs(sevenBit) || facts.signatures() > 0)) {
      return asIs(content, small, eightBitAsIs);
    }
    boolean toSevenBit = sevenBit || resign;
    int drop = resign ? facts.leadingSignatures() : 0;
    if (small != null) {
      ByteArrayOutputStream out = new ByteArrayOutputStream(small.length + small.length / 3 + 256);
      if (!SevenBitConversion.convert(open, out, toSevenBit, drop).changes()) {
        return asIs(content, small, false);
      }
      byte[] converted = out.toByteArray();
      byte[] signatures = resign ? resigner.sign(queueId, new ByteArrayInputStream(converted)) : null;
      if (resign && signatures == null) {
        // the original's own signatures still verify over it
        return asIs(content, small, eightBitAsIs);
      }
      return new OutboundContent(prefix(signatures), converted, null, null, null, false, true);
    }
    Path temp = tempFile(Path.of(content.path()), queueId);
    boolean keep = false;
    try {
      try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(temp), ContentFetch.CHUNK)) {
        if (!SevenBitConversion.convert(open, out, toSevenBit, drop).changes()) {
          return asIs(content, null, false);
        }
      }
      byte[] signatures = null;
      if (resign) {
        try (InputStream in = new BufferedInputStream(Files.newInputStream(temp), ContentFetch.CHUNK)) {
          signatures = resigner.sign(queueId, in);
        }
        if (signatures == null) {
          return asIs(content, null, eightBitAsIs);
        }
      }
      keep = true;
      return new OutboundContent(prefix(signatures), null, new DeliveryJob.Content(temp.toString(), 0, Files.size(temp)),
          temp, null, false, true);
    } finally {
      if (!keep) {
        Files.deleteIfExists(temp);
      }
    }
  }

  private static Buffer prefix(byte[] signatures) {
    return signatures == null ? null : Buffer.buffer(signatures);
  }

  private static boolean headersOfPartsNeedUtf8(Supplier<InputStream> open, boolean sevenBit) throws IOException {
    try (InputStream in = open.get()) {
      return SevenBitConversion.plan(in, sevenBit).headerEightBit();
    }
  }

  private static OutboundContent asIs(DeliveryJob.Content content, byte[] small, boolean eightBitAsIs) {
    return new OutboundContent(null, small, content, null, null, eightBitAsIs, false);
  }

  /** In the spool's {@code tmp} next to {@code incoming}, or beside the message elsewhere. */
  private static Path tempFile(Path message, String queueId) throws IOException {
    Path dir = message.toAbsolutePath().getParent();
    Path tmp = dir.resolveSibling("tmp");
    Path in = Files.isDirectory(tmp) ? tmp : dir;
    // owner-only permissions, as createTempFile gives on POSIX
    return Files.createTempFile(in, queueId + ".", ".7bit");
  }

  private static byte[] readWhole(DeliveryJob.Content content) throws IOException {
    try (FileChannel ch = FileChannel.open(Path.of(content.path()), StandardOpenOption.READ)) {
      ByteBuffer buf = ByteBuffer.allocate((int) content.length());
      while (buf.hasRemaining()) {
        if (ch.read(buf, content.offset() + buf.position()) < 0) {
          throw new EOFException("the spool file ends before the message content does");
        }
      }
      return buf.array();
    }
  }

  /** The content's octets from the spool file, read as they are asked for. */
  static InputStream range(DeliveryJob.Content content) {
    if (content.data() != null) {
      return new ByteArrayInputStream(content.data().getBytes());
    }
    try {
      FileChannel ch = FileChannel.open(Path.of(content.path()), Set.of(StandardOpenOption.READ));
      ch.position(content.offset());
      InputStream in = Channels.newInputStream(ch);
      return new BufferedInputStream(new InputStream() {
        private long left = content.length();

        @Override
        public int read() throws IOException {
          byte[] one = new byte[1];
          return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
          if (left <= 0) {
            return -1;
          }
          int n = in.read(b, off, (int) Math.min(len, left));
          if (n > 0) {
            left -= n;
          }
          return n;
        }

        @Override
        public void close() throws IOException {
          in.close();
        }
      }, ContentFetch.CHUNK);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
