package io.shepherd.protocol;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;
import java.util.Map;

/**
 * The JSON bodies of Shepherd's HTTP API ({@code /api/v1}), shared by the server and the Java
 * client. Every request body is one of these records; an unknown field, a wrong type or a missing
 * required field is refused with 400 and a message that names it.
 */
public final class Api {

  private Api() {}

  /** The version prefix of every call. */
  public static final String PREFIX = "/api/v1";

  /** How the id of every client session starts: a node managed by a session returns to AUTO when its lease lapses. */
  public static final String SESSION_PREFIX = "session-";

  /** True if {@code clientId} names a client session (whose lease can lapse), not a named manager. */
  public static boolean isSession(String clientId) {
    return clientId != null && clientId.startsWith(SESSION_PREFIX);
  }

  /** The media type of an error answer (RFC 9457). */
  public static final String PROBLEM_JSON = "application/problem+json";

  /** Create a NodeGroup; {@code session}: the client session that owns it, unless {@code persistent}. */
  public record CreateGroup(String path, Boolean persistent, String session) {}

  /** Create a node and drive it to {@code requested} (default CREATED). */
  public record CreateNode(String path, NodeSpec spec, NodeState requested) {}

  /**
   * Request a state (Guardian); with {@code await}, answered once the node has arrived. {@code by}:
   * who asks, when it is a node's manager (its session id or name); default the caller's principal.
   */
  public record RequestState(NodeState state, Boolean await, String by) {

    @JsonCreator
    public RequestState {}

    public RequestState(NodeState state, Boolean await) {
      this(state, await, null);
    }
  }

  /** Register a node type in a group at run time: {@code name} stands for the class {@code class} there. */
  public record RegisterType(String name, @JsonProperty("class") String className) {}

  /** Set the mode of nodes; a MANAGED node is managed by {@code manager} (a session id, or a name). */
  public record SetMode(List<String> paths, Mode mode, String manager) {}

  /** Nodes, by path (revive). */
  public record Paths(List<String> paths) {}

  /** The longest line a process node's stdin is sent at once. */
  public static final int MAX_INPUT_LINE = 64 * 1024;

  /** A line for a process node's stdin. */
  public record Input(String line) {}

  /** Reserve {@code count} free ports of {@code protocol} (tcp or udp) on a host. */
  public record BindPorts(String protocol, Integer count) {}

  /** Release ports reserved on a host. */
  public record ReleasePorts(String protocol, List<Integer> ports) {}

  /** The value of an environment variable (null: remove it). */
  public record EnvValue(String value) {}

  /** Targets for up, down and restart: node paths, group paths, host ids or all, in order. */
  public record Targets(List<String> targets) {}

  /**
   * A log level to set at run time: {@code target} a node path, a host id or {@code logger:NAME}
   * (on every host); {@code level} TRACE, DEBUG, INFO, WARN, ERROR, OFF or {@code default}.
   */
  public record LogLevel(String target, String level) {}

  /** Requests up or down, in order (OCS's update). */
  public record Update(List<ManagerProtocol.TargetState> requests) {}

  /** Open a session: the lease under which a client's groups live; {@code ttlMillis} null: the server's default. */
  public record OpenSession(Long ttlMillis) {}

  /** A session: renew it within {@code ttlMillis} (PUT), or its groups are removed and its managed nodes return to AUTO. */
  public record Session(String id, long ttlMillis) {}

  /**
   * The answer to a call that changed something.
   *
   * @param message what was done
   * @param node the node's status after the call, for calls on one node
   */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record Answer(String message, NodeStatus node) {}

  /** What a host answered to a call on its ports or environment. */
  public record HostAnswer(String message, List<Integer> ports, Map<String, String> env) {}

  /** What applying a site file did, or would do ({@code dryRun}), by node path. */
  public record SitePlan(boolean dryRun, List<String> added, List<String> changed, List<String> removed, List<String> unchanged) {}

  /**
   * The events after an id, for clients that poll ({@code /api/v1/events/recent}).
   *
   * @param resync true if the events after the id asked for cannot all be had: re-read the status
   * @param lastId the id to ask after next time
   */
  public record RecentEvents(List<Event> events, boolean resync, String lastId) {}

  /** The Manager that answers: enough for a client to know it is connected. */
  public record ManagerInfo(String address, long epoch, String backup) {}

  /**
   * An error (RFC 9457, {@code application/problem+json}).
   *
   * @param type a URI naming the kind of problem
   * @param title the kind of problem, for people
   * @param status the HTTP status
   * @param detail what was wrong and how to put it right
   * @param code the Shepherd error code ({@link ErrorCode}, or API-level codes such as UNAUTHORIZED)
   */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record Problem(String type, String title, int status, String detail, String code) {}
}
