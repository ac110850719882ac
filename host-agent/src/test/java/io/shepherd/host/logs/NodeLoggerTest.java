package io.shepherd.host.logs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.shepherd.node.NodeContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/** A node's logger: records named after the node, carrying its path, through the node logger, and no logback logger per node. */
class NodeLoggerTest {

  final LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
  final ch.qos.logback.classic.Logger nodes = context.getLogger("node");
  final ListAppender<ILoggingEvent> appender = new ListAppender<>();
  Level before;

  @BeforeEach
  void attach() {
    before = nodes.getLevel();
    appender.start();
    nodes.addAppender(appender);
  }

  @AfterEach
  void detach() {
    nodes.detachAppender(appender);
    nodes.setLevel(before);
  }

  @Test
  void recordsAreNamedAfterTheNodeAndCarryItsPathFromAnyThread() throws Exception {
    Logger logger = NodeLogger.of("daq1/acq/sine");
    assertEquals("node.daq1/acq/sine", logger.getName());
    MDC.put("other", "kept");
    try {
      logger.warn("value {} out of range", 7, new IllegalStateException("boom"));
    } finally {
      MDC.remove("other");
    }
    Thread thread = new Thread(() -> logger.info("from a thread of the node's own"));
    thread.start();
    thread.join();
    assertEquals(2, appender.list.size());
    ILoggingEvent warn = appender.list.get(0);
    assertEquals("node.daq1/acq/sine", warn.getLoggerName());
    assertEquals(Level.WARN, warn.getLevel());
    assertEquals("value 7 out of range", warn.getFormattedMessage());
    assertEquals("boom", warn.getThrowableProxy().getMessage());
    assertEquals("daq1/acq/sine", warn.getMDCPropertyMap().get(NodeContext.MDC_NODE));
    assertEquals("kept", warn.getMDCPropertyMap().get("other"), "the thread's own MDC is kept");
    assertEquals("daq1/acq/sine", appender.list.get(1).getMDCPropertyMap().get(NodeContext.MDC_NODE));
    assertNull(MDC.get(NodeContext.MDC_NODE), "the caller's MDC is left as it was");
  }

  @Test
  void theNodeLoggersLevelApplies() {
    nodes.setLevel(Level.WARN);
    Logger logger = NodeLogger.of("daq1/acq/quiet");
    assertFalse(logger.isInfoEnabled());
    assertTrue(logger.isWarnEnabled());
    logger.info("dropped");
    logger.error("kept");
    assertEquals(1, appender.list.size());
    assertEquals("kept", appender.list.get(0).getFormattedMessage());
  }

  @Test
  void noLogbackLoggerIsMadeForANode() {
    for (int i = 0; i < 1000; i++) {
      NodeLogger.of("daq1/many/n" + i).info("hello");
    }
    assertNull(context.exists("node.daq1/many/n1"), "logback keeps every logger it makes for good");
    assertEquals(1000, appender.list.size());
  }
}
