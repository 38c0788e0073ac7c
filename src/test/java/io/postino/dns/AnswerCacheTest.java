package io.postino.dns;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class AnswerCacheTest {

  private final AtomicInteger asked = new AtomicInteger();

  private Future<String> ask(String answer) {
    asked.incrementAndGet();
    return Future.succeededFuture(answer);
  }

  @Test
  void anAnswerIsKeptAndAQuestionInFlightIsShared() {
    AnswerCache<String> cache = new AnswerCache<>(Duration.ofHours(1), 10, a -> true);
    Promise<String> slow = Promise.promise();
    Future<String> first = cache.get("a", () -> {
      asked.incrementAndGet();
      return slow.future();
    });
    Future<String> second = cache.get("a", () -> ask("other"));
    slow.complete("x");
    assertEquals("x", first.result());
    assertEquals("x", second.result());
    assertEquals("x", cache.get("a", () -> ask("other")).result());
    assertEquals(1, asked.get());
  }

  @Test
  void anAnswerItMayNotKeepIsAskedAgain() {
    AnswerCache<String> cache = new AnswerCache<>(Duration.ofHours(1), 10, a -> !a.equals("temporary"));
    cache.get("a", () -> ask("temporary"));
    cache.get("a", () -> ask("temporary"));
    assertEquals(2, asked.get());
  }

  @Test
  void pastItsBoundANewAnswerIsUsedButNotKept() {
    AnswerCache<String> cache = new AnswerCache<>(Duration.ofHours(1), 2, a -> true);
    cache.get("a", () -> ask("1"));
    cache.get("b", () -> ask("2"));
    assertEquals("3", cache.get("c", () -> ask("3")).result());
    assertEquals("3", cache.get("c", () -> ask("3")).result());
    cache.get("a", () -> ask("again"));
    assertEquals(4, asked.get());
  }

  @Test
  void withoutATimeToLiveNothingIsKept() {
    AnswerCache<String> cache = new AnswerCache<>(Duration.ZERO, 10, a -> true);
    cache.get("a", () -> ask("1"));
    cache.get("a", () -> ask("1"));
    assertEquals(2, asked.get());
  }
}
