package io.shepherd.it;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.shepherd.ShepherdConfig;
import io.shepherd.client.ClientSettings;
import io.shepherd.client.ShepherdClient;
import io.shepherd.member.LocalCluster;
import io.shepherd.member.MemberProcess;
import io.shepherd.protocol.ClusterStatus;
import io.shepherd.protocol.NodeStatus;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.stream.Stream;

/**
 * The multi-JVM harness: real member JVMs on loopback (free ports), a client in this JVM, {@code
 * kill -9} of any member, and polling with generous deadlines. {@link #close()} reaps every JVM it
 * started, also when a test fails; members also end on their own if this JVM dies.
 */
public final class TestCluster implements AutoCloseable {

  /** How long a condition may take on a loaded 2-core machine before a test gives up. */
  public static final Duration PATIENCE = Duration.ofSeconds(90);

  private final Path logs;
  private final LocalCluster members;
  private final List<ShepherdClient> clients = new ArrayList<>();

  private TestCluster(Path logs, LocalCluster members) {
    this.logs = logs;
    this.members = members;
  }

  /**
   * A harness whose members write their logs under {@code target/it-logs/NAME} and run with the
   * given configuration overrides (system properties).
   */
  public static TestCluster create(String name, Map<String, String> overrides) {
    Path logs = Path.of(System.getProperty("shepherd.it.logs", "target/it-logs")).resolve(name);
    Map<String, String> properties = new LinkedHashMap<>();
    properties.put("akka.cluster.jmx.enabled", "off");
    // The members' work folders and the log server's files stay under target/, never in ~/.shepherd.
    properties.put("shepherd.host.work-root", logs.resolve("work").toAbsolutePath().toString());
    properties.put("shepherd.logs.server.dir", logs.resolve("server-logs").toAbsolutePath().toString());
    properties.putAll(overrides);
    // A member keeps the desired state in its work folder: a new harness starts from none, as a new cluster does.
    deleteRecursively(logs.resolve("work"));
    return new TestCluster(logs, new LocalCluster(logs, LocalCluster.smallJvm(), properties));
  }

  /** The harness's folder: the members' logs, and their work folders under {@code work}. */
  public Path logs() {
    return logs;
  }

  static void deleteRecursively(Path dir) {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(dir)) {
      for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(path);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot clear " + dir + " for a new test cluster", e);
    }
  }

  public MemberProcess start(String hostId, String... roles) {
    return members.start(hostId, Set.of(roles));
  }

  /** Starts a member on its own loopback address, e.g. 127.0.0.12, so that it can be partitioned. */
  public MemberProcess startAt(String hostname, String hostId, String... roles) {
    return members.start(hostId, Set.of(roles), hostname, LocalCluster.freePort());
  }

  /** Starts a member (a seed) on 127.0.0.1 and {@code port}: one that others were told to join before it started, say. */
  public MemberProcess startOn(int port, String hostId, String... roles) {
    return members.start(hostId, Set.of(roles), "127.0.0.1", port);
  }

  /** Starts a member on 127.0.0.1 with system properties of its own (its TLS folder, say). */
  public MemberProcess startWith(String hostId, Map<String, String> own, String... roles) {
    return members.start(hostId, Set.of(roles), "127.0.0.1", LocalCluster.freePort(), own);
  }

  /** Starts a member (a seed) with environment variables of its own, as a service manager sets them. */
  public MemberProcess startWithEnvironment(String hostId, Map<String, String> env, String... roles) {
    return members.startWithEnvironment(hostId, Set.of(roles), env);
  }

  /** Starts a member that joins through {@code seeds} (host:port) rather than this cluster's. */
  public MemberProcess startJoining(String hostId, List<String> seeds, String... roles) {
    return members.startJoining(hostId, Set.of(roles), seeds);
  }

  /** Starts a member again on the address of one that stopped: the same machine, rebooted. */
  public MemberProcess restart(MemberProcess old) {
    return members.restart(old);
  }

  /** Like {@link #restart(MemberProcess)}, with system properties of its own: its configuration changed while it was down. */
  public MemberProcess restart(MemberProcess old, Map<String, String> own) {
    return members.restart(old, own);
  }

  /** SIGTERM to a member, as a service manager stops it; SIGKILL if it has not exited after {@code grace}. */
  public void stop(MemberProcess member, Duration grace) {
    members.stop(member, grace);
  }

  /** {@code kill -9} of a member's JVM. */
  public void kill(MemberProcess member) {
    members.kill(member);
  }

  /** SIGSTOP of a member's JVM: silent but alive, as a dead machine looks; {@link #kill} or closing ends it. */
  public void freeze(MemberProcess member) {
    members.freeze(member);
  }

  public List<String> seeds() {
    return members.seeds();
  }

  /** A client in this JVM of the HTTP API of every manager member; closed with the harness. */
  public ShepherdClient client() {
    return client(Duration.ofSeconds(20));
  }

  public ShepherdClient client(Duration callTimeout) {
    return client(callTimeout, Map.of());
  }

  /** A client in this JVM with configuration of its own (its TLS folder, say). */
  public ShepherdClient client(Duration callTimeout, Map<String, String> own) {
    ShepherdClient client = ShepherdClient.connect(settings(own).withConnectTimeout(PATIENCE).withCallTimeout(callTimeout));
    clients.add(client);
    return client;
  }

  /** A client of one manager member's API only: what that member sees. */
  public ShepherdClient clientOf(MemberProcess member, Duration callTimeout) {
    ShepherdClient client = ShepherdClient.connect(settings(Map.of()).withApi(List.of(member.api())).withConnectTimeout(PATIENCE)
        .withCallTimeout(callTimeout));
    clients.add(client);
    return client;
  }

  /** Client settings for this cluster's API (every manager member started so far), over the harness's properties and {@code own}. */
  public ClientSettings settings(Map<String, String> own) {
    Map<String, String> settings = new LinkedHashMap<>(members.properties());
    settings.putAll(own);
    Config config = ShepherdConfig.load(ConfigFactory.parseMap(settings));
    return ClientSettings.fromConfig(config).withApi(members.apiUrls());
  }

  /** The URLs of the manager members' HTTP API. */
  public List<URI> apiUrls() {
    return members.apiUrls();
  }

  /** Polls the status until {@code condition} holds, or fails after {@link #PATIENCE}. */
  public static ClusterStatus awaitStatus(ShepherdClient client, String what, Predicate<ClusterStatus> condition) {
    long deadline = System.nanoTime() + PATIENCE.toNanos();
    ClusterStatus last = null;
    Throwable lastError = null;
    while (System.nanoTime() < deadline) {
      try {
        last = client.status().toCompletableFuture().get(30, TimeUnit.SECONDS);
        if (condition.test(last)) {
          return last;
        }
      } catch (Exception e) {
        lastError = e;
      }
      sleep(Duration.ofMillis(200));
    }
    throw new AssertionError("timed out after " + PATIENCE.toSeconds() + " s waiting for " + what + "; last status: " + last
        + (lastError == null ? "" : "; last error: " + lastError));
  }

  /** Waits until these hosts are UP. */
  public static ClusterStatus awaitHostsUp(ShepherdClient client, Collection<String> hostIds) {
    return awaitStatus(client, "hosts " + hostIds + " UP", s -> hostIds.stream().allMatch(id ->
        s.hosts().stream().anyMatch(h -> h.id().equals(id) && h.status().equals("UP"))));
  }

  /**
   * Waits until each of {@code members} (manager members: they answer the API) sees all of them Up
   * and reachable, with its gossip converged: what a test that then cuts the network needs, since a
   * member that has not heard of a newcomer yet counts the cluster without it.
   */
  public void awaitEveryoneSeesEveryone(List<MemberProcess> members) {
    for (MemberProcess member : members) {
      awaitStatus(clientOf(member, Duration.ofSeconds(10)), member.hostId() + " sees all " + members.size() + " members Up", s ->
          s.converged() && s.members().size() == members.size()
              && s.members().stream().allMatch(m -> m.status().equals("Up") && m.reachable()));
    }
  }

  /** Waits until a member's log has a line containing {@code text}, or fails after {@link #PATIENCE}. */
  public static void awaitLine(MemberProcess member, String text) {
    long deadline = System.nanoTime() + PATIENCE.toNanos();
    while (!logOf(member).contains(text)) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out after " + PATIENCE.toSeconds() + " s waiting for " + member + " to log '" + text + "'");
      }
      sleep(Duration.ofMillis(100));
    }
  }

  /** What a member has logged so far. */
  public static String logOf(MemberProcess member) {
    try {
      return Files.readString(member.log());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The status of a node, if the status lists it. */
  public static Optional<NodeStatus> node(ClusterStatus status, String path) {
    return status.nodes().stream().filter(n -> n.path().toString().equals(path)).findFirst();
  }

  /** The status of a group, if the status lists it. */
  public static Optional<ClusterStatus.Group> group(ClusterStatus status, String path) {
    return status.groups().stream().filter(g -> g.path().toString().equals(path)).findFirst();
  }

  /** The status of a host, if the status lists it. */
  public static Optional<ClusterStatus.Host> host(ClusterStatus status, String id) {
    return status.hosts().stream().filter(h -> h.id().equals(id)).findFirst();
  }

  public static void sleep(Duration duration) {
    try {
      Thread.sleep(duration.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }

  public List<MemberProcess> members() {
    return members.members();
  }

  @Override
  public void close() {
    for (ShepherdClient client : clients) {
      try {
        client.close();
      } catch (RuntimeException e) {
        // the cluster may be gone already
      }
    }
    members.close();
  }
}
