package io.postino.delivery;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.core.shareddata.AsyncMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * Adaptive back-off, as KumoMTA's traffic shaping does it: when a destination answers "slow
 * down" (421, or a 4.7.x about connections or rates, or 452 4.5.3), the domain's concurrency
 * and rates are halved for the whole cluster, down to an eighth, and grow back one step per quiet
 * {@code throttlePeriod}. The affected recipients are deferred, as any 4xx.
 *
 * <p>The level lives in a cluster-wide map, with an expiry when it will have decayed to nothing
 * (so a node that dies mid-throttle leaves nothing behind), and the node that raises it also
 * publishes it, so that the other nodes slow down at once; each node keeps what it learnt for
 * {@link #FRESH_MILLIS} before asking the map again. Not clustered, the map is this cache.
 */
final class Throttles {

  static final int MAX_LEVEL = 3;
  static final long FRESH_MILLIS = 2000;

  /** Receivers' words for "too many connections", "rate limited" and the like. */
  private static final Pattern SLOW_DOWN = Pattern.compile(
      "(?i)too many|\\brate\\b|rate.?limit|throttl|too (fast|frequent)|slow down|exceed|\\blimit");

  /**
   * {@code level} halvings, the last raised at {@code at} (epoch ms); it drops one step per period
   * after that.
   */
  record Level(int level, long at) {

    static final Level NONE = new Level(0, 0);

    int effective(long now, long period) {
      return (int) Math.max(0, level - Math.max(0, now - at) / period);
    }

    /**
     * One step more, unless it was raised less than a quarter period ago: the replies of the
     * connections already open when the first came count as one.
     */
    Level raise(long now, long period) {
      if (level > 0 && now - at < period / 4) {
        return this;
      }
      return new Level(Math.min(MAX_LEVEL, effective(now, period) + 1), now);
    }

    long expiresAfter(long now, long period) {
      return Math.max(1, at + level * period - now);
    }

    /** A limit of {@code max} at this level: halved per step, at least 1. */
    int apply(int max, long now, long period) {
      return Math.max(1, max >> effective(now, period));
    }

    String encode() {
      return level + ":" + at;
    }

    static Level decode(String s) {
      if (s == null) {
        return NONE;
      }
      int colon = s.indexOf(':');
      return new Level(Integer.parseInt(s.substring(0, colon)), Long.parseLong(s.substring(colon + 1)));
    }
  }

  /** Whether a remote reply asks the sender to slow down. */
  static boolean asksToSlowDown(Failure f) {
    if (!f.remote() || f.code() / 100 != 4) {
      return false;
    }
    if (f.code() == 421 || (f.code() == 452 && "4.5.3".equals(f.status()))) {
      return true;
    }
    return f.status() != null && f.status().startsWith("4.7.") && f.text() != null && SLOW_DOWN.matcher(f.text()).find();
  }

  private record Known(Level level, long checked) {
  }

  private final Vertx vertx;
  private final String eventAddress;
  private final ConcurrentHashMap<String, Known> known = new ConcurrentHashMap<>();

  Throttles(Vertx vertx, String eventAddress) {
    this.vertx = vertx;
    this.eventAddress = eventAddress;
  }

  /**
   * The domain's level when this node knows it without asking the cluster (not clustered, or
   * learnt less than {@link #FRESH_MILLIS} ago); null when only the cluster's map can say.
   */
  Level knownLevel(String domain) {
    Known k = known.get(domain);
    if (!vertx.isClustered()) {
      return k == null ? Level.NONE : k.level();
    }
    return k != null && System.currentTimeMillis() - k.checked() < FRESH_MILLIS ? k.level() : null;
  }

  /** The domain's level now: from what this node knows when fresh, else from the cluster's map. */
  Future<Level> level(String domain) {
    Level fresh = knownLevel(domain);
    if (fresh != null) {
      return Future.succeededFuture(fresh);
    }
    Known k = known.get(domain);
    long now = System.currentTimeMillis();
    return map().compose(m -> m.get(domain)).map(s -> {
      Level level = Level.decode(s);
      known.put(domain, new Known(level, now));
      return level;
    }).otherwise(k == null ? Level.NONE : k.level());
  }

  /** The domain asked to slow down: one level more, for every node. */
  Future<Void> slowDown(String domain, long period) {
    return level(domain).compose(current -> {
      long now = System.currentTimeMillis();
      Level raised = current.raise(now, period);
      if (raised == current) {
        return Future.succeededFuture();
      }
      if (known.size() > 10_000) {
        // what has decayed to nothing is the same as unknown
        known.values().removeIf(k -> k.level().effective(now, period) == 0);
      }
      known.put(domain, new Known(raised, now));
      if (!vertx.isClustered()) {
        return Future.succeededFuture();
      }
      vertx.eventBus().publish(eventAddress, new JsonObject().put("domain", domain).put("level", raised.encode()));
      return map().compose(m -> m.put(domain, raised.encode(), raised.expiresAfter(now, period)));
    });
  }

  /** What another node published. */
  void heard(JsonObject event) {
    String domain = event.getString("domain");
    Level level = Level.decode(event.getString("level"));
    known.merge(domain, new Known(level, System.currentTimeMillis()),
        (old, fresh) -> old.level().at() > fresh.level().at() ? old : fresh);
  }

  private Future<AsyncMap<String, String>> map() {
    return vertx.sharedData().getAsyncMap("postino.delivery.throttles");
  }
}
