package io.postino.dns;

import io.postino.bus.Route;
import io.postino.bus.RouteException;
import io.postino.bus.RouteHost;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;

/**
 * What the resolver tests share: one Vert.x per class, a fresh {@link TestDnsServer} per test,
 * resolvers pointed only at it (never at the system resolver) on a clock the test moves, and
 * helpers that wait for a route or a failure.
 */
abstract class ResolverTestBase {

  /** A nanosecond clock that moves only when the test says so, to expire TTLs without waiting. */
  static final class FakeClock implements LongSupplier {
    private final AtomicLong nanos = new AtomicLong(1_000_000_000L);

    @Override
    public long getAsLong() {
      return nanos.get();
    }

    void advanceSeconds(long seconds) {
      nanos.addAndGet(TimeUnit.SECONDS.toNanos(seconds));
    }
  }

  static Vertx vertx;
  TestDnsServer dns;
  final FakeClock clock = new FakeClock();
  private final List<MxResolver> resolvers = new ArrayList<>();

  @BeforeAll
  static void startVertx() {
    vertx = Vertx.vertx();
  }

  @AfterAll
  static void closeVertx() {
    vertx.close().await();
  }

  @BeforeEach
  void startDns() throws IOException {
    dns = TestDnsServer.start();
  }

  @AfterEach
  void closeAll() throws IOException {
    resolvers.forEach(r -> r.close().await());
    dns.close();
  }

  /** Options that ask the test server only, quickly and once. */
  MxResolverOptions options() {
    return new MxResolverOptions().setServers(List.of(dns.address())).setQueryTimeout(500).setRetries(0);
  }

  MxResolver resolver(MxResolverOptions options) {
    MxResolver resolver = new DnsMxResolver(vertx, options, clock);
    resolvers.add(resolver);
    return resolver;
  }

  MxResolver resolver() {
    return resolver(options());
  }

  static Route route(MxResolver resolver, String domain) {
    return join(resolver.resolve(domain));
  }

  static RouteException failure(MxResolver resolver, String domain) {
    CompletionException e = assertThrows(CompletionException.class, () -> join(resolver.resolve(domain)));
    return (RouteException) e.getCause();
  }

  static <T> T join(Future<T> future) {
    return future.toCompletionStage().toCompletableFuture().orTimeout(10, TimeUnit.SECONDS).join();
  }

  static List<String> names(Route route) {
    return route.hosts().stream().map(RouteHost::name).toList();
  }

  static void assertFailure(RouteException failure, boolean permanent, int code, String status) {
    assertEquals(permanent, failure.permanent(), failure.reason());
    assertEquals(code, failure.code(), failure.reason());
    assertEquals(status, failure.status(), failure.reason());
  }
}
