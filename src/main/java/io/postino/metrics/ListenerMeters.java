package io.postino.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The meters of one listener ({@code smtp}, {@code submission}, {@code smtps}), all tagged
 * {@code listener}: built once, so that counting an event is an increment. Thread-safe.
 */
public final class ListenerMeters {

  private final MeterRegistry registry;
  private final String listener;
  private final Throughput throughput;
  private final AtomicInteger open = new AtomicInteger();
  private final Counter opened;
  private final Counter accepted;
  private final Counter bytes;
  private final Counter[] refused;
  private final Counter tlsFailures;
  private final Counter authSuccesses;
  private final Counter authFailures;
  /** By protocol name as the TLS engine reports it: a handful of values at most. */
  private final Map<String, Counter> tlsHandshakes = new ConcurrentHashMap<>();

  ListenerMeters(MeterRegistry registry, String listener, Throughput throughput) {
    this.registry = registry;
    this.listener = listener;
    this.throughput = throughput;
    Gauge.builder("postino.sessions.open", open, AtomicInteger::get).tag("listener", listener)
        .description("SMTP sessions open now").register(registry);
    opened = counter("postino.sessions.opened", "SMTP sessions opened");
    accepted = counter("postino.messages.accepted", "messages accepted (250 after the content)");
    bytes = Counter.builder("postino.received.bytes").tag("listener", listener)
        .description("octets of message content received").register(registry);
    refused = new Counter[Refusal.values().length];
    for (Refusal r : Refusal.values()) {
      refused[r.ordinal()] = Counter.builder("postino.messages.refused").tag("listener", listener)
          .tag("reason", r.label()).description("recipients, messages and connections refused").register(registry);
    }
    tlsFailures = counter("postino.tls.handshake.failures", "TLS handshakes that failed");
    authSuccesses = Counter.builder("postino.auth.attempts").tag("listener", listener).tag("result", "success")
        .description("AUTH attempts whose credentials were checked").register(registry);
    authFailures = Counter.builder("postino.auth.attempts").tag("listener", listener).tag("result", "failure")
        .description("AUTH attempts whose credentials were checked").register(registry);
  }

  private Counter counter(String name, String description) {
    return Counter.builder(name).tag("listener", listener).description(description).register(registry);
  }

  public void opened() {
    opened.increment();
    open.incrementAndGet();
  }

  public void closed() {
    open.decrementAndGet();
  }

  public void accepted() {
    accepted.increment();
    throughput.count(Throughput.Kind.ACCEPTED);
  }

  public void refused(Refusal reason) {
    refused[reason.ordinal()].increment();
  }

  public void received(long octets) {
    bytes.increment(octets);
  }

  public void tlsHandshake(String protocol) {
    tlsHandshakes.computeIfAbsent(String.valueOf(protocol), p -> Counter.builder("postino.tls.handshakes")
        .tag("listener", listener).tag("protocol", p).description("TLS handshakes completed").register(registry))
        .increment();
  }

  public void tlsFailed() {
    tlsFailures.increment();
  }

  public void auth(boolean success) {
    (success ? authSuccesses : authFailures).increment();
  }
}
