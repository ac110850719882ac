package io.shepherd.host.logs;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.LoggingEvent;
import io.shepherd.node.NodeContext;
import java.util.HashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;
import org.slf4j.Marker;
import org.slf4j.helpers.AbstractLogger;

/**
 * The logger of one node, named {@code node.<path>}: its records carry that name and the node's
 * path in their MDC (whatever thread logs), and go to the appenders of the {@code node} logger at
 * its level — without a logback logger of its own for every node. Logback keeps each logger it
 * makes for good and places a new one by scanning its siblings: with a logger per node, the
 * logger of the 10,000th node cost ~1 ms to make, and every node ever created stayed in memory.
 */
public final class NodeLogger extends AbstractLogger {

  private static final long serialVersionUID = 1L;
  private static final String FQCN = NodeLogger.class.getName();
  /** The parent of every node's records, as configured (shepherd-logback.xml: its appenders, not additive). */
  public static final String NODE_LOGGER = "node";

  private final transient ch.qos.logback.classic.Logger nodes;
  private final String path;

  private NodeLogger(ch.qos.logback.classic.Logger nodes, String path) {
    this.nodes = nodes;
    this.path = path;
    this.name = NODE_LOGGER + "." + path;
  }

  /** The logger of the node at {@code path}; under another SLF4J binding than logback, a logger of its own. */
  public static Logger of(String path) {
    if (LoggerFactory.getILoggerFactory() instanceof LoggerContext context) {
      return new NodeLogger(context.getLogger(NODE_LOGGER), path);
    }
    return LoggerFactory.getLogger(NODE_LOGGER + "." + path);
  }

  /** The node's level if one was set at run time ({@link LogLevels}), else the {@code node} logger's. */
  private boolean enabled(Level level) {
    Level wanted = LogLevels.nodeLevel(path);
    return wanted != null ? level.isGreaterOrEqual(wanted) : nodes.isEnabledFor(level);
  }

  @Override
  protected String getFullyQualifiedCallerName() {
    return FQCN;
  }

  @Override
  protected void handleNormalizedLoggingCall(org.slf4j.event.Level level, Marker marker, String message, Object[] arguments,
                                             Throwable throwable) {
    LoggingEvent event = new LoggingEvent(FQCN, nodes, Level.fromLocationAwareLoggerInteger(level.toInt()), message, throwable,
        arguments);
    event.setLoggerName(name);
    Map<String, String> mdc = MDC.getCopyOfContextMap();
    Map<String, String> withNode = mdc == null ? new HashMap<>() : new HashMap<>(mdc);
    withNode.put(NodeContext.MDC_NODE, path);
    event.setMDCPropertyMap(withNode);
    if (marker != null) {
      event.addMarker(marker);
    }
    nodes.callAppenders(event);
  }

  @Override
  public boolean isTraceEnabled() {
    return enabled(Level.TRACE);
  }

  @Override
  public boolean isTraceEnabled(Marker marker) {
    return enabled(Level.TRACE);
  }

  @Override
  public boolean isDebugEnabled() {
    return enabled(Level.DEBUG);
  }

  @Override
  public boolean isDebugEnabled(Marker marker) {
    return enabled(Level.DEBUG);
  }

  @Override
  public boolean isInfoEnabled() {
    return enabled(Level.INFO);
  }

  @Override
  public boolean isInfoEnabled(Marker marker) {
    return enabled(Level.INFO);
  }

  @Override
  public boolean isWarnEnabled() {
    return enabled(Level.WARN);
  }

  @Override
  public boolean isWarnEnabled(Marker marker) {
    return enabled(Level.WARN);
  }

  @Override
  public boolean isErrorEnabled() {
    return enabled(Level.ERROR);
  }

  @Override
  public boolean isErrorEnabled(Marker marker) {
    return enabled(Level.ERROR);
  }
}
