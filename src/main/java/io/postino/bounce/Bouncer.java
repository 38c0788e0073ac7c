package io.postino.bounce;

import io.postino.intake.Intake;
import io.postino.intake.RefusedRecipients;
import io.postino.smtp.MailAddress;
import io.postino.smtp.MailParameters;
import io.postino.smtp.MessageText;
import io.postino.spool.Envelope;
import io.postino.spool.SpoolFileFormat;
import io.postino.spool.SpooledMessage;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends delivery status notifications: reads what to return of the original message (its
 * headers, or all of it in a failure report when the sender asked with RET=FULL and it is small
 * enough), builds the
 * report with {@link DsnBuilder}, and spools it as a new message from {@code <>} to the original
 * sender, so it is as durable as any mail and leaves through the normal path.
 *
 * <p>Memory stays bounded: at most the bounce size limit of the original is read, and only the
 * header section otherwise (cut at {@value #MAX_HEADER_OCTETS} octets); at most
 * {@value #MAX_FULL_RETURNS} whole originals are held at once, later reports returning the
 * headers only. The reading and the building are done off the event loop.
 */
public final class Bouncer {

  private static final Logger log = LoggerFactory.getLogger(Bouncer.class);

  /** The most of an original header section a report returns. */
  static final int MAX_HEADER_OCTETS = 64 * 1024;

  /** The most reports returning the whole original (RET=FULL) that are built at once. */
  static final int MAX_FULL_RETURNS = 4;

  private final AtomicInteger fullReturns = new AtomicInteger();

  private final Vertx vertx;
  private final Intake intake;
  private final BounceSettings settings;
  private final String hostname;

  /**
   * @param intake where reports enter, as every message does; its host name is the one reports are
   *               sent from ({@code MAILER-DAEMON@hostname})
   */
  public Bouncer(Vertx vertx, Intake intake, BounceSettings settings) {
    this.vertx = vertx;
    this.intake = intake;
    this.settings = settings;
    this.hostname = intake.hostname();
  }

  /**
   * Builds and spools a report about {@code items} of {@code original}, and hands it to the queue
   * once it is durable; completes with the spooled report then, or with null when the expansion of
   * its recipient refuses it (an unknown user, an alias loop): dropped, with a log line. Call on the
   * queue's context.
   */
  public Future<SpooledMessage> send(SpooledMessage original, DsnBuilder.Kind kind, List<DsnBuilder.Item> items,
      Instant willRetryUntil) {
    Envelope e = original.envelope();
    // RET=FULL is for failure reports only: a report without a failure returns the headers
    // (RFC 3461 section 4.3); at most MAX_FULL_RETURNS whole copies in memory at once, beyond
    // that the headers only, which the same section allows. A REQUIRETLS message is returned as
    // if RET=HDRS were given, whatever RET says (RFC 8689 section 5)
    boolean requireTls = e.mailParameters().requireTls();
    boolean whole = kind == DsnBuilder.Kind.FAILED && e.mailParameters().ret() == MailParameters.Ret.FULL
        && !requireTls && original.contentLength() <= settings.returnSizeLimit() && takeFullReturn();
    String queueId = intake.newQueueId();
    // reading the original, building the report and scanning it are blocking or CPU work
    Future<Built> built = vertx.executeBlocking(() -> {
      try {
        byte[] returned = whole ? readWhole(original) : readHeaders(original);
        byte[] report = DsnBuilder.build(new DsnBuilder.Report(kind, hostname, messageId(queueId),
            Instant.now(), e.queueId(), e.sender(), e.mailParameters().envId(), e.received(), items, willRetryUntil,
            returned, whole));
        return new Built(report, MessageText.hasEightBit(report));
      } finally {
        if (whole) {
          fullReturns.decrementAndGet();
        }
      }
    }, false);
    return built.compose(b -> {
      MailAddress to = e.sender();
      MailParameters parameters = new MailParameters(b.report().length,
          b.eightBit() ? MailParameters.Body.EIGHT_BIT_MIME : MailParameters.Body.SEVEN_BIT,
          // the report of a REQUIRETLS message is itself sent with REQUIRETLS (RFC 8689 section 5)
          to.isInternationalized(), null, null, null, requireTls);
      Envelope envelope;
      try {
        envelope = intake.localEnvelope(queueId, MailAddress.NULL_SENDER, parameters, List.of(to), hostname,
            Instant.now());
      } catch (RefusedRecipients refused) {
        // nobody but the unreachable sender wants it: Postfix would make it a double bounce, which
        // by default (notify_classes without 2bounce) it only logs
        log.warn("{}: {} report about {} dropped: {}", queueId, kind.name().toLowerCase(Locale.ROOT), e.queueId(),
            refused.getMessage());
        return Future.succeededFuture();
      }
      return intake.store(envelope, null, Buffer.buffer(b.report()))
          .onSuccess(report -> intake.handOff(report, messageId(queueId)));
    });
  }

  private String messageId(String queueId) {
    return "<" + queueId + "@" + hostname + ">";
  }

  private record Built(byte[] report, boolean eightBit) {
  }

  private boolean takeFullReturn() {
    if (fullReturns.incrementAndGet() > MAX_FULL_RETURNS) {
      fullReturns.decrementAndGet();
      return false;
    }
    return true;
  }

  private static byte[] readWhole(SpooledMessage m) throws IOException {
    ByteBuffer memory = m.content();
    if (memory != null) {
      byte[] whole = new byte[memory.remaining()];
      memory.get(whole);
      return whole;
    }
    try (FileChannel ch = FileChannel.open(m.file(), StandardOpenOption.READ)) {
      return SpoolFileFormat.readFully(ch, m.contentOffset(), (int) m.contentLength());
    }
  }

  /** The next octets of a message kept in memory by the spool (it may have no file yet), as a read would give them. */
  private static int fromMemory(ByteBuffer memory, ByteBuffer buf) {
    int n = Math.min(memory.remaining(), buf.remaining());
    buf.put(memory.slice(memory.position(), n));
    memory.position(memory.position() + n);
    return n == 0 ? -1 : n;
  }

  /** The header section: up to the empty line, or up to the last whole line within the cap. */
  private static byte[] readHeaders(SpooledMessage m) throws IOException {
    int max = (int) Math.min(m.contentLength(), MAX_HEADER_OCTETS);
    ByteArrayOutputStream out = new ByteArrayOutputStream(Math.min(max, 8192));
    int lineStart = 0;
    ByteBuffer memory = m.content();
    try (FileChannel ch = memory != null ? null : FileChannel.open(m.file(), StandardOpenOption.READ)) {
      ByteBuffer buf = ByteBuffer.allocate(8192);
      long position = m.contentOffset();
      int before = -1;
      while (out.size() < max) {
        buf.clear().limit(Math.min(buf.capacity(), max - out.size()));
        int n = ch != null ? ch.read(buf, position) : fromMemory(memory, buf);
        if (n <= 0) {
          break;
        }
        position += n;
        for (int i = 0; i < n; i++) {
          int b = buf.get(i);
          out.write(b);
          if (b == '\n') {
            int length = out.size() - lineStart;
            if (length == 1 || (length == 2 && before == '\r')) {
              // the empty line that ends the header section is not part of the headers
              return Arrays.copyOf(out.toByteArray(), lineStart);
            }
            lineStart = out.size();
          }
          before = b;
        }
      }
    }
    byte[] all = out.toByteArray();
    // no empty line within the cap: return whole lines only
    return all.length < MAX_HEADER_OCTETS ? all : Arrays.copyOf(all, lineStart);
  }
}
