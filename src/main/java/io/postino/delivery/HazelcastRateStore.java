package io.postino.delivery;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.EntryProcessor;
import com.hazelcast.map.ExtendedMapEntry;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;

/**
 * The rate states in a Hazelcast map, each reservation one atomic entry processor run on the
 * member that owns the key: one round trip, no lock, and the owner's clock for every node. Vert.x's
 * shared data offers no compare-and-set with an expiry on Hazelcast ({@code replaceIfPresent}
 * with a TTL is unsupported), and a state must expire or the map would keep every domain ever
 * mailed. The backup copy replays the same reservation with its member's clock, so after a
 * failover the state may be off by the clocks' difference, no more. Only loaded when the cluster
 * manager is Hazelcast's (an optional dependency).
 */
final class HazelcastRateStore implements RateStore {

  static final String MAP = "postino.delivery.rates";

  private final HazelcastInstance hazelcast;

  private HazelcastRateStore(HazelcastInstance hazelcast) {
    this.hazelcast = hazelcast;
  }

  /** The store of the cluster that {@code manager}, a {@link HazelcastClusterManager}, belongs to. */
  static RateStore of(Object manager) {
    return new HazelcastRateStore(((HazelcastClusterManager) manager).getHazelcastInstance());
  }

  @Override
  public Future<Long> reserve(String key, Gcra rate, long maxWait) {
    Context context = Vertx.currentContext();
    CompletionStage<Long> wait = hazelcast.<String, Long>getMap(MAP).submitToKey(key, new Reserve(rate, maxWait));
    return context == null ? Future.fromCompletionStage(wait) : Future.fromCompletionStage(wait, context);
  }

  /** Runs on the key's owner. */
  record Reserve(Gcra rate, long maxWait) implements EntryProcessor<String, Long, Long> {

    @Override
    public Long process(Map.Entry<String, Long> entry) {
      long now = Gcra.nowMicros();
      Gcra.Reservation r = rate.reserve(entry.getValue(), now, maxWait);
      if (r.delay() >= 0) {
        // once tat has passed the entry means nothing: let it go a second later
        ((ExtendedMapEntry<String, Long>) entry).setValue(r.tat(), r.tat() - now + 1_000_000, TimeUnit.MICROSECONDS);
      }
      return r.delay();
    }
  }
}
