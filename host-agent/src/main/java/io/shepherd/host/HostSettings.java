package io.shepherd.host;

import akka.actor.typed.ActorSystem;
import com.typesafe.config.Config;
import io.shepherd.protocol.Names;
import io.shepherd.protocol.RestartPolicy;
import java.net.InetAddress;
import java.time.Duration;
import java.util.List;
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
    int maxCheckpointSize,
    Duration checkpointInterval,
    Duration managerLossTimeout,
    ManagerLossAction managerLossAction,
    Duration registrationMinBackoff,
    Duration registrationMaxBackoff,
    Duration declinedBackoff,
    int snapshotPartSize) {

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
        (int) Math.min(Integer.MAX_VALUE, c.getBytes("max-checkpoint-size")),
        c.getDuration("checkpoint-interval"),
        c.getDuration("manager-loss-timeout"),
        ManagerLossAction.parse(c.getString("manager-loss-action")),
        c.getDuration("registration.min-backoff"),
        c.getDuration("registration.max-backoff"),
        c.getDuration("registration.declined-backoff"),
        c.getInt("snapshot-part-size"));
  }

  /** The machine's hostname, cut to a valid host id. */
  public static String localHostname() {
    String name;
    try {
      name = InetAddress.getLocalHost().getHostName();
    } catch (java.io.IOException e) {
      name = System.getenv().getOrDefault("HOSTNAME", "localhost");
    }
    String first = name.split("\\.")[0].replaceAll("[^A-Za-z0-9_-]", "-");
    if (first.isEmpty() || !Character.isLetterOrDigit(first.charAt(0))) {
      first = "host-" + first;
    }
    return first.length() > Names.MAX_LENGTH ? first.substring(0, Names.MAX_LENGTH) : first;
  }
}
