package io.shepherd.client;

import io.shepherd.protocol.ClusterStatus;
import io.shepherd.protocol.GroupPath;
import io.shepherd.protocol.LogProtocol;
import io.shepherd.protocol.Mode;
import io.shepherd.protocol.NodePath;
import io.shepherd.protocol.NodeState;
import io.shepherd.protocol.NodeStatus;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The JSON of {@code GET /api/v1/status} read into a {@link ClusterStatus} without Jackson: the
 * CLI's {@code status} starts in a fraction of the time this way (a test checks that it reads
 * every field as Jackson does).
 */
public final class StatusJson {

  private StatusJson() {}

  /** The status in a JSON text, as the API writes it. */
  public static ClusterStatus read(String json) {
    Map<String, Object> root = object(MiniJson.parse(json));
    Map<String, Object> manager = object(root.get("manager"));
    Map<String, Object> logs = root.get("logs") == null ? null : object(root.get("logs"));
    return new ClusterStatus(
        new ClusterStatus.Manager(string(manager, "address"), number(manager, "epoch"), string(manager, "backup")),
        list(root, "members").stream().map(StatusJson::object).map(m -> new ClusterStatus.Member(string(m, "address"),
            list(m, "roles").stream().map(String::valueOf).toList(), string(m, "status"), bool(m, "reachable"))).toList(),
        list(root, "hosts").stream().map(StatusJson::object).map(h -> new ClusterStatus.Host(string(h, "id"), string(h, "address"),
            string(h, "status"), (int) number(h, "groups"), (int) number(h, "nodes"), strings(h, "logLevels"),
            string(h, "containment"))).toList(),
        list(root, "groups").stream().map(StatusJson::object).map(g -> new ClusterStatus.Group(GroupPath.parse(string(g, "path")),
            string(g, "host"), bool(g, "persistent"), string(g, "owner"), string(g, "status"), strings(g, "types"))).toList(),
        list(root, "nodes").stream().map(StatusJson::object).map(StatusJson::node).toList(),
        bool(root, "converged"),
        logs == null ? null : new LogProtocol.LogStats(number(logs, "records"), (int) number(logs, "sources"), number(logs, "gaps"),
            number(logs, "missing"), number(logs, "dropped"), logs.get("late") == null ? 0 : number(logs, "late"), string(logs, "file")));
  }

  private static NodeStatus node(Map<String, Object> n) {
    return new NodeStatus(NodePath.parse(string(n, "path")), string(n, "host"), string(n, "type"), state(n, "state"),
        state(n, "requested"), n.get("mode") == null ? null : Mode.valueOf(string(n, "mode")), bool(n, "stalled"),
        (int) number(n, "restarts"), string(n, "lastFailure"), instant(n, "lastFailureAt"), ((Number) n.get("stability")).doubleValue(),
        string(n, "managedBy"), n.get("pid") == null ? null : number(n, "pid"), string(n, "exit"), instant(n, "since"),
        number(n, "seq"), n.get("incarnation") == null ? 0 : (int) number(n, "incarnation"), string(n, "nextAction"),
        bool(n, "finished"), string(n, "agentClass"), string(n, "statusText"), string(n, "waitingFor"));
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> object(Object value) {
    if (!(value instanceof Map)) {
      throw new IllegalArgumentException("the status is not what the API writes: expected an object, got " + value);
    }
    return (Map<String, Object>) value;
  }

  @SuppressWarnings("unchecked")
  private static List<Object> list(Map<String, Object> object, String field) {
    Object value = object.get(field);
    return value == null ? List.of() : (List<Object>) value;
  }

  private static String string(Map<String, Object> object, String field) {
    Object value = object.get(field);
    return value == null ? null : value.toString();
  }

  private static Map<String, String> strings(Map<String, Object> object, String field) {
    Object value = object.get(field);
    Map<String, String> strings = new TreeMap<>();
    if (value != null) {
      object(value).forEach((k, v) -> strings.put(k, String.valueOf(v)));
    }
    return strings;
  }

  private static long number(Map<String, Object> object, String field) {
    Object value = object.get(field);
    return value == null ? 0 : ((Number) value).longValue();
  }

  private static boolean bool(Map<String, Object> object, String field) {
    return Boolean.TRUE.equals(object.get(field));
  }

  private static NodeState state(Map<String, Object> object, String field) {
    return object.get(field) == null ? null : NodeState.valueOf(string(object, field));
  }

  private static Instant instant(Map<String, Object> object, String field) {
    return object.get(field) == null ? null : Instant.parse(string(object, field));
  }
}
