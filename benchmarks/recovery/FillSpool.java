import io.postino.smtp.MailAddress;
import io.postino.smtp.MailParameters;
import io.postino.smtp.RcptParameters;
import io.postino.spool.Envelope;
import io.postino.spool.Spool;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Fills a Postino spool with N messages through Postino's own spool writer (the journal, group
 * commit and files in incoming/, exactly as the listener writes them), each for one remote
 * recipient. Run with the executable jar on the class path:
 *
 *   java -cp target/postino.jar benchmarks/recovery/FillSpool.java SPOOL_DIR COUNT SIZE DOMAIN
 */
public class FillSpool {

  static final int IN_FLIGHT = 512;

  public static void main(String[] args) throws Exception {
    Path dir = Path.of(args[0]);
    long count = Long.parseLong(args[1]);
    int size = Integer.parseInt(args[2]);
    String domain = args[3];
    Vertx vertx = Vertx.vertx();
    Spool spool = Spool.open(vertx, dir).await();
    byte[] body = body(size);
    AtomicLong started = new AtomicLong();
    AtomicLong done = new AtomicLong();
    Promise<Void> finished = Promise.promise();
    long t0 = System.nanoTime();
    vertx.runOnContext(v -> {
      Runnable[] next = new Runnable[1];
      next[0] = () -> {
        if (started.get() >= count) {
          return;
        }
        long n = started.incrementAndGet();
        Envelope env = new Envelope(spool.newQueueId(), MailAddress.parse("sender@bench.example"), MailParameters.NONE,
            List.of(new Envelope.Recipient(MailAddress.parse("rcpt" + (n % 1000) + "@" + domain), RcptParameters.NONE,
                false)),
            "bench.example", "127.0.0.1", "ESMTP", null, Instant.now());
        var writer = spool.create(env);
        // written and committed in one turn, as a client sending its message in one go: the journal
        writer.write(Buffer.buffer(body));
        writer.commit().onComplete(ar -> {
          if (ar.failed()) {
            finished.tryFail(ar.cause());
            return;
          }
          long d = done.incrementAndGet();
          if (d % 100_000 == 0) {
            System.err.printf("  %,d messages spooled (%.0f s)%n", d, (System.nanoTime() - t0) / 1e9);
          }
          if (d == count) {
            finished.tryComplete();
          } else {
            next[0].run();
          }
        });
      };
      for (int i = 0; i < IN_FLIGHT; i++) {
        next[0].run();
      }
    });
    finished.future().await();
    double secs = (System.nanoTime() - t0) / 1e9;
    System.err.printf("spooled %,d messages of %d octets in %.1f s (%.0f msg/s)%n", count, size, secs, count / secs);
    vertx.close().await();
  }

  /** Headers and text lines of about {@code size} octets, CRLF, as a client would send them. */
  static byte[] body(int size) {
    StringBuilder b = new StringBuilder("From: sender@bench.example\r\nTo: rcpt@bench.example\r\n"
        + "Subject: recovery benchmark\r\nMessage-ID: <bench@bench.example>\r\n\r\n");
    while (b.length() < size - 2) {
      b.append("x".repeat(Math.min(76, Math.max(1, size - 2 - b.length()))));
      b.append("\r\n");
    }
    return b.toString().getBytes();
  }
}
