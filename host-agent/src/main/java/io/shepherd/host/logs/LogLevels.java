package io.shepherd.host.logs;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.turbo.TurboFilter;
import ch.qos.logback.core.spi.FilterReply;
import io.shepherd.node.NodeContext;
import io.shepherd.protocol.HostRequest;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;
import org.slf4j.Marker;

/**
 * Log levels set at run time on this member (Architect's {@code set_log_level}): of the whole host
 * (the root logger), of one logger, or of one node — every record of the node's code and process,
 * whichever logger it uses, found by the node path its records carry. A node's level is a Logback
 * turbo filter, asked before any logger's level, so it can open a node to DEBUG while the rest of
 * the member logs at INFO. {@code default} gives back what the configuration said. Thread-safe.
 */
public final class LogLevels {

  private final LoggerContext context;
  /** Node path to the level its records are let through from: one map per JVM, as node loggers are made without a host at hand. */
  private static final Map<String, Level> nodes = new ConcurrentHashMap<>();
  /** What the configuration gave each logger changed here (null: it inherited). */
  private final Map<String, Level> configured = new HashMap<>();
  private final Map<String, String> shown = new TreeMap<>();

  public LogLevels() {
    this.context = LoggerFactory.getILoggerFactory() instanceof LoggerContext logback ? logback : null;
    if (context != null && context.getTurboFilterList().stream().noneMatch(NodeLevels.class::isInstance)) {
      context.addTurboFilter(new NodeLevels());
    }
  }

  /**
   * Sets {@code level} for {@code target} (as {@link HostRequest.SetLogLevel} checked them).
   *
   * @return what was done, for the caller
   */
  public synchronized String set(HostRequest.SetLogLevel request) {
    if (context == null) {
      throw new IllegalStateException("this member does not log through Logback: its levels cannot be set at run time");
    }
    String target = request.target();
    boolean reset = request.level().equals(HostRequest.DEFAULT_LEVEL);
    Level level = reset ? null : Level.toLevel(request.level());
    if (target.startsWith("node:")) {
      String path = target.substring(5);
      if (reset) {
        nodes.remove(path);
      } else {
        nodes.put(path, level);
      }
    } else {
      String name = target.equals(HostRequest.HOST_TARGET) ? Logger.ROOT_LOGGER_NAME : target.substring(7);
      Logger logger = context.getLogger(name);
      if (!configured.containsKey(name)) {
        configured.put(name, logger.getLevel());
      }
      if (reset) {
        logger.setLevel(configured.remove(name));
      } else {
        logger.setLevel(level);
      }
    }
    if (reset) {
      shown.remove(target);
    } else {
      shown.put(target, level.toString());
    }
    return (reset ? "log level of " + target + " back to its configured one" : "log level of " + target + " set to " + level);
  }

  /** The level set at run time for the node at {@code path}, or null. */
  static Level nodeLevel(String path) {
    return nodes.isEmpty() ? null : nodes.get(path);
  }

  /** The levels set at run time: target to level. */
  public synchronized Map<String, String> current() {
    return Map.copyOf(shown);
  }

  /**
   * Lets the records a node's code logs with loggers of its own (on its threads, which carry its
   * path) through from the node's level, and no others; {@link NodeLogger} asks {@link #nodeLevel}
   * itself. Says nothing of records of nodes without a level.
   */
  private static final class NodeLevels extends TurboFilter {
    @Override
    public FilterReply decide(Marker marker, Logger logger, Level level, String format, Object[] params, Throwable t) {
      if (nodes.isEmpty() || level == null) {
        return FilterReply.NEUTRAL;
      }
      String path = MDC.get(NodeContext.MDC_NODE);
      Level wanted = path == null ? null : nodes.get(path);
      if (wanted == null) {
        return FilterReply.NEUTRAL;
      }
      return level.isGreaterOrEqual(wanted) ? FilterReply.ACCEPT : FilterReply.DENY;
    }
  }
}
