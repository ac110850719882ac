package io.shepherd.member;

import io.shepherd.host.internal.process.Sessions;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * Member JVMs on loopback, started as child processes with the classpath of this JVM: the demo,
 * the multi-JVM tests and the benchmarks use it. Every member is told to end when this JVM does,
 * and {@link #close()} (also run at JVM exit) ends every process it started, with their
 * descendants: SIGTERM, then SIGKILL after a grace period.
 */
public final class LocalCluster implements AutoCloseable {

  private final Path logDir;
  private final List<String> jvmOptions;
  private final Map<String, String> properties;
  private final List<MemberProcess> members = new CopyOnWriteArrayList<>();
  private final List<String> seeds = new CopyOnWriteArrayList<>();
  private final Set<MemberProcess> frozen = ConcurrentHashMap.newKeySet();
  private final Thread reaper = new Thread(this::killAll, "local-cluster-reaper");
  private int started;

  /**
   * @param logDir where each member's output goes, one file per start
   * @param jvmOptions options for every member JVM, e.g. {@code -Xmx256m}
   * @param properties system properties for every member JVM: configuration overrides; without
   *     {@code shepherd.tls.enabled}, the members run without TLS (on loopback)
   */
  public LocalCluster(Path logDir, List<String> jvmOptions, Map<String, String> properties) {
    this.logDir = logDir;
    this.jvmOptions = List.copyOf(jvmOptions);
    this.properties = new LinkedHashMap<>(properties);
    // A cluster on this machine's loopback, for tests, benchmarks and the demo: plain unless told.
    this.properties.putIfAbsent("shepherd.tls.enabled", "off");
    Runtime.getRuntime().addShutdownHook(reaper);
  }

  /** JVM options that start members fast and small on a busy machine. */
  public static List<String> smallJvm() {
    return List.of("-Xms64m", "-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Xss512k");
  }

  /**
   * A free TCP port on loopback, below the kernel's ephemeral range: a port from that range
   * (what port 0 gives) can be taken by any outbound connection between the check and the
   * member's bind, and was (seen: "Address already in use" for a member's API). Each port is
   * handed out once per JVM.
   */
  public static synchronized int freePort() {
    int below = ephemeralLow();
    for (int attempt = 0; attempt < 1000; attempt++) {
      int port = 10_000 + ThreadLocalRandom.current().nextInt(Math.max(1, below - 10_000));
      if (HANDED_OUT.contains(port)) {
        continue;
      }
      try (ServerSocket socket = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
        HANDED_OUT.add(port);
        return socket.getLocalPort();
      } catch (IOException e) {
        // taken: try another
      }
    }
    throw new IllegalStateException("no free port found on loopback below " + below);
  }

  private static final Set<Integer> HANDED_OUT = new HashSet<>();

  /** The low end of /proc/sys/net/ipv4/ip_local_port_range (32768 if it cannot be read). */
  private static int ephemeralLow() {
    try {
      String[] range = Files.readString(Path.of("/proc/sys/net/ipv4/ip_local_port_range")).trim().split("\\s+");
      int low = Integer.parseInt(range[0]);
      return low > 11_000 ? low : 32_768;
    } catch (IOException | RuntimeException e) {
      return 32_768;
    }
  }

  /** Starts a member on 127.0.0.1 and a free port; the first member started is the first seed. */
  public MemberProcess start(String hostId, Set<String> roles) {
    return start(hostId, roles, "127.0.0.1", freePort());
  }

  /**
   * Starts a member on {@code hostname} (a loopback address: 127.0.0.1, 127.0.0.2, ...) and
   * {@code port}, e.g. again on the address of one that was killed. It binds to that address and
   * opens its connections from it too, so that a partition can be made by address.
   */
  public synchronized MemberProcess start(String hostId, Set<String> roles, String hostname, int port) {
    return start(hostId, roles, hostname, port, Map.of());
  }

  /** Like {@link #start(String, Set, String, int)}, with system properties of this member only (its TLS folder, say). */
  public synchronized MemberProcess start(String hostId, Set<String> roles, String hostname, int port, Map<String, String> own) {
    return start(hostId, roles, hostname, port, own, 0);
  }

  /** Starts a member again where one stopped: its cluster port, and its API's port (so clients find it again). */
  public synchronized MemberProcess restart(MemberProcess old) {
    return restart(old, Map.of());
  }

  /** Like {@link #restart(MemberProcess)}, with system properties of its own (a setting changed across the restart). */
  public synchronized MemberProcess restart(MemberProcess old, Map<String, String> own) {
    return start(old.hostId(), old.roles(), old.hostname(), old.port(), own, old.api() == null ? 0 : old.api().getPort());
  }

  /**
   * Like {@link #start(String, Set, String, int, Map)}, with the port of its HTTP API (role
   * manager; 0: a free one).
   */
  public synchronized MemberProcess start(String hostId, Set<String> roles, String hostname, int port, Map<String, String> own,
                                          int apiPortWanted) {
    String seed = hostname + ":" + port;
    if (!seeds.contains(seed)) {
      seeds.add(seed);
    }
    return launch(hostId, roles, hostname, port, own, apiPortWanted, seeds, Map.of());
  }

  /**
   * Starts a member on 127.0.0.1 and a free port (a seed, as {@link #start(String, Set)}) with
   * environment variables of its own, as a service manager would set them ({@code NOTIFY_SOCKET}).
   */
  public synchronized MemberProcess startWithEnvironment(String hostId, Set<String> roles, Map<String, String> env) {
    String seed = "127.0.0.1:" + freePort();
    seeds.add(seed);
    int port = Integer.parseInt(seed.substring(seed.indexOf(':') + 1));
    return launch(hostId, roles, "127.0.0.1", port, Map.of(), 0, seeds, env);
  }

  /**
   * Starts a member on 127.0.0.1 that joins through {@code joinSeeds} ({@code host:port}) instead of
   * this cluster's seeds, and is not one of them: a member pointed at the wrong seeds, say.
   */
  public synchronized MemberProcess startJoining(String hostId, Set<String> roles, List<String> joinSeeds) {
    return launch(hostId, roles, "127.0.0.1", freePort(), Map.of(), 0, joinSeeds, Map.of());
  }

  private MemberProcess launch(String hostId, Set<String> roles, String hostname, int port, Map<String, String> own,
                               int apiPortWanted, List<String> joinSeeds, Map<String, String> env) {
    List<String> command = new ArrayList<>();
    // Each member in a session and process group of its own, as a service manager starts it: a kill
    // of its group (kill -9 -- -PID) is then a kill of that member alone.
    Sessions.setsid().ifPresent(command::add);
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(jvmOptions);
    command.addAll(DurableState.JVM_OPTIONS);
    command.add("-Dshepherd.watch-parent-pid=" + ProcessHandle.current().pid());
    properties.forEach((k, v) -> command.add("-D" + k + "=" + v));
    own.forEach((k, v) -> command.add("-D" + k + "=" + v));
    command.add("-Dakka.remote.artery.advanced.tcp.outbound-client-hostname=" + hostname);
    int apiPort = !roles.contains("manager") ? 0 : apiPortWanted != 0 ? apiPortWanted : freePort();
    if (apiPort != 0) {
      command.add("-Dshepherd.api.port=" + apiPort);
    }
    command.add("-cp");
    command.add(System.getProperty("java.class.path"));
    command.add(MemberCli.class.getName());
    command.add("member");
    command.add("--host-id=" + hostId);
    command.add("--hostname=" + hostname);
    command.add("--port=" + port);
    command.add("--roles=" + String.join(",", new TreeSet<>(roles)));
    command.add("--seeds=" + String.join(",", joinSeeds));
    try {
      Files.createDirectories(logDir);
      Path log = logDir.resolve(hostId + "-" + (++started) + ".log");
      ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
      builder.environment().putAll(env);
      Process process = builder.start();
      boolean tls = "on".equals(own.getOrDefault("shepherd.tls.enabled", properties.get("shepherd.tls.enabled")))
          || "true".equals(own.getOrDefault("shepherd.tls.enabled", properties.get("shepherd.tls.enabled")));
      URI api = apiPort == 0 ? null : URI.create((tls ? "https://" : "http://") + hostname + ":" + apiPort);
      MemberProcess member = new MemberProcess(hostId, roles, hostname, port, api, log, process);
      members.add(member);
      return member;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start member " + hostId, e);
    }
  }

  /** The system properties every member gets. */
  public Map<String, String> properties() {
    return Map.copyOf(properties);
  }

  /** The HTTP API of every member with role manager started so far (alive or not), in start order. */
  public List<URI> apiUrls() {
    return members.stream().map(MemberProcess::api).filter(Objects::nonNull).distinct().toList();
  }

  /** The seeds every member joins through, as {@code host:port}. */
  public List<String> seeds() {
    return List.copyOf(seeds);
  }

  public List<MemberProcess> members() {
    return List.copyOf(members);
  }

  /** {@code kill -9} of a member JVM (its own child processes are left to the host agent's cleanup). */
  public void kill(MemberProcess member) {
    member.process().destroyForcibly();
    awaitExit(member.process(), Duration.ofSeconds(10));
  }

  /**
   * SIGSTOP of a member JVM: alive but silent, as a machine that died (or hangs) looks to the others;
   * its sentinel says nothing. {@link #kill} (or closing the cluster) ends it.
   */
  public void freeze(MemberProcess member) {
    signal(member, "STOP");
    frozen.add(member);
  }

  private static void signal(MemberProcess member, String signal) {
    try {
      int status = new ProcessBuilder("kill", "-" + signal, Long.toString(member.pid())).inheritIO().start().waitFor();
      if (status != 0) {
        throw new IllegalStateException("kill -" + signal + " " + member.pid() + " exited with " + status);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }

  /** SIGTERM, then SIGKILL after {@code grace}: the member stops its nodes and leaves first. */
  public void stop(MemberProcess member, Duration grace) {
    List<ProcessHandle> descendants = member.process().descendants().toList();
    member.process().destroy();
    if (!awaitExit(member.process(), grace)) {
      member.process().destroyForcibly();
      awaitExit(member.process(), Duration.ofSeconds(10));
    }
    descendants.forEach(ProcessHandle::destroyForcibly);
  }

  /** Stops every member: SIGTERM to all, then SIGKILL to what is left after 20 s. */
  @Override
  public void close() {
    frozen.stream().filter(MemberProcess::alive).forEach(member -> signal(member, "CONT"));
    frozen.clear();
    List<ProcessHandle> descendants = new ArrayList<>();
    for (MemberProcess member : members) {
      descendants.addAll(member.process().descendants().toList());
      member.process().destroy();
    }
    long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    for (MemberProcess member : members) {
      if (!awaitExit(member.process(), Duration.ofNanos(Math.max(0, deadline - System.nanoTime())))) {
        member.process().destroyForcibly();
      }
    }
    killAll();
    descendants.forEach(ProcessHandle::destroyForcibly);
    try {
      Runtime.getRuntime().removeShutdownHook(reaper);
    } catch (IllegalStateException e) {
      // the JVM is already shutting down; the hook runs anyway
    }
  }

  private void killAll() {
    for (MemberProcess member : members) {
      member.process().descendants().forEach(ProcessHandle::destroyForcibly);
      member.process().destroyForcibly();
      awaitExit(member.process(), Duration.ofSeconds(10));
    }
  }

  private static boolean awaitExit(Process process, Duration timeout) {
    try {
      return process.waitFor(timeout.toNanos(), TimeUnit.NANOSECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return !process.isAlive();
    }
  }
}
