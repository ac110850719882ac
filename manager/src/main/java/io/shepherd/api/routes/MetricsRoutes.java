package io.shepherd.api.routes;

import akka.http.javadsl.model.HttpResponse;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.instrumentation.jvm.JvmMetrics;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import io.shepherd.api.ApiServer;
import io.shepherd.api.Responses;
import io.shepherd.api.Router.Role;
import io.shepherd.api.internal.EventHub;
import io.shepherd.protocol.ClusterStatus;
import io.shepherd.protocol.NodeState;
import io.shepherd.protocol.NodeStatus;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;

/**
 * Prometheus metrics at {@code /metrics} (text format): per node its state, restarts, stability and
 * uptime; hosts by status; the Manager's epoch; the log server's counters; this API's streams; and
 * this member's JVM. The cluster's figures come from the Manager's status at the time of the scrape.
 */
public final class MetricsRoutes {

  private MetricsRoutes() {}

  /** JVM metrics register once per JVM (tests run several members in one). */
  private static final PrometheusRegistry JVM = new PrometheusRegistry();

  static {
    JvmMetrics.builder().register(JVM);
  }

  public static void register(ApiServer.Context api) {
    api.router().add("GET", "/metrics", Role.READ, "Prometheus metrics (text format 0.0.4): nodes, hosts, the Manager's epoch, the log "
        + "server's counters, this API's event streams, and this member's JVM.", null, "text/plain", call -> RouteSupport.guard(() -> {
          CompletableFuture<EventHub.Stats> hub = new CompletableFuture<>();
          api.events().tell(new EventHub.GetStats(hub));
          return api.manager().status().thenCombine(hub, (status, stats) -> status)
              .thenApplyAsync(status -> render(status, hub.join()), api.blocking());
        }));
  }

  private static HttpResponse render(ClusterStatus status, EventHub.Stats hub) {
    List<MetricSnapshot> metrics = new ArrayList<>();
    Instant now = Instant.now();
    GaugeSnapshot.Builder state = GaugeSnapshot.builder().name("shepherd_node_state")
        .help("1 for the state each node is in (one series per node and state), 0 for the others");
    GaugeSnapshot.Builder arrived = GaugeSnapshot.builder().name("shepherd_node_arrived").help("1 if the node is in its requested state");
    CounterSnapshot.Builder restarts = CounterSnapshot.builder().name("shepherd_node_restarts").help("Restarts of the node after a crash");
    GaugeSnapshot.Builder stability = GaugeSnapshot.builder().name("shepherd_node_stability")
        .help("Share of the recent window the node spent in its requested state, 0 to 1");
    GaugeSnapshot.Builder uptime = GaugeSnapshot.builder().name("shepherd_node_uptime_seconds")
        .help("Seconds since the node entered its current state");
    for (NodeStatus node : status.nodes()) {
      Labels labels = Labels.of("path", node.path().toString(), "host", String.valueOf(node.host()), "type", node.type());
      for (NodeState s : NodeState.values()) {
        state.dataPoint(GaugeSnapshot.GaugeDataPointSnapshot.builder().labels(labels.add("state", s.name()))
            .value(node.state() == s ? 1 : 0).build());
      }
      arrived.dataPoint(GaugeSnapshot.GaugeDataPointSnapshot.builder().labels(labels).value(node.arrived() ? 1 : 0).build());
      restarts.dataPoint(CounterSnapshot.CounterDataPointSnapshot.builder().labels(labels).value(node.restarts()).build());
      stability.dataPoint(GaugeSnapshot.GaugeDataPointSnapshot.builder().labels(labels).value(node.stability()).build());
      if (node.since() != null) {
        uptime.dataPoint(GaugeSnapshot.GaugeDataPointSnapshot.builder().labels(labels)
            .value(Math.max(0, Duration.between(node.since(), now).toMillis()) / 1000.0).build());
      }
    }
    metrics.add(state.build());
    metrics.add(arrived.build());
    metrics.add(restarts.build());
    metrics.add(stability.build());
    metrics.add(uptime.build());
    Map<String, Integer> hosts = new TreeMap<>(Map.of("UP", 0, "UNREACHABLE", 0, "DOWN", 0));
    status.hosts().forEach(h -> hosts.merge(h.status(), 1, Integer::sum));
    GaugeSnapshot.Builder hostGauge = GaugeSnapshot.builder().name("shepherd_hosts").help("Hosts by status");
    hosts.forEach((s, n) -> hostGauge.dataPoint(GaugeSnapshot.GaugeDataPointSnapshot.builder().labels(Labels.of("status", s)).value(n).build()));
    metrics.add(hostGauge.build());
    metrics.add(gauge("shepherd_manager_epoch", "The epoch of the Manager incarnation", status.manager().epoch()));
    metrics.add(gauge("shepherd_cluster_converged", "1 if every member has seen the current membership", status.converged() ? 1 : 0));
    if (status.logs() != null) {
      metrics.add(counter("shepherd_log_records", "Log records the log server received", status.logs().records()));
      metrics.add(counter("shepherd_log_gaps", "Gaps in the sources' numbering (runs of lost records)", status.logs().gaps()));
      metrics.add(counter("shepherd_log_lost", "Log records lost in those gaps", status.logs().missing()));
      metrics.add(counter("shepherd_log_dropped", "Log records the members' buffers dropped (full)", status.logs().dropped()));
      metrics.add(counter("shepherd_log_late", "Log records that came after their reorder window, written marked LATE",
          status.logs().late()));
    }
    metrics.add(gauge("shepherd_api_event_streams", "Open event streams of this API member", hub.streams()));
    metrics.add(counter("shepherd_api_event_streams_dropped", "Event streams this API member ended because they fell behind",
        hub.dropped()));
    MetricSnapshots.Builder all = MetricSnapshots.builder();
    metrics.forEach(all::metricSnapshot);
    JVM.scrape().forEach(all::metricSnapshot);
    ByteArrayOutputStream out = new ByteArrayOutputStream(64 * 1024);
    try {
      PrometheusTextFormatWriter writer = PrometheusTextFormatWriter.create();
      writer.write(out, all.build());
      return Responses.text(writer.getContentType(), out.toByteArray());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static GaugeSnapshot gauge(String name, String help, double value) {
    return GaugeSnapshot.builder().name(name).help(help).dataPoint(GaugeSnapshot.GaugeDataPointSnapshot.builder().value(value).build())
        .build();
  }

  private static CounterSnapshot counter(String name, String help, double value) {
    return CounterSnapshot.builder().name(name).help(help)
        .dataPoint(CounterSnapshot.CounterDataPointSnapshot.builder().value(value).build()).build();
  }
}
