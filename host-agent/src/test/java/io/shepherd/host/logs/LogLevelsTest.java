package io.shepherd.host.logs;

import static org.junit.jupiter.api.Assertions.*;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.shepherd.node.NodeContext;
import io.shepherd.protocol.HostRequest;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/** Log levels set at run time, through Logback itself: what a node, a logger and the host let through, and default undoing it. */
class LogLevelsTest {

  final LogLevels levels = new LogLevels();

  @Test
  void aNodesLevelOpensItsNodeLoggerAndTheLoggersOfItsThreadsAndNothingElse() {
    org.slf4j.Logger node = NodeLogger.of("daq1/acq/levels");
    org.slf4j.Logger other = NodeLogger.of("daq1/acq/other");
    org.slf4j.Logger own = LoggerFactory.getLogger("org.lab.SomeNodeClass");
    assertFalse(node.isDebugEnabled(), "INFO as configured");
    assertEquals("log level of node:daq1/acq/levels set to DEBUG",
        levels.set(new HostRequest.SetLogLevel("node:daq1/acq/levels", "debug")));
    assertTrue(node.isDebugEnabled());
    assertFalse(node.isTraceEnabled());
    assertFalse(other.isDebugEnabled(), "another node keeps its level");

    ListAppender<ILoggingEvent> seen = new ListAppender<>();
    seen.start();
    Logger ownLogback = (Logger) own;
    ownLogback.addAppender(seen);
    try {
      MDC.put(NodeContext.MDC_NODE, "daq1/acq/levels");
      own.debug("from the node's thread");
      MDC.put(NodeContext.MDC_NODE, "daq1/acq/other");
      own.debug("from another node's thread");
      MDC.remove(NodeContext.MDC_NODE);
      own.debug("from no node");
    } finally {
      MDC.remove(NodeContext.MDC_NODE);
      ownLogback.detachAppender(seen);
    }
    assertEquals(1, seen.list.size(), seen.list.toString());
    assertEquals("from the node's thread", seen.list.get(0).getFormattedMessage());
    assertEquals(Map.of("node:daq1/acq/levels", "DEBUG"), levels.current());

    levels.set(new HostRequest.SetLogLevel("node:daq1/acq/levels", "ERROR"));
    assertFalse(node.isWarnEnabled(), "a level above the configured one closes the node's records too");
    assertEquals("log level of node:daq1/acq/levels back to its configured one",
        levels.set(new HostRequest.SetLogLevel("node:daq1/acq/levels", "default")));
    assertFalse(node.isDebugEnabled());
    assertTrue(node.isInfoEnabled());
    assertEquals(Map.of(), levels.current());
  }

  @Test
  void aLoggersAndTheHostsLevelsAreSetAndGivenBackAsConfigured() {
    Logger logger = (Logger) LoggerFactory.getLogger("org.lab.levels");
    Logger root = (Logger) LoggerFactory.getLogger(Logger.ROOT_LOGGER_NAME);
    Level configuredRoot = root.getLevel();
    levels.set(new HostRequest.SetLogLevel("logger:org.lab.levels", "TRACE"));
    assertTrue(logger.isTraceEnabled());
    levels.set(new HostRequest.SetLogLevel(HostRequest.HOST_TARGET, "WARN"));
    assertEquals(Level.WARN, root.getLevel());
    assertEquals(Map.of("logger:org.lab.levels", "TRACE", "host", "WARN"), levels.current());
    levels.set(new HostRequest.SetLogLevel("logger:org.lab.levels", "default"));
    levels.set(new HostRequest.SetLogLevel(HostRequest.HOST_TARGET, "default"));
    assertNull(logger.getLevel(), "it inherits again, as configured");
    assertEquals(configuredRoot, root.getLevel());
    assertEquals(Map.of(), levels.current());
  }

  @Test
  void badTargetsAndLevelsAreRefusedWithTheReason() {
    assertTrue(assertThrows(IllegalArgumentException.class, () -> new HostRequest.SetLogLevel("host", "LOUD")).getMessage()
        .contains("TRACE, DEBUG, INFO, WARN, ERROR, OFF or default"));
    assertTrue(assertThrows(IllegalArgumentException.class, () -> new HostRequest.SetLogLevel("everything", "INFO")).getMessage()
        .contains("host, node:PATH or logger:NAME"));
    assertThrows(IllegalArgumentException.class, () -> new HostRequest.SetLogLevel("node:not a path", "INFO"));
    assertTrue(assertThrows(IllegalArgumentException.class, () -> new HostRequest.SetLogLevel("logger:a b", "INFO")).getMessage()
        .contains("is not valid"));
  }
}
