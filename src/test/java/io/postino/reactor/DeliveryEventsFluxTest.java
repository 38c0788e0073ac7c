package io.postino.reactor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.postino.bus.Addresses;
import io.postino.bus.DeliveryEvent;
import io.postino.bus.RecipientResult;
import io.postino.smtp.MailAddress;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import reactor.test.StepVerifier;

/**
 * {@link ReactivePostino#deliveryEvents()} on its own, fed with events the test publishes under a
 * prefix of its own: demand is honoured one event at a time, and cancelling unregisters the
 * consumer.
 */
class DeliveryEventsFluxTest {

  private static final Addresses ADDRESSES = new Addresses("rx-test");

  final Vertx vertx = Vertx.vertx();
  final ReactivePostino postino = new ReactivePostino(vertx, ADDRESSES, Duration.ofSeconds(5));

  @AfterEach
  void tearDown() {
    vertx.close().await();
  }

  private static JsonObject event(int attempt) {
    return new DeliveryEvent(DeliveryEvent.Type.DEFERRED, "Q" + attempt, MailAddress.parse("a@example.org"), attempt,
        Instant.parse("2026-05-01T10:05:00Z"), new RecipientResult(MailAddress.parse("b@example.com"),
            RecipientResult.Outcome.TRANSIENT, 451, "4.3.0", "try later", true, "mx.example.com", "192.0.2.1"))
        .toJson();
  }

  /**
   * Gets the first event to the Flux's consumer once it exists. A request, unlike a publication,
   * fails at once with NO_HANDLERS while there is no consumer; once there is one it is queued
   * there, and its reply times out since nobody answers events.
   */
  private void sendFirst(JsonObject event) {
    while (true) {
      try {
        vertx.eventBus().request(ADDRESSES.deliveryEvents(), event, new DeliveryOptions().setSendTimeout(200)).await();
        throw new AssertionError("an event was answered");
      } catch (ReplyException e) {
        if (e.failureType() == ReplyFailure.TIMEOUT) {
          return;
        }
        assertEquals(ReplyFailure.NO_HANDLERS, e.failureType());
      }
    }
  }

  @Test
  void oneEventPerRequestThenCancellationUnregisters() {
    StepVerifier.create(postino.deliveryEvents(), 0)
        .expectSubscription()
        .then(() -> {
          sendFirst(event(1));
          vertx.eventBus().publish(ADDRESSES.deliveryEvents(), event(2));
          vertx.eventBus().publish(ADDRESSES.deliveryEvents(), event(3));
        })
        // three events wait in the paused consumer; none goes out without demand
        .expectNoEvent(Duration.ofMillis(100))
        .thenRequest(1)
        .assertNext(e -> assertEquals(1, e.attempt()))
        .expectNoEvent(Duration.ofMillis(100))
        .thenRequest(1)
        .assertNext(e -> {
          assertEquals(2, e.attempt());
          assertEquals(DeliveryEvent.Type.DEFERRED, e.event());
          assertEquals("b@example.com", e.result().recipient().address());
        })
        .thenRequest(1)
        .assertNext(e -> assertEquals(3, e.attempt()))
        .thenCancel()
        .verify(Duration.ofSeconds(10));

    // unregistering runs on the consumer's context, just after the cancellation
    ReplyFailure failure = null;
    for (int i = 0; i < 100 && failure != ReplyFailure.NO_HANDLERS; i++) {
      try {
        vertx.eventBus().request(ADDRESSES.deliveryEvents(), event(4), new DeliveryOptions().setSendTimeout(100)).await();
      } catch (ReplyException e) {
        failure = e.failureType();
      }
    }
    assertTrue(failure == ReplyFailure.NO_HANDLERS, "the consumer is still registered");
  }
}
