package io.postino.queue;

import io.postino.config.JsonReader;
import io.postino.config.Seconds;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.Locale;
import java.util.Objects;

/**
 * Options of the queue manager: the retry schedule, the queue lifetime, bounces and delay
 * warnings, and how many messages it keeps in memory. Maps onto the {@code "queue"} object of
 * {@code conf/postino.json}; durations there are seconds (fractions allowed).
 *
 * <p>The defaults are Postfix's: first retry after 5 minutes, each wait twice the last, at most
 * 4000 s between attempts, and a message that still has recipients waiting after 5 days is
 * bounced for them.
 */
public final class QueueOptions {

  /** What becomes of a bounce (a message from {@code <>}) that itself fails for good. */
  public enum FailedBounces {
    /** Log it and delete it: nobody can be told, and nothing must loop. */
    DROP,
    /** Move it to the hold queue for a person to look at. */
    HOLD
  }

  /** Postfix's minimal_backoff_time. */
  public static final Duration DEFAULT_MIN_BACKOFF = Duration.ofSeconds(300);
  /** Postfix's maximal_backoff_time. */
  public static final Duration DEFAULT_MAX_BACKOFF = Duration.ofSeconds(4000);
  /** Postfix's maximal_queue_lifetime. */
  public static final Duration DEFAULT_MAX_LIFETIME = Duration.ofDays(5);
  /**
   * A delay warning after 4 hours, for the recipients that asked for one (NOTIFY=DELAY); Postfix's
   * delay_warning_time, when it is set, is often 4h.
   */
  public static final Duration DEFAULT_DELAY_WARNING = Duration.ofHours(4);
  /** Recipients without NOTIFY get no delay warning, as with Postfix's default delay_warning_time (0). */
  public static final boolean DEFAULT_DELAY_WARNING_WITHOUT_NOTIFY = false;
  /** How often the spool is searched for messages whose retry time has come. */
  public static final Duration DEFAULT_SCAN_INTERVAL = Duration.ofSeconds(60);
  /** The send timeout of a delivery job: above the SMTP client's longest conversation. */
  public static final Duration DEFAULT_DELIVERY_TIMEOUT = Duration.ofMinutes(30);
  /** Messages in memory at once (Postfix's qmgr_message_active_limit is 20000). */
  public static final int DEFAULT_ACTIVE_LIMIT = 10_000;
  /** Recipients of one domain in one job (Postfix's default_destination_recipient_limit). */
  public static final int DEFAULT_MAX_RECIPIENTS_PER_JOB = 50;
  public static final FailedBounces DEFAULT_FAILED_BOUNCES = FailedBounces.DROP;
  /** Postfix's bounce_size_limit: above this, a bounce returns the headers only. */
  public static final int DEFAULT_BOUNCE_SIZE_LIMIT = 50_000;
  /** Jobs go to this node's delivery verticles only: other nodes may not see this spool. */
  public static final boolean DEFAULT_DELIVER_ACROSS_CLUSTER = false;
  /** The largest bounce size limit accepted: the returned message is built in memory. */
  public static final int MAX_BOUNCE_SIZE_LIMIT = 10 * 1024 * 1024;

  private Duration minBackoff = DEFAULT_MIN_BACKOFF;
  private Duration maxBackoff = DEFAULT_MAX_BACKOFF;
  private Duration maxLifetime = DEFAULT_MAX_LIFETIME;
  private Duration delayWarning = DEFAULT_DELAY_WARNING;
  private boolean delayWarningWithoutNotify = DEFAULT_DELAY_WARNING_WITHOUT_NOTIFY;
  private Duration scanInterval = DEFAULT_SCAN_INTERVAL;
  private Duration deliveryTimeout = DEFAULT_DELIVERY_TIMEOUT;
  private int activeLimit = DEFAULT_ACTIVE_LIMIT;
  private int maxRecipientsPerJob = DEFAULT_MAX_RECIPIENTS_PER_JOB;
  private FailedBounces failedBounces = DEFAULT_FAILED_BOUNCES;
  private int bounceSizeLimit = DEFAULT_BOUNCE_SIZE_LIMIT;
  private boolean deliverAcrossCluster = DEFAULT_DELIVER_ACROSS_CLUSTER;

  public QueueOptions() {
  }

  public QueueOptions(QueueOptions other) {
    this(other.toJson());
  }

  /** Reads a {@code "queue"} object on its own; absent keys keep their defaults, invalid or unknown ones throw. */
  public QueueOptions(JsonObject json) {
    JsonReader reader = JsonReader.of(json, "queue");
    read(reader);
    reader.reportUnknown();
  }

  /** Reads the {@code "queue"} object of a whole configuration, whose reader reports unknown keys. */
  public QueueOptions(JsonReader json) {
    read(json);
  }

  private void read(JsonReader json) {
    setMinBackoff(json.seconds("minBackoff", minBackoff));
    setMaxBackoff(json.seconds("maxBackoff", maxBackoff));
    setMaxLifetime(json.seconds("maxLifetime", maxLifetime));
    setDelayWarning(json.seconds("delayWarning", delayWarning));
    setDelayWarningWithoutNotify(json.bool("delayWarningWithoutNotify", delayWarningWithoutNotify));
    setScanInterval(json.seconds("scanInterval", scanInterval));
    setDeliveryTimeout(json.seconds("deliveryTimeout", deliveryTimeout));
    setActiveLimit(json.integer("activeLimit", activeLimit));
    setMaxRecipientsPerJob(json.integer("maxRecipientsPerJob", maxRecipientsPerJob));
    setFailedBounces(json.oneOf("failedBounces", FailedBounces.class, failedBounces));
    setBounceSizeLimit(json.integer("bounceSizeLimit", bounceSizeLimit));
    setDeliverAcrossCluster(json.bool("deliverAcrossCluster", deliverAcrossCluster));
    if (maxBackoff.compareTo(minBackoff) < 0) {
      throw new IllegalArgumentException(json.path("maxBackoff") + " must not be below minBackoff");
    }
  }

  public JsonObject toJson() {
    return new JsonObject()
        .put("minBackoff", Seconds.of(minBackoff))
        .put("maxBackoff", Seconds.of(maxBackoff))
        .put("maxLifetime", Seconds.of(maxLifetime))
        .put("delayWarning", Seconds.of(delayWarning))
        .put("delayWarningWithoutNotify", delayWarningWithoutNotify)
        .put("scanInterval", Seconds.of(scanInterval))
        .put("deliveryTimeout", Seconds.of(deliveryTimeout))
        .put("activeLimit", activeLimit)
        .put("maxRecipientsPerJob", maxRecipientsPerJob)
        .put("failedBounces", failedBounces.name().toLowerCase(Locale.ROOT))
        .put("bounceSizeLimit", bounceSizeLimit)
        .put("deliverAcrossCluster", deliverAcrossCluster);
  }

  private static int positive(String name, int value) {
    if (value <= 0) {
      throw new IllegalArgumentException(name + " must be positive: " + value);
    }
    return value;
  }

  public Duration getMinBackoff() {
    return minBackoff;
  }

  /** The wait before the first retry. */
  public QueueOptions setMinBackoff(Duration minBackoff) {
    this.minBackoff = Seconds.positive("minBackoff", minBackoff);
    return this;
  }

  public Duration getMaxBackoff() {
    return maxBackoff;
  }

  /** The longest wait between two attempts; each wait is twice the last up to this. */
  public QueueOptions setMaxBackoff(Duration maxBackoff) {
    this.maxBackoff = Seconds.positive("maxBackoff", maxBackoff);
    return this;
  }

  public Duration getMaxLifetime() {
    return maxLifetime;
  }

  /**
   * How long after its arrival a message is still retried; a recipient that fails temporarily
   * after that is bounced.
   */
  public QueueOptions setMaxLifetime(Duration maxLifetime) {
    this.maxLifetime = Seconds.notNegative("maxLifetime", maxLifetime);
    return this;
  }

  public Duration getDelayWarning() {
    return delayWarning;
  }

  /**
   * After how long in the queue the sender gets a "delayed" notice (once per recipient) for the
   * recipients still being retried that asked for it with NOTIFY=DELAY, and, with
   * {@link #setDelayWarningWithoutNotify}, those that gave no NOTIFY; zero: never.
   */
  public QueueOptions setDelayWarning(Duration delayWarning) {
    this.delayWarning = Seconds.notNegative("delayWarning", delayWarning);
    return this;
  }

  public boolean isDelayWarningWithoutNotify() {
    return delayWarningWithoutNotify;
  }

  /**
   * Whether recipients whose RCPT gave no NOTIFY get the delay warning too (RFC 3461 leaves it to
   * the MTA): Postfix's behaviour whenever its delay_warning_time is set.
   */
  public QueueOptions setDelayWarningWithoutNotify(boolean delayWarningWithoutNotify) {
    this.delayWarningWithoutNotify = delayWarningWithoutNotify;
    return this;
  }

  public Duration getScanInterval() {
    return scanInterval;
  }

  /** How often the spool is searched for due messages: retries happen up to this much late. */
  public QueueOptions setScanInterval(Duration scanInterval) {
    this.scanInterval = Seconds.positive("scanInterval", scanInterval);
    return this;
  }

  public Duration getDeliveryTimeout() {
    return deliveryTimeout;
  }

  /**
   * The send timeout of a job on {@code postino.delivery.submit}. After it the recipients are
   * retried later; keep it above the SMTP client's timeouts, since a late answer is ignored and
   * the retry may deliver a message twice.
   */
  public QueueOptions setDeliveryTimeout(Duration deliveryTimeout) {
    this.deliveryTimeout = Seconds.positive("deliveryTimeout", deliveryTimeout);
    return this;
  }

  public int getActiveLimit() {
    return activeLimit;
  }

  /** Messages held in memory at once; the rest wait on disk. */
  public QueueOptions setActiveLimit(int activeLimit) {
    this.activeLimit = positive("activeLimit", activeLimit);
    return this;
  }

  public int getMaxRecipientsPerJob() {
    return maxRecipientsPerJob;
  }

  /** Recipients in one delivery job (one SMTP transaction); more are split into several jobs. */
  public QueueOptions setMaxRecipientsPerJob(int maxRecipientsPerJob) {
    this.maxRecipientsPerJob = positive("maxRecipientsPerJob", maxRecipientsPerJob);
    return this;
  }

  public FailedBounces getFailedBounces() {
    return failedBounces;
  }

  public QueueOptions setFailedBounces(FailedBounces failedBounces) {
    this.failedBounces = Objects.requireNonNull(failedBounces, "failedBounces");
    return this;
  }

  public int getBounceSizeLimit() {
    return bounceSizeLimit;
  }

  /**
   * The largest original message a bounce returns whole (when the sender asked with RET=FULL);
   * a larger one is returned as its headers only.
   */
  public QueueOptions setBounceSizeLimit(int bounceSizeLimit) {
    if (bounceSizeLimit < 0 || bounceSizeLimit > MAX_BOUNCE_SIZE_LIMIT) {
      throw new IllegalArgumentException("bounceSizeLimit must be 0.." + MAX_BOUNCE_SIZE_LIMIT + ": " + bounceSizeLimit);
    }
    this.bounceSizeLimit = bounceSizeLimit;
    return this;
  }

  public boolean isDeliverAcrossCluster() {
    return deliverAcrossCluster;
  }

  /**
   * Whether delivery jobs may go to delivery verticles on other nodes of a cluster. Only when
   * every such node sees this spool directory at the same path (a shared file system): a job
   * names the spool file, it does not carry the content.
   */
  public QueueOptions setDeliverAcrossCluster(boolean deliverAcrossCluster) {
    this.deliverAcrossCluster = deliverAcrossCluster;
    return this;
  }

  /** The wait after the {@code attempt}-th failed attempt (1 for the first): doubling, capped. */
  public Duration backoff(int attempt) {
    Duration d = minBackoff;
    for (int i = 1; i < attempt && d.compareTo(maxBackoff) < 0; i++) {
      d = d.multipliedBy(2);
    }
    return d.compareTo(maxBackoff) > 0 ? maxBackoff : d;
  }
}
