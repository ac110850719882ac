package io.shepherd.client;

import io.shepherd.protocol.ClusterStatus;
import io.shepherd.protocol.LogProtocol;
import io.shepherd.protocol.NodeSpec;
import io.shepherd.protocol.NodeState;
import io.shepherd.protocol.NodeStatus;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** The status of a cluster as text tables, for people. */
public final class StatusTable {

  private StatusTable() {}

  public static String render(ClusterStatus status) {
    StringBuilder out = new StringBuilder();
    ClusterStatus.Manager manager = status.manager();
    out.append("MANAGER ").append(manager.address()).append("  epoch ").append(manager.epoch())
        .append("  backup ").append(manager.backup() == null ? "none" : manager.backup())
        .append(status.converged() ? "" : "  (membership not converged yet)").append("\n");
    LogProtocol.LogStats logs = status.logs();
    if (logs != null) {
      out.append("LOGS    ").append(logs.records()).append(" records from ").append(logs.sources()).append(" sources, ")
          .append(logs.gaps()).append(" gaps (").append(logs.missing()).append(" lost), ").append(logs.dropped())
          .append(" dropped by full buffers").append(logs.late() == 0 ? "" : ", " + logs.late() + " late")
          .append(logs.file() == null ? "" : ", in " + logs.file()).append('\n');
    }
    out.append('\n');

    Table members = new Table("MEMBER", "ROLES", "STATUS", "REACHABLE");
    status.members().forEach(m -> members.row(m.address(), String.join(",", m.roles()), m.status(), m.reachable() ? "yes" : "NO"));
    out.append(members).append('\n');

    Table hosts = new Table("HOST", "ADDRESS", "STATUS", "GROUPS", "NODES", "CONTAINMENT", "LOG LEVELS");
    status.hosts().forEach(h -> hosts.row(h.id(), h.address(), h.status(), h.groups(), h.nodes(),
        h.containment() == null ? "-" : abbreviate(h.containment(), 40), h.logLevels().isEmpty() ? "-"
        : String.join(", ", h.logLevels().entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).toList())));
    out.append(hosts).append('\n');

    Table groups = new Table("GROUP", "HOST", "STATUS", "PERSISTENT", "OWNER");
    status.groups().forEach(g -> groups.row(g.path(), g.host() == null ? "-" : g.host(), g.status(), g.persistent() ? "yes" : "no",
        g.owner() == null ? "-" : g.owner()));
    out.append(groups).append('\n');

    Table nodes = new Table("NODE", "HOST", "TYPE", "CLASS", "STATE", "REQUESTED", "NEXT", "MODE", "RUN", "RESTARTS", "STABILITY",
        "UPTIME", "PID", "EXIT", "LAST FAILURE", "STATUS");
    Instant now = Instant.now();
    for (NodeStatus n : status.nodes()) {
      String state = n.state() + (n.stalled() ? " (stalled)" : "");
      String uptime = n.state() == NodeState.RUNNING && n.since() != null
          ? duration(Duration.between(n.since(), now)) : "-";
      nodes.row(n.path(), n.host() == null ? "-" : n.host(), n.type(), shortClass(n), state, n.requested(),
          n.nextAction() == null ? "-" : n.nextAction(),
          n.mode(), n.incarnation(), n.restarts(),
          String.format("%.2f", n.stability()), uptime, n.pid() == null ? "-" : n.pid(), n.exit() == null ? "-" : n.exit(),
          n.lastFailure() == null ? "-" : abbreviate(n.lastFailure(), 60), statusColumn(n));
    }
    out.append(nodes);
    return out.toString();
  }

  /** What keeps a node from its request (its dependencies), else what it says it is doing; "-" if neither. */
  static String statusColumn(NodeStatus node) {
    String text = node.waitingFor() != null ? node.waitingFor() : node.statusText();
    return text == null ? "-" : abbreviate(text, 60);
  }

  /** What runs, short: a Java class without its package (SineNode), an executable without its directory (python3). */
  static String shortClass(NodeStatus node) {
    String agentClass = node.agentClass();
    if (agentClass == null) {
      return "-";
    }
    char separator = NodeSpec.PROCESS.equals(node.type()) ? '/' : '.';
    return agentClass.substring(agentClass.lastIndexOf(separator) + 1);
  }

  /** 42s, 12m05s, 3h02m, 2d04h. */
  static String duration(Duration d) {
    long s = Math.max(0, d.getSeconds());
    if (s < 60) {
      return s + "s";
    } else if (s < 3600) {
      return String.format("%dm%02ds", s / 60, s % 60);
    } else if (s < 86400) {
      return String.format("%dh%02dm", s / 3600, s % 3600 / 60);
    }
    return String.format("%dd%02dh", s / 86400, s % 86400 / 3600);
  }

  private static String abbreviate(String text, int max) {
    String line = text.replace('\n', ' ');
    return line.length() <= max ? line : line.substring(0, max - 3) + "...";
  }

  /** A left-aligned text table. */
  static final class Table {
    private final List<String[]> rows = new ArrayList<>();

    Table(String... header) {
      rows.add(header);
    }

    void row(Object... cells) {
      String[] row = new String[cells.length];
      for (int i = 0; i < cells.length; i++) {
        row[i] = String.valueOf(cells[i]);
      }
      rows.add(row);
    }

    @Override
    public String toString() {
      int columns = rows.get(0).length;
      int[] widths = new int[columns];
      for (String[] row : rows) {
        for (int i = 0; i < columns; i++) {
          widths[i] = Math.max(widths[i], row[i].length());
        }
      }
      StringBuilder out = new StringBuilder();
      for (String[] row : rows) {
        StringBuilder line = new StringBuilder();
        for (int i = 0; i < columns; i++) {
          line.append(row[i]);
          if (i < columns - 1) {
            line.append(" ".repeat(widths[i] - row[i].length() + 2));
          }
        }
        out.append(line.toString().stripTrailing()).append('\n');
      }
      if (rows.size() == 1) {
        out.append("(none)\n");
      }
      return out.toString();
    }
  }
}
