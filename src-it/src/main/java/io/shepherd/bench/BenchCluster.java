package io.shepherd.bench;

import com.typesafe.config.ConfigFactory;
import io.shepherd.ShepherdConfig;
import io.shepherd.client.ClientSettings;
import io.shepherd.client.ShepherdClient;
import io.shepherd.member.LocalCluster;
import io.shepherd.member.MemberProcess;
import io.shepherd.protocol.ClusterStatus;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/** Three member JVMs on loopback (manager+host, host, host) and a client in the benchmark's JVM. */
final class BenchCluster implements AutoCloseable {

  final LocalCluster members;
  final ShepherdClient client;

  private static final String MEMBER_SETTING = "bench.member.";

  BenchCluster(String name, Map<String, String> overrides) throws Exception {
    this(name, overrides, List.of("manager,host", "host", "host"));
  }

  BenchCluster(String name, Map<String, String> overrides, List<String> roles) throws Exception {
    this(name, overrides, roles, Duration.ofSeconds(60));
  }

  /**
   * @param roles the roles of bench-a, bench-b and bench-c, e.g. "manager,host"
   * @param callTimeout the client's call timeout
   */
  BenchCluster(String name, Map<String, String> overrides, List<String> roles, Duration callTimeout) throws Exception {
    Path logs = Files.createTempDirectory("shepherd-bench-" + name + "-");
    Report.note("member logs in " + logs);
    Map<String, String> properties = new LinkedHashMap<>();
    properties.put("shepherd.host.work-root", logs.resolve("work").toString());
    properties.put("shepherd.logs.server.dir", logs.resolve("server-logs").toString());
    properties.putAll(overrides);
    // -Dbench.member.KEY=VALUE sets KEY for every member, e.g. to compare a setting's cost in the same session.
    System.getProperties().stringPropertyNames().stream().filter(k -> k.startsWith(MEMBER_SETTING)).sorted().forEach(k -> {
      properties.put(k.substring(MEMBER_SETTING.length()), System.getProperty(k));
      Report.note("members run with " + k.substring(MEMBER_SETTING.length()) + " = " + System.getProperty(k));
    });
    members = new LocalCluster(logs, jvmOptions(MEMBER_JVM), properties);
    ShepherdClient connected = null;
    try {
      String[] ids = {"bench-a", "bench-b", "bench-c"};
      long hosts = 0;
      for (int i = 0; i < ids.length; i++) {
        Set<String> memberRoles = Set.of(roles.get(i).split(","));
        members.start(ids[i], memberRoles);
        hosts += memberRoles.contains("host") ? 1 : 0;
      }
      connected = ShepherdClient.connect(ClientSettings.fromConfig(ShepherdConfig.load(
              ConfigFactory.parseMap(members.properties()))).withApi(members.apiUrls())
          .withConnectTimeout(Duration.ofSeconds(120)).withCallTimeout(callTimeout));
      client = connected;
      long expected = hosts;
      await(expected + " hosts up", s -> s.hosts().stream().filter(h -> h.status().equals("UP")).count() == expected);
    } catch (Exception | Error e) {
      if (connected != null) {
        connected.close();
      }
      members.close();
      throw e;
    }
  }

  /** Member JVM options of the benchmarks that run on this cluster. */
  static final List<String> MEMBER_JVM = List.of("-Xms1g", "-Xmx1g", "-Xmn512m", "-XX:+UseParallelGC", "-XX:+AlwaysPreTouch");

  /** A benchmark's member JVM options: {@code defaults}, or SHEPHERD_BENCH_JVM_OPTS (space-separated) instead. */
  static List<String> jvmOptions(List<String> defaults) {
    String custom = System.getenv("SHEPHERD_BENCH_JVM_OPTS");
    return custom != null && !custom.isBlank() ? List.of(custom.trim().split("\\s+")) : defaults;
  }

  /** Configuration overrides from SHEPHERD_BENCH_CONFIG: "key=value;key=value". */
  static Map<String, String> tuning() {
    String custom = System.getenv("SHEPHERD_BENCH_CONFIG");
    Map<String, String> map = new LinkedHashMap<>();
    if (custom != null) {
      for (String pair : custom.split(";")) {
        if (pair.contains("=")) {
          map.put(pair.substring(0, pair.indexOf('=')).trim(), pair.substring(pair.indexOf('=') + 1).trim());
        }
      }
    }
    return map;
  }

  /** The live member running host {@code hostId}. */
  MemberProcess member(String hostId) {
    return members.members().stream().filter(m -> m.alive() && m.hostId().equals(hostId)).findFirst().orElseThrow();
  }

  ClusterStatus await(String what, Predicate<ClusterStatus> condition) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(5);
    while (System.nanoTime() < deadline) {
      try {
        ClusterStatus status = client.status().toCompletableFuture().get(60, TimeUnit.SECONDS);
        if (condition.test(status)) {
          return status;
        }
      } catch (Exception e) {
        // not yet
      }
      Thread.sleep(100);
    }
    throw new IllegalStateException("timed out waiting for " + what);
  }

  @Override
  public void close() {
    try {
      client.close();
    } finally {
      members.close();
    }
  }
}
