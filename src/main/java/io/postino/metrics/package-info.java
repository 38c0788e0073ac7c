/**
 * A node's figures: {@link io.postino.metrics.PostinoMetrics} owns the node's Micrometer registry
 * (a Prometheus one for a running node, so that metrics work in a caller's {@code Vertx} built
 * without metrics options) and hands each part of the node its meters, built once so that an event
 * costs an increment, never a lookup by tags: {@link io.postino.metrics.ListenerMeters} (sessions,
 * acceptances, refusals by {@link io.postino.metrics.Refusal}, TLS, AUTH), {@link
 * io.postino.metrics.SpoolMeters}, {@link io.postino.metrics.DeliveryMeters} (outcomes by a bounded
 * set of destination domains, latency, the recent deliveries and throughput the status page
 * shows), {@link io.postino.metrics.DnsMeters} and {@link io.postino.metrics.QueueGauges}.
 *
 * <p>Depends on: {@code config}.
 */
package io.postino.metrics;
