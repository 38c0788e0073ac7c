/**
 * What the admin port shows of a running node: Prometheus metrics ({@code GET /metrics}), health
 * checks ({@code /health/live}, {@code /health/ready}) and the status page ({@code /status} and the
 * {@code /status.json} it polls). The node is seen through {@link io.postino.monitor.NodeProbe},
 * which the root package implements, and its {@link io.postino.metrics.PostinoMetrics}.
 *
 * <p>Depends on: {@code admin}, {@code metrics}.
 */
package io.postino.monitor;
