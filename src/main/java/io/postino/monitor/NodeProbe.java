package io.postino.monitor;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.util.List;

/** What the admin port's figures ask of the node beyond its meters. */
public interface NodeProbe {

  /** One readiness check: {@code detail} says what was found, for a person. */
  record Check(String id, boolean up, String detail) {
  }

  /**
   * Brings the figures that are counted rather than kept (the queue's census, the spool's free
   * space) up to date. Never fails: a count that fails keeps the last one.
   */
  Future<Void> refresh();

  /** The checks of {@code /health/ready}; the node is ready when every one is up. */
  Future<List<Check>> readiness();

  /**
   * The node itself, for the status page: {@code hostname}, {@code startedAt} (epoch ms),
   * {@code listeners} (name to port), {@code cluster} ({@code clustered}, {@code members}: objects
   * with {@code id}, {@code address}, {@code self}).
   */
  Future<JsonObject> node();
}
