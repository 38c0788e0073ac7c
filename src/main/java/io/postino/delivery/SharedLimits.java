package io.postino.delivery;

import io.vertx.core.AsyncResult;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.internal.VertxInternal;
import io.vertx.core.shareddata.Shareable;
import java.util.concurrent.ThreadLocalRandom;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The limits per destination that hold for every delivery verticle of the cluster, or of the
 * process when Vert.x is not clustered: places per host endpoint and per recipient domain
 * ({@link SlotPermits}), rates per domain ({@link RateStore}) and the adaptive back-off
 * ({@link Throttles}). One per Vert.x instance, shared by the instances of
 * {@link DeliveryVerticle} (whatever their address prefix: a destination is the same for all);
 * each verticle's own {@link ConnectionPool} and per-domain queue come
 * first, so the single-node path costs a compare-and-set, and the cluster is asked only once a
 * delivery has its local place.
 *
 * <p>A place that is not free is asked for again every few tens of milliseconds (with jitter, so
 * that waiting nodes do not ask in step) until it is granted or the job's content cut-off; each
 * time, {@code onWait} may ask other verticles to close an idle session that holds one.
 */
final class SharedLimits implements Shareable {

  private static final Logger log = LoggerFactory.getLogger(SharedLimits.class);

  /** The longest a message waits for its turn under a rate limit when its job has no deadline. */
  static final long MAX_RATE_WAIT_MICROS = 60_000_000L;

  /** Where a node that raised a domain's back-off says so. */
  static final String THROTTLED_ADDRESS = "postino.delivery.limits.throttled";
  /** Where a verticle waiting for a place at a host endpoint asks the others to close an idle session there. */
  static final String IDLE_WANTED_ADDRESS = "postino.delivery.limits.idle-wanted";
  /** The places of a recipient domain and of a host endpoint: these, then the domain or endpoint. */
  static final String DOMAIN_PLACES = "postino.limit.domain.";
  static final String HOST_PLACES = "postino.limit.host.";

  private final Vertx vertx;
  private final SlotPermits permits;
  private final RateStore rates;
  private final Throttles throttles;

  private SharedLimits(Vertx vertx) {
    this.vertx = vertx;
    this.permits = vertx.isClustered() ? new LockSlotPermits(vertx) : new LocalSlotPermits();
    this.rates = vertx.isClustered() ? clusterRates(vertx) : RateStore.local();
    this.throttles = new Throttles(vertx, THROTTLED_ADDRESS);
  }

  /** The instance of {@code vertx}. */
  static SharedLimits of(Vertx vertx) {
    return vertx.sharedData().<String, SharedLimits>getLocalMap("postino.delivery.shared-limits")
        .computeIfAbsent("limits", p -> new SharedLimits(vertx));
  }

  private static RateStore clusterRates(Vertx vertx) {
    Object manager = ((VertxInternal) vertx).clusterManager();
    if (manager != null && manager.getClass().getName().equals("io.vertx.spi.cluster.hazelcast.HazelcastClusterManager")) {
      return HazelcastRateStore.of(manager);
    }
    log.warn("cluster manager {} is not Hazelcast's: rate limits hold per node", manager);
    return RateStore.local();
  }

  Throttles throttles() {
    return throttles;
  }

  SlotPermits permits() {
    return permits;
  }

  /**
   * One of the {@code max} places of {@code name}, once there is one; fails with a temporary
   * failure when none came by {@code giveUpAt} (epoch ms; {@link Long#MAX_VALUE} for never).
   */
  Future<SlotPermits.Permit> acquire(String name, int max, long giveUpAt, Runnable onWait) {
    Future<SlotPermits.Permit> first = permits.tryAcquire(name, max);
    if (first.succeeded() && first.result() != null) {
      // the usual case on one node: a place at once, nothing to wait for
      return first;
    }
    Promise<SlotPermits.Permit> promise = Promise.promise();
    first.onComplete(ar -> answered(ar, name, max, giveUpAt, onWait, promise));
    return promise.future();
  }

  private void answered(AsyncResult<SlotPermits.Permit> ar, String name, int max, long giveUpAt, Runnable onWait,
      Promise<SlotPermits.Permit> promise) {
    if (ar.succeeded() && ar.result() != null) {
      promise.complete(ar.result());
      return;
    }
    long now = System.currentTimeMillis();
    if (now >= giveUpAt) {
      promise.fail(new HostException(Failure.temporary("4.4.5", "no free connection place for " + name
          + " in the cluster in time")));
      return;
    }
    if (onWait != null) {
      onWait.run();
    }
    long delay = (vertx.isClustered() ? 50 : 20) + ThreadLocalRandom.current().nextLong(vertx.isClustered() ? 150 : 30);
    vertx.setTimer(Math.max(1, Math.min(delay, giveUpAt - now)), id -> permits.tryAcquire(name, max)
        .onComplete(next -> answered(next, name, max, giveUpAt, onWait, promise)));
  }

  /**
   * Waits for the turn of one event at {@code perMinute} per minute under {@code key}; fails at
   * once with a temporary failure (4.7.0, the recipients are deferred) when the turn would come
   * after {@code giveUpAt} (epoch ms).
   */
  Future<Void> pace(String key, int perMinute, long giveUpAt, String what) {
    long maxWait = giveUpAt == Long.MAX_VALUE ? MAX_RATE_WAIT_MICROS
        : Math.max(0, giveUpAt - System.currentTimeMillis()) * 1000;
    return rates.reserve(key, Gcra.perMinute(perMinute), maxWait).compose(wait -> {
      if (wait < 0) {
        return Future.failedFuture(new HostException(Failure.temporary("4.7.0",
            what + " rate limit reached (" + perMinute + " per minute): deferred")));
      }
      if (wait < 1000) {
        return Future.succeededFuture();
      }
      Promise<Void> turn = Promise.promise();
      vertx.setTimer(wait / 1000, id -> turn.complete());
      return turn.future();
    });
  }
}
