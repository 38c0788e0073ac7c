package io.postino.delivery;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;

/**
 * The connections of one {@link DeliveryVerticle}: finished sessions kept for reuse, and the
 * limits on how many are open at once, per host endpoint (address and port) and in total.
 *
 * <p>A {@link Lease} is either an idle session of the same {@link Key} (reused: the transaction
 * starts with RSET) or a place for a new connection, counted from before the connection is made.
 * Idle sessions count against the limits too; when a limit is reached, an idle session that no
 * waiting delivery can use is closed to make room. Deliveries that find no room wait in arrival
 * order. An idle session is closed after the idle timeout, after its message limit, or as soon as
 * the server says anything unasked or hangs up.
 *
 * <p>A new connection also takes a place of the cluster-wide limit per host ({@link SharedLimits},
 * {@link Lease#hold}); that place stays with the connection while it is idle, and is given back
 * when the connection is closed. Another verticle that waits for one asks for an idle session to
 * be closed ({@link #closeIdle}).
 *
 * <p>Not thread-safe: used from the verticle's event loop only.
 */
final class ConnectionPool {

  /** Sessions are reused only for the same host name, address, port and policy. */
  record Key(Target target, SessionPolicy policy) {
  }

  /** The right to use one connection slot; give it back with {@link #release}. */
  static final class Lease {
    final Key key;
    private SmtpConnection connection;
    private SlotPermits.Permit permit;
    private final boolean reused;
    private boolean released;

    private Lease(Key key, SmtpConnection connection, SlotPermits.Permit permit) {
      this.key = key;
      this.connection = connection;
      this.permit = permit;
      this.reused = connection != null;
    }

    /** The session to use, or null when the caller is to open one and {@link #attach} it. */
    SmtpConnection connection() {
      return connection;
    }

    boolean reused() {
      return reused;
    }

    void attach(SmtpConnection c) {
      this.connection = c;
    }

    /** The cluster-wide place the new connection takes; given back with the connection (at once if that is gone). */
    void hold(SlotPermits.Permit permit) {
      if (released) {
        permit.release();
      } else {
        this.permit = permit;
      }
    }
  }

  private final class Idle {
    final Key key;
    final SmtpConnection connection;
    final SlotPermits.Permit permit;
    long timer;

    Idle(Key key, SmtpConnection connection, SlotPermits.Permit permit) {
      this.key = key;
      this.connection = connection;
      this.permit = permit;
    }
  }

  private record Waiter(Key key, boolean fresh, Promise<Lease> promise) {
  }

  private final Vertx vertx;
  private final int maxTotal;
  private final int maxPerHost;
  private final int maxMessages;
  private final Duration idleTimeout;

  private int open;
  private final Map<String, Integer> openPerEndpoint = new HashMap<>();
  private final Map<Key, ArrayDeque<Idle>> idleByKey = new HashMap<>();
  /** Every idle session, oldest first. */
  private final LinkedHashSet<Idle> idle = new LinkedHashSet<>();
  private final ArrayDeque<Waiter> waiters = new ArrayDeque<>();
  private boolean waking;
  private boolean wakeAgain;
  private boolean closed;

  ConnectionPool(Vertx vertx, OutboundOptions options) {
    this.vertx = vertx;
    this.maxTotal = options.getMaxConnections();
    this.maxPerHost = options.getMaxConnectionsPerHost();
    this.maxMessages = options.getMaxMessagesPerConnection();
    this.idleTimeout = options.getConnectionIdleTimeout();
  }

  /** A lease for {@code key}, at once when there is room or an idle session, else when there is. */
  Future<Lease> acquire(Key key) {
    return acquire(key, false);
  }

  /**
   * A lease for {@code key}; with {@code fresh}, always for a new connection, never an idle
   * session (after a reused one was found dead, the others parked with it may be as well).
   */
  Future<Lease> acquire(Key key, boolean fresh) {
    if (closed) {
      return Future.failedFuture(new ConnectionException("4.3.2", "delivery is shutting down"));
    }
    Lease lease = tryAcquire(key, fresh);
    if (lease != null) {
      return Future.succeededFuture(lease);
    }
    Promise<Lease> p = Promise.promise();
    waiters.add(new Waiter(key, fresh, p));
    return p.future();
  }

  /**
   * Gives a lease back: its session is parked for reuse when {@code reusable} (and still open,
   * and under its message limit), else closed. Completes when the session is parked, or closed
   * after the server answered its QUIT: the caller keeps its domain's place until then, so that
   * the destination never sees more sessions at once than the domain's limit.
   */
  Future<Void> release(Lease lease, boolean reusable) {
    if (lease.released) {
      return Future.succeededFuture();
    }
    lease.released = true;
    SmtpConnection c = lease.connection;
    if (c != null && reusable && !closed && c.isOpen() && c.transactions() < maxMessages) {
      park(lease.key, c, lease.permit);
    } else if (c != null) {
      return quitThenFree(lease.key, c, lease.permit);
    } else {
      freeSlot(lease.key, lease.permit);
    }
    wake();
    return Future.succeededFuture();
  }

  /** The place of a session is given back once the server has answered its QUIT (or it closed). */
  private Future<Void> quitThenFree(Key key, SmtpConnection c, SlotPermits.Permit permit) {
    c.quit();
    return c.closed().onComplete(v -> {
      freeSlot(key, permit);
      wake();
    });
  }

  /** Closes the oldest idle session to {@code endpoint}, if any: a delivery elsewhere waits for its place. */
  void closeIdle(String endpoint) {
    if (evictOne(endpoint)) {
      wake();
    }
  }

  /** Closes the idle sessions and refuses new leases (verticle stop). */
  void close() {
    closed = true;
    new ArrayList<>(idle).forEach(this::evict);
    ConnectionException e = new ConnectionException("4.3.2", "delivery is shutting down");
    waiters.forEach(w -> w.promise().fail(e));
    waiters.clear();
  }

  private Lease tryAcquire(Key key, boolean fresh) {
    ArrayDeque<Idle> parked = fresh ? null : idleByKey.get(key);
    while (parked != null && !parked.isEmpty()) {
      Idle i = parked.pollLast();
      unpark(i);
      if (i.connection.isOpen()) {
        return new Lease(key, i.connection, i.permit);
      }
      freeSlot(i.key, i.permit);
    }
    String endpoint = key.target().endpoint();
    if (openPerEndpoint.getOrDefault(endpoint, 0) >= maxPerHost && !evictOne(endpoint)) {
      return null;
    }
    if (open >= maxTotal && !evictOne(null)) {
      return null;
    }
    open++;
    openPerEndpoint.merge(endpoint, 1, Integer::sum);
    return new Lease(key, null, null);
  }

  /** Closes the oldest idle session (to {@code endpoint}, or to any host when null). */
  private boolean evictOne(String endpoint) {
    for (Idle i : idle) {
      if (endpoint == null || i.key.target().endpoint().equals(endpoint)) {
        evict(i);
        return true;
      }
    }
    return false;
  }

  private void evict(Idle i) {
    ArrayDeque<Idle> parked = idleByKey.get(i.key);
    if (parked != null) {
      parked.remove(i);
    }
    unpark(i);
    quitThenFree(i.key, i.connection, i.permit);
  }

  private void park(Key key, SmtpConnection c, SlotPermits.Permit permit) {
    Idle i = new Idle(key, c, permit);
    c.idle();
    if (!c.isOpen()) {
      freeSlot(key, permit);
      return;
    }
    i.timer = vertx.setTimer(Math.max(1, idleTimeout.toMillis()), id -> {
      i.timer = -1;
      if (idle.contains(i)) {
        evict(i);
        wake();
      }
    });
    idle.add(i);
    idleByKey.computeIfAbsent(key, k -> new ArrayDeque<>()).add(i);
    c.closed().onComplete(v -> {
      if (idle.contains(i)) {
        evict(i);
        wake();
      }
    });
  }

  private void unpark(Idle i) {
    idle.remove(i);
    ArrayDeque<Idle> parked = idleByKey.get(i.key);
    if (parked != null && parked.isEmpty()) {
      idleByKey.remove(i.key);
    }
    if (i.timer >= 0) {
      vertx.cancelTimer(i.timer);
      i.timer = -1;
    }
  }

  private void freeSlot(Key key, SlotPermits.Permit permit) {
    if (permit != null) {
      permit.release();
    }
    open--;
    openPerEndpoint.computeIfPresent(key.target().endpoint(), (k, n) -> n == 1 ? null : n - 1);
  }

  /** Grants waiting deliveries what room there now is, in arrival order. */
  private void wake() {
    if (waking) {
      wakeAgain = true;
      return;
    }
    waking = true;
    try {
      do {
        wakeAgain = false;
        List<Runnable> granted = new ArrayList<>();
        for (Iterator<Waiter> it = waiters.iterator(); it.hasNext(); ) {
          if (open >= maxTotal && idle.isEmpty()) {
            break;
          }
          Waiter w = it.next();
          Lease lease = tryAcquire(w.key(), w.fresh());
          if (lease != null) {
            it.remove();
            granted.add(() -> w.promise().complete(lease));
          }
        }
        // completed outside the loop: a waiter's continuation may acquire or release at once
        granted.forEach(Runnable::run);
      } while (wakeAgain);
    } finally {
      waking = false;
    }
  }
}
