package io.shepherd.host;

import akka.actor.typed.ActorSystem;
import com.typesafe.config.Config;
import io.shepherd.protocol.Names;
import io.shepherd.protocol.NodeState;
import io.shepherd.protocol.RestartPolicy;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/** The settings of a host agent, read once from {@code shepherd.host}. Immutable. */
public record HostSettings(
    String hostId,
    Map<String, String> nodeTypes,
    List<String> allowedPackages,
    Duration callbackTimeout,
    Duration removeTimeout,
    RestartPolicy restartPolicy,
    Duration stabilityWindow,
    Duration stabilityRefresh,
    int maxCheckpointSize,
    Duration checkpointInterval,
    Duration managerLossTimeout,
    ManagerLossAction managerLossAction,
    Duration registrationMinBackoff,
    Duration registrationMaxBackoff,
    Duration declinedBackoff,
    int snapshotPartSize,
    Path workDir,
    Process process,
    NodeState initialState) {

  /**
   * The settings of process nodes ({@code shepherd.host.process}).
   *
   * @param allowed the executables process nodes may run: absolute paths or globs
   * @param stdinQueue how many lines {@code sendInput} may queue for a process that does not read them
   * @param maxLineLength the longest line of a process's output kept in one log record; the rest is cut
   * @param bindAddress the address free ports are looked for on: the member's own
   * @param launcher how processes are started: {@code posix-spawn} (in a session of their own, by the
   *     C library, falling back to setsid where it cannot) or {@code setsid} (the JDK's way, through
   *     the setsid program)
   * @param cgroups true to contain each process node's processes in a cgroup of its own where the
   *     machine has writable cgroups (limits need them)
   */
  public record Process(List<String> allowed, int stdinQueue, int maxLineLength, String bindAddress, String launcher, boolean cgroups) {
    public Process {
      allowed = List.copyOf(allowed);
      if (!launcher.equals("posix-spawn") && !launcher.equals("setsid")) {
        throw new IllegalArgumentException("shepherd.host.process.launcher must be posix-spawn or setsid, not " + launcher);
      }
      if (stdinQueue < 1) {
        throw new IllegalArgumentException("shepherd.host.process.stdin-queue must be at least 1");
      }
      if (maxLineLength < 80) {
        throw new IllegalArgumentException("shepherd.host.process.max-line-length must be at least 80");
      }
    }
  }

  /** What a host does when it has lost the Manager for {@code manager-loss-timeout}. */
  public enum ManagerLossAction {
    KEEP_RUNNING,
    STOP_NODES;

    static ManagerLossAction parse(String text) {
      return switch (text) {
        case "keep-running" -> KEEP_RUNNING;
        case "stop-nodes" -> STOP_NODES;
        default -> throw new IllegalArgumentException(
            "shepherd.host.manager-loss-action must be keep-running or stop-nodes, got '" + text + "'");
      };
    }
  }

  public static final String NODE_DISPATCHER = "shepherd.host.node-dispatcher";
  public static final String BLOCKING_DISPATCHER = "shepherd.host.blocking-dispatcher";

  public HostSettings {
    Names.checkHostId(hostId);
    nodeTypes = Map.copyOf(nodeTypes);
    allowedPackages = List.copyOf(allowedPackages);
    if (snapshotPartSize < 1) {
      throw new IllegalArgumentException("shepherd.host.snapshot-part-size must be at least 1");
    }
  }

  public static HostSettings create(ActorSystem<?> system) {
    return fromConfig(system.settings().config());
  }

  /**
   * Reads {@code shepherd.host} from {@code config}.
   *
   * @throws IllegalArgumentException or a {@link com.typesafe.config.ConfigException} naming the bad setting
   */
  public static HostSettings fromConfig(Config root) {
    Config c = root.getConfig("shepherd.host");
    String id = c.getString("id").isBlank() ? localHostname() : c.getString("id");
    Map<String, String> types = new TreeMap<>();
    Config typesConfig = c.getConfig("node-types");
    typesConfig.root().keySet().forEach(name -> types.put(name, typesConfig.getString(name)));
    Config r = c.getConfig("restart");
    RestartPolicy restart = new RestartPolicy(
        r.getDuration("min-backoff"), r.getDuration("max-backoff"), r.getDouble("jitter"),
        r.getDuration("reset-after"), r.getInt("max-restarts"), r.getDuration("window"));
    return new HostSettings(
        id,
        types,
        c.getStringList("allowed-packages"),
        c.getDuration("callback-timeout"),
        c.getDuration("remove-timeout"),
        restart,
        c.getDuration("stability-window"),
        c.getDuration("stability-refresh"),
        (int) Math.min(Integer.MAX_VALUE, c.getBytes("max-checkpoint-size")),
        c.getDuration("checkpoint-interval"),
        c.getDuration("manager-loss-timeout"),
        ManagerLossAction.parse(c.getString("manager-loss-action")),
        c.getDuration("registration.min-backoff"),
        c.getDuration("registration.max-backoff"),
        c.getDuration("registration.declined-backoff"),
        c.getInt("snapshot-part-size"),
        workDir(c.getString("work-root"), id),
        new Process(c.getStringList("process.allowed"), c.getInt("process.stdin-queue"),
            (int) Math.min(1 << 20, c.getBytes("process.max-line-length")),
            root.hasPath("akka.remote.artery.canonical.hostname") ? root.getString("akka.remote.artery.canonical.hostname") : "127.0.0.1",
            c.getString("process.launcher"), c.getBoolean("process.cgroups")),
        initialState(c.getString("initial-state")));
  }

  /** Empty: none; up: RUNNING; down: STOPPED. */
  static NodeState initialState(String text) {
    return switch (text.trim().toLowerCase(Locale.ROOT)) {
      case "" -> null;
      case "up" -> NodeState.RUNNING;
      case "down" -> NodeState.STOPPED;
      default -> throw new IllegalArgumentException("shepherd.host.initial-state must be up, down or empty, got '" + text + "'");
    };
  }

  /** {@code root/hostId}; an empty root is {@code ~/.shepherd}. */
  static Path workDir(String root, String hostId) {
    return workRoot(root).resolve(hostId);
  }

  /** The member's work root ({@code shepherd.host.work-root}), absolute; an empty setting is {@code ~/.shepherd}. */
  public static Path workRoot(String setting) {
    Path base = setting.isBlank() ? Path.of(System.getProperty("user.home"), ".shepherd") : Path.of(setting);
    return base.toAbsolutePath();
  }

  /** The machine's hostname, cut to a valid host id. */
  public static String localHostname() {
    String name;
    try {
      name = InetAddress.getLocalHost().getHostName();
    } catch (IOException e) {
      name = System.getenv().getOrDefault("HOSTNAME", "localhost");
    }
    String first = name.split("\\.")[0].replaceAll("[^A-Za-z0-9_-]", "-");
    if (first.isEmpty() || !Character.isLetterOrDigit(first.charAt(0))) {
      first = "host-" + first;
    }
    return first.length() > Names.MAX_LENGTH ? first.substring(0, Names.MAX_LENGTH) : first;
  }
}
