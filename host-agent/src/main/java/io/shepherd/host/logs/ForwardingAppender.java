package io.shepherd.host.logs;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.core.UnsynchronizedAppenderBase;
import io.shepherd.node.NodeContext;
import io.shepherd.protocol.LogLevel;
import java.time.Instant;

/**
 * The Logback appender of every Shepherd member: it hands each record, with the node path from
 * the MDC, its thread, logger, level, time, message and stack trace, to the JVM's {@link LogBuffer},
 * from which the member's forwarder batches it to the log server. It never blocks the logging
 * thread: a full buffer drops and counts. Configured in {@code shepherd-logback.xml}.
 */
public final class ForwardingAppender extends UnsynchronizedAppenderBase<ILoggingEvent> {

  private LogBuffer buffer = LogBuffer.global();

  /** For tests: another buffer. */
  public void setBuffer(LogBuffer buffer) {
    this.buffer = buffer;
  }

  @Override
  protected void append(ILoggingEvent event) {
    Instant time = event.getInstant();
    long micros = time == null ? event.getTimeStamp() * 1000 : time.getEpochSecond() * 1_000_000 + time.getNano() / 1_000;
    IThrowableProxy error = event.getThrowableProxy();
    buffer.add(micros, level(event.getLevel()), event.getMDCPropertyMap().get(NodeContext.MDC_NODE), event.getLoggerName(),
        event.getThreadName(), event.getFormattedMessage(), error == null ? null : ThrowableProxyUtil.asString(error));
  }

  static LogLevel level(Level level) {
    return switch (level.toInt()) {
      case Level.ERROR_INT -> LogLevel.ERROR;
      case Level.WARN_INT -> LogLevel.WARN;
      case Level.INFO_INT -> LogLevel.INFO;
      case Level.DEBUG_INT -> LogLevel.DEBUG;
      default -> LogLevel.TRACE;
    };
  }
}
