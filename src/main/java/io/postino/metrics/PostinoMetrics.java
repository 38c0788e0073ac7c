package io.postino.metrics;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.FileDescriptorMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The figures of one node: its own Micrometer registry (nothing global, so that several Postinos
 * in one JVM and a caller's {@code Vertx} built without metrics options all work) and the meters
 * each part of the node is handed. Thread-safe.
 */
public final class PostinoMetrics implements AutoCloseable {

  private final MeterRegistry registry;
  private final Throughput throughput = new Throughput();
  private final RecentDeliveries recent;
  private final Map<String, ListenerMeters> listeners = new ConcurrentHashMap<>();
  private final SpoolMeters spool;
  private final DeliveryMeters deliveries;
  private final DnsMeters dns;
  private final QueueGauges queue;
  private JvmGcMetrics gc;

  public PostinoMetrics(MeterRegistry registry, MetricsOptions options) {
    this.registry = registry;
    this.recent = new RecentDeliveries(options.getRecentDeliveries());
    this.spool = new SpoolMeters(registry);
    this.deliveries = new DeliveryMeters(registry, options.getDomainLabels(), throughput, recent);
    this.dns = new DnsMeters(registry);
    this.queue = new QueueGauges(registry);
  }

  /** A node's figures in a Prometheus registry, the JVM's included. */
  public static PostinoMetrics prometheus(MetricsOptions options) {
    PostinoMetrics metrics = new PostinoMetrics(new PrometheusMeterRegistry(PrometheusConfig.DEFAULT), options);
    metrics.bindJvm();
    return metrics;
  }

  /** Figures that go nowhere, for parts built outside a node (tools, tests). */
  public static PostinoMetrics none() {
    return new PostinoMetrics(new CompositeMeterRegistry(), new MetricsOptions());
  }

  private void bindJvm() {
    new JvmMemoryMetrics().bindTo(registry);
    new JvmThreadMetrics().bindTo(registry);
    new ClassLoaderMetrics().bindTo(registry);
    new ProcessorMetrics().bindTo(registry);
    new UptimeMetrics().bindTo(registry);
    new FileDescriptorMetrics().bindTo(registry);
    // the only binder holding resources (GC notification listeners): released by close()
    gc = new JvmGcMetrics();
    gc.bindTo(registry);
  }

  public MeterRegistry registry() {
    return registry;
  }

  /** The meters of a listener, {@code smtp}, {@code submission} or {@code smtps}. */
  public ListenerMeters listener(String name) {
    return listeners.computeIfAbsent(name, n -> new ListenerMeters(registry, n, throughput));
  }

  public SpoolMeters spool() {
    return spool;
  }

  public DeliveryMeters deliveries() {
    return deliveries;
  }

  public DnsMeters dns() {
    return dns;
  }

  public QueueGauges queue() {
    return queue;
  }

  public Throughput throughput() {
    return throughput;
  }

  public RecentDeliveries recentDeliveries() {
    return recent;
  }

  /** The Prometheus text of everything registered, or null when the registry is not a Prometheus one. */
  public String scrape() {
    return registry instanceof PrometheusMeterRegistry prometheus ? prometheus.scrape() : null;
  }

  @Override
  public void close() {
    if (gc != null) {
      gc.close();
    }
    registry.close();
  }
}
