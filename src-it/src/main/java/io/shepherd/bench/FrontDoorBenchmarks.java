package io.shepherd.bench;

import io.shepherd.member.Certificates;
import io.shepherd.protocol.NodeSpec;
import io.shepherd.protocol.NodeState;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.HttpURLConnection;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The front door's figures: the CLI's status beside supervisorctl and pm2, and events to 100 subscribers. */
final class FrontDoorBenchmarks {

  private FrontDoorBenchmarks() {}

  static List<Benchmark> all() {
    return List.of(new CliStatus(), new EventsFanout());
  }

  /** Wall time of {@code bin/shepherd status} against a 3-member cluster, beside supervisorctl status and pm2 jlist. */
  static final class CliStatus implements Benchmark {
    private static final int RUNS = 20;

    public String name() {
      return "cli-status";
    }

    public String description() {
      return "wall time of bin/shepherd status against a 3-member cluster (plain HTTP on loopback, and HTTPS with a client "
          + "certificate and with a token), median of 20, beside supervisorctl status and pm2 jlist in the same run; "
          + "target <= 300 ms and within 2x of the faster peer";
    }

    public void run(Report report) throws Exception {
      String shepherd = Path.of(System.getProperty("shepherd.home", "."), "bin", "shepherd").toString();
      Path work = Files.createTempDirectory("shepherd-bench-cli-");
      Map<String, Double> medians = new HashMap<>();
      try (BenchCluster cluster = new BenchCluster(name() + "-plain", Map.of())) {
        String api = cluster.members.apiUrls().get(0).toString();
        Report.note("plain HTTP on loopback: " + api);
        medians.put("plain", measure(report, "shepherd.plain", List.of(shepherd, "status", "--api", api)));
      }
      Certificates.create(work.resolve("certs"), List.of("bench", "operator"), 2);
      Path tls = work.resolve("certs");
      Map<String, String> overrides = Map.of("shepherd.tls.enabled", "on", "shepherd.tls.dir", tls.resolve("bench").toString());
      try (BenchCluster cluster = new BenchCluster(name() + "-tls", overrides)) {
        String api = cluster.members.apiUrls().get(0).toString();
        Report.note("HTTPS: " + api);
        medians.put("tls-certificate", measure(report, "shepherd.tls-certificate",
            List.of(shepherd, "status", "--api", api, "--tls-dir", tls.resolve("operator").toString())));
        Path token = tls.resolve("operator").resolve(Certificates.API_TOKENS);
        medians.put("tls-token", measure(report, "shepherd.tls-token",
            List.of(shepherd, "status", "--api", api, "--tls-dir", tls.resolve("operator").toString(), "--token-file", token.toString())));
      }
      Double supervisor = supervisorctl(report, work);
      Double pm2 = pm2(report, work);
      double best = Math.min(supervisor == null ? Double.MAX_VALUE : supervisor, pm2 == null ? Double.MAX_VALUE : pm2);
      if (best < Double.MAX_VALUE) {
        medians.forEach((variant, median) -> report.figure("shepherd." + variant + ".of-best-peer", median / best, "ratio"));
      }
    }

    /** The median (and p90) wall time in ms of a command, run 20 times after 3 runs that warm the disk cache and the CLI's class archive. */
    private static double measure(Report report, String name, List<String> command) throws Exception {
      for (int i = 0; i < 3; i++) {
        run(command);
      }
      long[] samples = new long[RUNS];
      for (int i = 0; i < RUNS; i++) {
        long start = System.nanoTime();
        int status = run(command);
        samples[i] = System.nanoTime() - start;
        if (status != 0) {
          throw new IllegalStateException(String.join(" ", command) + " exited with " + status);
        }
      }
      Arrays.sort(samples);
      double median = samples[RUNS / 2] / 1e6;
      report.figure(name + ".median", median, "ms");
      report.figure(name + ".p90", Report.percentile(samples, 90) / 1e6, "ms");
      return median;
    }

    private static int run(List<String> command) throws Exception {
      Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
      if (!process.waitFor(60, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        return -1;
      }
      return process.exitValue();
    }

    private static Double supervisorctl(Report report, Path work) throws Exception {
      String supervisord = Peers.supervisord();
      if (supervisord == null) {
        return null;
      }
      Path dir = Files.createDirectories(work.resolve("supervisor"));
      Path conf = dir.resolve("supervisord.conf");
      List<String> lines = new ArrayList<>(List.of("[unix_http_server]", "file=" + dir.resolve("supervisor.sock"),
          "[supervisorctl]", "serverurl=unix://" + dir.resolve("supervisor.sock")));
      lines.addAll(Peers.supervisordSections(dir));
      for (int i = 0; i < 10; i++) {
        lines.addAll(List.of("[program:p" + i + "]", "command=/usr/bin/sleep 100000", "startsecs=0"));
      }
      Files.write(conf, lines);
      Process daemon = new ProcessBuilder(supervisord, "-c", conf.toString()).redirectErrorStream(true)
          .redirectOutput(dir.resolve("out.log").toFile()).start();
      try {
        String supervisorctl = Peers.which("supervisorctl");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (run(List.of(supervisorctl, "-c", conf.toString(), "status")) != 0 && System.nanoTime() < deadline) {
          TimeUnit.MILLISECONDS.sleep(200);
        }
        return measure(report, "supervisorctl", List.of(supervisorctl, "-c", conf.toString(), "status"));
      } finally {
        daemon.destroy();
        daemon.waitFor(10, TimeUnit.SECONDS);
        daemon.destroyForcibly();
      }
    }

    private static Double pm2(Report report, Path work) throws Exception {
      Path install = Peers.pm2();
      if (install == null) {
        return null;
      }
      String pm2 = Peers.pm2Command(install);
      Path dir = Files.createDirectories(work.resolve("pm2"));
      Map<String, String> env = Map.of("PM2_HOME", dir.resolve("home").toString());
      try {
        for (int i = 0; i < 10; i++) {
          Peers.exec(List.of(pm2, "start", "/usr/bin/sleep", "--name", "p" + i, "--", "100000"), env);
        }
        List<String> command = List.of("/usr/bin/env", "PM2_HOME=" + env.get("PM2_HOME"), pm2, "jlist");
        return measure(report, "pm2-jlist", command);
      } finally {
        Peers.exec(List.of(pm2, "kill"), env);
      }
    }
  }

  /**
   * 100 Server-Sent Event subscribers in this JVM, while 1,000 requests a second change the state
   * of 100 nodes: the delivery latency of every event (the Manager's time stamp to a subscriber
   * reading it, same machine clock) and whether every subscriber got every event, in order.
   */
  static final class EventsFanout implements Benchmark {
    private static final int SUBSCRIBERS = 100;
    private static final int NODES = 100;
    private static final int RATE = 1_000;
    private static final int SECONDS = 10;
    private static final Pattern SEQ = Pattern.compile("\"seq\":(\\d+)");
    private static final Pattern AT = Pattern.compile("\"at\":\"([^\"]+)\"");

    public String name() {
      return "events-fanout";
    }

    public String description() {
      return "100 SSE subscribers, 1,000 node state changes/s for 10 s (a group of 100 nodes down and up 10 times a second): "
          + "delivery latency p50/p99 (Manager's event time -> subscriber), events lost, streams dropped";
    }

    public void run(Report report) throws Exception {
      try (BenchCluster cluster = new BenchCluster(name(), BenchCluster.tuning())) {
        cluster.client.createGroup("bench-b/fan", true).toCompletableFuture().join();
        List<CompletableFuture<?>> created = new ArrayList<>();
        for (int i = 0; i < NODES; i++) {
          created.add(cluster.client.createNode("bench-b/fan/n" + i, NodeSpec.of("noop", Map.of()), NodeState.RUNNING)
              .toCompletableFuture());
        }
        created.forEach(CompletableFuture::join);
        cluster.await("100 nodes running", s -> s.nodes().stream().filter(n -> n.state() == NodeState.RUNNING).count() >= NODES);
        URI events = cluster.members.apiUrls().get(0).resolve("/api/v1/events");
        AtomicBoolean stop = new AtomicBoolean();
        List<Subscriber> subscribers = new ArrayList<>();
        for (int i = 0; i < SUBSCRIBERS; i++) {
          Subscriber subscriber = new Subscriber(events, stop);
          subscribers.add(subscriber);
          subscriber.thread.start();
        }
        for (Subscriber subscriber : subscribers) {
          subscriber.connected.get(60, TimeUnit.SECONDS);
        }
        for (int rate : new int[] {RATE / 10, RATE}) {
          phase(report, cluster, subscribers, rate, rate == RATE ? "" : "light.");
        }
        // A close waits until its reader's blocked read returns, at the next heartbeat (up to 15 s): all
        // at once, not one after another (100 in a row took ~15 minutes).
        List<Thread> closing = subscribers.stream().map(s -> new Thread(s::close, "subscriber-close")).toList();
        closing.forEach(Thread::start);
        for (Thread thread : closing) {
          thread.join();
        }
      }
    }

    /**
     * The group goes down, then up, {@code rate / 100} times a second for 10 s: 100 nodes change
     * state each time. Figures are prefixed with {@code prefix}.
     */
    private static void phase(Report report, BenchCluster cluster, List<Subscriber> subscribers, int rate, String prefix)
        throws Exception {
      subscribers.forEach(Subscriber::reset);
      int flipsPerSecond = rate / NODES;
      Report.note(SUBSCRIBERS + " subscribers; " + rate + " node state changes/s (" + flipsPerSecond + " up or down of "
          + NODES + " nodes a second) for " + SECONDS + " s");
      long start = System.nanoTime();
      long sent = 0;
      List<CompletableFuture<?>> requests = new ArrayList<>();
      while (System.nanoTime() - start < TimeUnit.SECONDS.toNanos(SECONDS)) {
        long due = (System.nanoTime() - start) * flipsPerSecond / 1_000_000_000L;
        for (; sent < due; sent++) {
          requests.add((sent % 2 == 0 ? cluster.client.down("bench-b/fan") : cluster.client.up("bench-b/fan")).toCompletableFuture());
        }
        TimeUnit.MILLISECONDS.sleep(1);
      }
      double seconds = (System.nanoTime() - start) / 1e9;
      Map<String, Integer> failures = new TreeMap<>();
      for (CompletableFuture<?> request : requests) {
        try {
          request.join();
        } catch (RuntimeException e) {
          failures.merge(String.valueOf((e.getCause() == null ? e : e.getCause()).getMessage()), 1, Integer::sum);
        }
      }
      failures.forEach((why, count) -> Report.note(count + " requests failed: " + why));
      // Let the last events arrive: wait until no subscriber's newest event has moved for 2 s.
      long newest = 0;
      long stableSince = System.nanoTime();
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      while (System.nanoTime() < deadline && System.nanoTime() - stableSince < TimeUnit.SECONDS.toNanos(2)) {
        long max = subscribers.stream().mapToLong(s -> s.lastSeq).max().orElse(0);
        if (max != newest || subscribers.stream().anyMatch(s -> s.alive() && s.lastSeq != max)) {
          newest = max;
          stableSince = System.nanoTime();
        }
        TimeUnit.MILLISECONDS.sleep(100);
      }
      List<Long> latencies = new ArrayList<>();
      long gaps = 0;
      long behind = 0;
      long delivered = 0;
      for (Subscriber subscriber : subscribers) {
        latencies.addAll(subscriber.latencies);
        gaps += subscriber.gaps;
        delivered += subscriber.received;
        if (subscriber.lastSeq < newest || !subscriber.alive()) {
          behind++;
        }
      }
      report.figure(prefix + "state-changes.rate", sent * NODES / seconds, "per-s");
      report.figure(prefix + "requests.failed", failures.values().stream().mapToInt(Integer::intValue).sum(), "count");
      report.figure(prefix + "events.delivered", delivered, "count");
      report.figure(prefix + "events.per-subscriber.rate", delivered / (double) SUBSCRIBERS / seconds, "per-s");
      report.figure(prefix + "events.lost", gaps, "count");
      report.figure(prefix + "subscribers.behind-or-dropped", behind, "count");
      report.latencies(prefix + "delivery", latencies.stream().mapToLong(Long::longValue).toArray());
    }

    /** One subscriber: reads the stream on a thread, checks the numbering, and times each event. */
    static final class Subscriber {
      final Thread thread;
      final CompletableFuture<Void> connected = new CompletableFuture<>();
      final ConcurrentLinkedQueue<Long> latencies = new ConcurrentLinkedQueue<>();
      volatile long lastSeq;
      volatile long gaps;
      volatile long received;
      private volatile HttpURLConnection connection;
      private volatile boolean ended;

      Subscriber(URI events, AtomicBoolean stop) {
        thread = new Thread(() -> {
          try {
            HttpURLConnection open = (HttpURLConnection) events.toURL().openConnection();
            open.setRequestProperty("Accept", "text/event-stream");
            connection = open;
            BufferedReader lines = new BufferedReader(new InputStreamReader(open.getInputStream(), StandardCharsets.UTF_8));
            connected.complete(null);
            String line;
            while (!stop.get() && (line = lines.readLine()) != null) {
              if (!line.startsWith("data: ")) {
                continue;
              }
              Instant now = Instant.now();
              Matcher seq = SEQ.matcher(line);
              Matcher at = AT.matcher(line);
              if (!seq.find() || !at.find()) {
                continue;
              }
              long number = Long.parseLong(seq.group(1));
              if (lastSeq != 0 && number != lastSeq + 1) {
                gaps += number - lastSeq - 1;
              }
              lastSeq = number;
              received++;
              latencies.add(Math.max(0, Duration.between(parseInstant(at.group(1)), now).toNanos()));
            }
          } catch (Exception e) {
            connected.completeExceptionally(e);
          } finally {
            ended = true;
          }
        }, "subscriber");
        thread.setDaemon(true);
      }

      private String second = "";
      private long epochSecond;

      /** An ISO instant as the API writes it ({@code 2026-12-01T12:28:29.622123Z}), the seconds part parsed once per second. */
      private Instant parseInstant(String text) {
        int dot = text.indexOf('.');
        String whole = dot < 0 ? text.substring(0, text.length() - 1) : text.substring(0, dot);
        if (!whole.equals(second)) {
          second = whole;
          epochSecond = Instant.parse(whole + "Z").getEpochSecond();
        }
        long nanos = 0;
        if (dot >= 0) {
          String fraction = text.substring(dot + 1, text.length() - 1);
          nanos = Long.parseLong(fraction) * (long) Math.pow(10, 9 - fraction.length());
        }
        return Instant.ofEpochSecond(epochSecond, nanos);
      }

      /** Forgets the figures of an earlier phase (the numbering goes on). */
      void reset() {
        latencies.clear();
        gaps = 0;
        received = 0;
      }

      boolean alive() {
        return !ended;
      }

      void close() {
        HttpURLConnection open = connection;
        if (open != null) {
          open.disconnect();
        }
      }
    }
  }
}
