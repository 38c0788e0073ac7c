package io.postino.bus;

/**
 * The event-bus addresses that make up Postino's public API. Every address is the configured
 * prefix (default {@code postino}) followed by a fixed suffix, so several Postino instances can
 * share one bus.
 */
public record Addresses(String prefix) {

  public static final String DEFAULT_PREFIX = "postino";
  public static final Addresses DEFAULT = new Addresses(DEFAULT_PREFIX);

  public Addresses {
    if (prefix == null || prefix.isBlank() || prefix.endsWith(".")) {
      throw new IllegalArgumentException("invalid address prefix: " + prefix);
    }
  }

  /** Publish: a message accepted for a local domain and delivered to its mailboxes. */
  public String inbound() {
    return prefix + ".inbound";
  }

  /** Request/reply: submit a message for delivery from code; reply: its queue id. */
  public String send() {
    return prefix + ".send";
  }

  /** Request/reply: a domain; reply: the ordered hosts to try, or a failure. */
  public String mxResolve() {
    return prefix + ".mx.resolve";
  }

  /** Request/reply: a delivery job; reply: one result per recipient. */
  public String deliverySubmit() {
    return prefix + ".delivery.submit";
  }

  /**
   * Publish: a delivery verticle has started and takes jobs on {@link #deliverySubmit}; queues
   * try at once what they deferred for want of one.
   */
  public String deliveryReady() {
    return prefix + ".delivery.ready";
  }

  /**
   * Request/reply: the content of a message under way in the queue of node {@code nodeId}, by
   * queue id and position, in chunks; see {@link SpoolRead}. How a delivery node on another
   * machine reads what a {@link DeliveryJob} names.
   */
  public String spoolRead(String nodeId) {
    return prefix + ".spool.read." + nodeId;
  }

  /** Publish: delivered / deferred / bounced, per recipient. */
  public String deliveryEvents() {
    return prefix + ".delivery.events";
  }

  /** Publish: a spool file that could not be read back whole was moved to {@code corrupt}. */
  public String queueCorrupt() {
    return prefix + ".queue.corrupt";
  }

  /** Request/reply, optional consumer: accept or refuse a recipient at RCPT time. */
  public String policyRcpt() {
    return prefix + ".policy.rcpt";
  }

  /** Request/reply, optional consumer: accept or refuse a message once its content is in. */
  public String policyData() {
    return prefix + ".policy.data";
  }

  /**
   * Request/reply: the queue operations of one queue node ({@code queue list}, {@code show},
   * {@code hold}...), by which the admin API of any node reaches every node's queue.
   */
  public String adminQueue(String nodeId) {
    return prefix + ".admin.queue." + nodeId;
  }

  /**
   * The cluster-wide map of the nodes running Postino: node id to its description (host name,
   * version, roles, listeners); the queue nodes among them serve {@link #adminQueue}.
   */
  public String adminMembers() {
    return prefix + ".admin.members";
  }
}
