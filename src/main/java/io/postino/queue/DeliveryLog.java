package io.postino.queue;

import io.postino.bus.RecipientResult;
import io.postino.spool.Envelope;
import java.time.Duration;
import java.time.Instant;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The line of each delivery attempt of each recipient, local and remote alike, in Postfix's form:
 *
 * <pre>
 * ID: to=&lt;bob@example.com&gt;, relay=mx1.example.com[192.0.2.1]:25, delay=1.3, delays=0.02/0.01/0.9/0.35, tls=opportunistic:TLSv1.3:TLS_AES_256_GCM_SHA384:unverified, dsn=2.0.0, status=sent (250 2.0.0 Ok: queued as 4Vx1)
 * ID: to=&lt;alice@example.org&gt;, orig_to=&lt;info@example.org&gt;, relay=local, delay=0.04, delays=0.02/0/0/0.02, dsn=2.0.0, status=sent (delivered to mailbox)
 * ID: to=&lt;al@localhost&gt;, relay=local, delay=0.04, delays=0.02/0/0/0.02, dsn=2.0.0, status=sent (delivered to mailbox)
 * ID: to=&lt;x@example.net&gt;, relay=none, delay=30, delays=0/0/30/0, dsn=4.4.1, status=deferred (connect to ...: Connection refused)
 * </pre>
 *
 * <p>{@code delay} is the time from the message's arrival to this result; {@code delays=a/b/c/d}
 * splits it: a, before the queue manager (arrival, or the last attempt, to entering the active
 * window; the time spent deferred or held is here); b, in the queue manager (loading the message
 * and its status from the spool until the recipient is handed to local delivery or to the delivery
 * verticle); c, connection setup (waiting for a connection slot, the MX lookup, connecting to every
 * host tried, greeting, EHLO, STARTTLS, AUTH; 0 for local delivery); d, transmission (MAIL to the
 * reply after the content; for local delivery, writing the Maildir files). The bus round trip is in
 * {@code delay} only. Times are in seconds, to two decimals below 10 s.
 *
 * <p>The reason of every deferral and bounce is here, never only in the status file: a remote
 * server's reply as {@code host NAME[ADDR] said: CODE X.Y.Z text}, Postino's own reason as it is.
 */
final class DeliveryLog {

  private static final Logger log = LoggerFactory.getLogger(DeliveryLog.class);

  private DeliveryLog() {
  }

  /**
   * Logs one result.
   *
   * @param index        the recipient's index in the envelope
   * @param local        whether the recipient went to a Maildir here ({@code relay=local})
   * @param entered      when the message entered the active window for this attempt
   * @param handedOver   when its recipients were handed over (the round's start)
   */
  static void result(Envelope envelope, int index, RecipientResult r, boolean local, Instant entered,
      Instant handedOver) {
    if (log.isInfoEnabled()) {
      log.info(line(envelope, index, r, local, entered, handedOver, Instant.now()));
    }
  }

  static String line(Envelope envelope, int index, RecipientResult r, boolean local, Instant entered, Instant handedOver,
      Instant now) {
    Instant received = envelope.received();
    StringBuilder sb = new StringBuilder(200).append(envelope.queueId()).append(": to=").append(r.recipient().path());
    String orcpt = envelope.recipients().get(index).parameters().orcpt();
    if (orcpt != null && orcpt.regionMatches(true, 0, "rfc822;", 0, 7)
        && !orcpt.substring(7).strip().equalsIgnoreCase(r.recipient().address())) {
      // as Postfix: the address the client gave, when an alias led elsewhere
      sb.append(", orig_to=<").append(orcpt.substring(7).strip()).append('>');
    }
    sb.append(", relay=");
    if (local) {
      sb.append("local");
    } else if (r.mx() == null) {
      sb.append("none");
    } else {
      sb.append(r.mx()).append('[').append(r.address()).append(']');
      if (r.port() != 0) {
        sb.append(':').append(r.port());
      }
    }
    sb.append(", delay=").append(seconds(millis(received, now)))
        .append(", delays=").append(seconds(millis(received, entered)))
        .append('/').append(seconds(millis(entered, handedOver)))
        .append('/').append(seconds(r.setupMillis()))
        .append('/').append(seconds(r.transferMillis()))
        .append(tls(r))
        .append(", dsn=").append(r.status())
        .append(", status=").append(status(r.outcome()))
        .append(" (");
    if (r.remote() && r.outcome() != RecipientResult.Outcome.DELIVERED) {
      sb.append("host ").append(r.mx()).append('[').append(r.address()).append("] said: ");
    }
    if (r.remote()) {
      sb.append(r.code()).append(' ').append(r.status()).append(' ');
    }
    return sb.append(r.text()).append(')').toString();
  }

  /** {@code , tls=dane:TLSv1.3:TLS_AES_256_GCM_SHA384:verified} when a host answered; nothing otherwise. */
  private static String tls(RecipientResult r) {
    return r.tls() == null ? "" : ", tls=" + r.tls().logForm();
  }

  /** Postfix's words: sent, deferred, bounced. */
  static String status(RecipientResult.Outcome outcome) {
    return switch (outcome) {
      case DELIVERED -> "sent";
      case TRANSIENT -> "deferred";
      case PERMANENT -> "bounced";
    };
  }

  private static long millis(Instant from, Instant to) {
    return Math.max(0, Duration.between(from, to).toMillis());
  }

  /**
   * {@code 0.35}, {@code 12.5}, {@code 300}: two significant decimals at most, as Postfix writes
   * them; rounded half up as {@code String.format} would, but in integers (five of these per
   * line, one line per recipient). Times are never negative here: one would be written as 0.
   */
  static String seconds(long time) {
    long millis = Math.max(0, time);
    if (millis >= 100_000) {
      return Long.toString(Math.round(millis / 1000.0));
    }
    long hundredths = millis >= 10_000 ? Math.round(millis / 100.0) * 10 : Math.round(millis / 10.0);
    long whole = hundredths / 100;
    int fraction = (int) (hundredths % 100);
    if (fraction == 0) {
      return Long.toString(whole);
    }
    return whole + (fraction % 10 == 0 ? "." + fraction / 10 : fraction < 10 ? ".0" + fraction : "." + fraction);
  }
}
