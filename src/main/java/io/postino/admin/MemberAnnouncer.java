package io.postino.admin;

import io.postino.bus.Addresses;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.json.JsonObject;
import io.vertx.core.shareddata.AsyncMap;
import java.util.function.Supplier;

/**
 * Announces a node to the cluster (every node, admin port or not): its description goes into the
 * cluster-wide map {@code <prefix>.admin.members} under its id, as {@code GET /api/status} lists
 * the members and the admin API finds the queue nodes ({@link QueueNodes}). Deployed last, once
 * the node's services listen; removed when undeployed. The entry lives {@value #TTL_MILLIS} ms
 * and is renewed every {@value #RENEW_MILLIS} ms, so a node that dies without leaving drops out of
 * the map by itself.
 */
public final class MemberAnnouncer extends VerticleBase {

  static final long TTL_MILLIS = 30_000;
  static final long RENEW_MILLIS = 10_000;

  private final Addresses addresses;
  private final String nodeId;
  private final Supplier<JsonObject> description;
  private long renewTimer = -1;

  /** @param description made at each announcement; its {@code id} is {@code nodeId} */
  public MemberAnnouncer(Addresses addresses, String nodeId, Supplier<JsonObject> description) {
    this.addresses = addresses;
    this.nodeId = nodeId;
    this.description = description;
  }

  @Override
  public Future<?> start() {
    return announce().onSuccess(v -> renewTimer = vertx.setPeriodic(RENEW_MILLIS, id -> announce()));
  }

  private Future<Void> announce() {
    return members().compose(map -> map.put(nodeId, description.get(), TTL_MILLIS));
  }

  @Override
  public Future<?> stop() {
    vertx.cancelTimer(renewTimer);
    return members().compose(map -> map.remove(nodeId)).otherwiseEmpty();
  }

  private Future<AsyncMap<String, JsonObject>> members() {
    return vertx.sharedData().getAsyncMap(addresses.adminMembers());
  }
}
