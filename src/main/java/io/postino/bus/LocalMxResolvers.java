package io.postino.bus;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.shareddata.LocalMap;
import io.vertx.core.shareddata.Shareable;
import java.util.function.Function;

/**
 * The MX resolvers of this process, by the bus address they answer ({@code postino.mx.resolve}): a
 * delivery verticle of the same process asks one directly, the same resolver and cache as over
 * the bus, without a request and reply on the event bus (and their JSON) for every job. Part of
 * the bus contract, so that delivery and the resolver still meet only here.
 */
public final class LocalMxResolvers {

  private static final String MAP = "postino.dns.local-resolvers";

  /** What a verticle registers: its current resolver (a reload swaps it), asked from any thread. */
  public record Entry(Function<String, Future<Route>> resolve) implements Shareable {
  }

  private LocalMxResolvers() {
  }

  /** The resolver answering {@code address} in this process, or null when none does (the bus it is). */
  public static Function<String, Future<Route>> at(Vertx vertx, String address) {
    Entry e = map(vertx).get(address);
    return e == null ? null : e.resolve();
  }

  public static void register(Vertx vertx, String address, Entry entry) {
    map(vertx).put(address, entry);
  }

  public static void unregister(Vertx vertx, String address, Entry entry) {
    map(vertx).removeIfPresent(address, entry);
  }

  private static LocalMap<String, Entry> map(Vertx vertx) {
    return vertx.sharedData().getLocalMap(MAP);
  }
}
